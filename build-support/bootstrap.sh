#!/usr/bin/env bash
# Installs Pants and the pex tool it drives using only PyPI (no GitHub downloads, no scie launcher).
# Idempotent: re-running it on a bootstrapped machine only checks what is there.
set -euo pipefail
# shellcheck source=build-support/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

log() { echo "bootstrap: $*" >&2; }
die() { echo "bootstrap: error: $*" >&2; exit 1; }

ca_bundle="$(find_ca_bundle)"
[ -n "$ca_bundle" ] || die "no CA bundle found; set HOTPASS_CA_BUNDLE to your system's PEM bundle"
python39="$(find_python39)"
[ -n "$python39" ] || die "Pants ${PANTS_VERSION} needs CPython 3.9; install it (e.g. 'pyenv install 3.9') or set HOTPASS_PYTHON39=/path/to/python3.9"

# The machine-wide pip configuration (constraints, find-links) must not leak into our installs.
pip_install() {
  PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= PIP_CONSTRAINT= \
    "$1/bin/python" -m pip install --quiet --disable-pip-version-check --cert "$ca_bundle" "${@:2}"
}

if [ ! -x "$PANTS_VENV/bin/pants" ]; then
  log "installing Pants ${PANTS_VERSION} with ${python39} into ${PANTS_VENV}"
  rm -rf "$PANTS_VENV.partial"
  "$python39" -m venv "$PANTS_VENV.partial"
  pip_install "$PANTS_VENV.partial" "pantsbuild.pants==${PANTS_VERSION}"
  # The venv's scripts carry its path in their shebangs, so the rename comes last and atomically.
  rm -rf "$PANTS_VENV"
  mv "$PANTS_VENV.partial" "$PANTS_VENV"
  sed -i "s#${PANTS_VENV}.partial#${PANTS_VENV}#g" "$PANTS_VENV"/bin/*
fi

if [ ! -f "$PEX_PEX" ]; then
  log "building the pex ${PEX_VERSION} tool from PyPI"
  pex_venv="${HOTPASS_PANTS_HOME}/pex-venv"
  if [ ! -x "$pex_venv/bin/pex" ]; then
    rm -rf "$pex_venv"
    "$python39" -m venv "$pex_venv"
    pip_install "$pex_venv" "pex==${PEX_VERSION}"
  fi
  mkdir -p "$(dirname "$PEX_PEX")"
  PIP_CONFIG_FILE=/dev/null SSL_CERT_FILE="$ca_bundle" \
    "$pex_venv/bin/pex" "pex==${PEX_VERSION}" -c pex -o "$PEX_PEX.partial"
  mv "$PEX_PEX.partial" "$PEX_PEX"
fi

expected="$(sed -n 's/^ *"v'"${PEX_VERSION}"'|linux_x86_64|\([0-9a-f]*\)|.*/\1/p' "$HOTPASS_ROOT/pants.toml" | head -n 1)"
actual="$(sha256sum "$PEX_PEX" | cut -d' ' -f1)"
if [ -n "$expected" ] && [ "$expected" != "$actual" ]; then
  rm -f "$PEX_PEX"
  die "pex ${PEX_VERSION} built with sha256 ${actual}, pants.toml expects ${expected}"
fi
log "ready: Pants ${PANTS_VERSION} ($PANTS_VENV), pex ${PEX_VERSION} ($PEX_PEX)"
