# Shared paths and settings for ./pants, build-support/bootstrap.sh and ./hotpass.
# Sourced, never executed. Every value here can be overridden from the environment so a machine
# laid out differently (another CA bundle, Python 3.9 elsewhere) needs no edit to the repo.

PANTS_VERSION="2.17.1"
PEX_VERSION="2.1.137"

HOTPASS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Where Pants' own virtualenv lives: per machine, shared by every clone.
HOTPASS_PANTS_HOME="${HOTPASS_PANTS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/hotpass/pants-${PANTS_VERSION}}"
PANTS_VENV="${HOTPASS_PANTS_HOME}/venv"
# The pex tool Pants would otherwise download from GitHub; built from PyPI by bootstrap.sh.
PEX_PEX="${HOTPASS_ROOT}/build-support/.bootstrap/pex-${PEX_VERSION}.pex"

# Pants needs PYENV_ROOT to find pyenv's interpreters when HOME is fresh.
if [ -z "${PYENV_ROOT:-}" ] && [ -d "$HOME/.pyenv" ]; then
  export PYENV_ROOT="$HOME/.pyenv"
fi

find_ca_bundle() {
  if [ -n "${HOTPASS_CA_BUNDLE:-}" ]; then
    echo "$HOTPASS_CA_BUNDLE"
    return
  fi
  local candidate
  for candidate in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt \
    /etc/ssl/cert.pem /etc/ssl/ca-bundle.pem; do
    if [ -f "$candidate" ]; then
      echo "$candidate"
      return
    fi
  done
}

# Pants 2.17 runs only on CPython 3.9. HOTPASS_PYTHON39 wins; then pyenv; then PATH.
find_python39() {
  local candidate
  for candidate in "$(command -v "${HOTPASS_PYTHON39:-}" 2>/dev/null || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.9.*/bin/python3.9 \
    /usr/local/bin/python3.9 /usr/bin/python3.9 "$(command -v python3.9 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 9))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
}
