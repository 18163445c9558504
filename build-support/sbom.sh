#!/usr/bin/env bash
# A CycloneDX SBOM (JSON) for each PEX in dist/: the PEX is unpacked into a throw-away venv
# (PEX_TOOLS) and cyclonedx-py lists what is installed there - exactly what the PEX ships.
# Usage: build-support/sbom.sh TOOLS_VENV   (a venv with cyclonedx-bom installed)
set -euo pipefail
tools="$1"
mkdir -p dist/sbom
for pex in dist/*.pex; do
  name="$(basename "$pex" .pex)"
  venv="dist/sbom/$name-venv"
  rm -rf "$venv"
  PEX_TOOLS=1 python3.11 "$pex" venv "$venv" >/dev/null
  "$tools/bin/cyclonedx-py" environment "$venv/bin/python" --output-reproducible \
    --output-format JSON --output-file "dist/sbom/$name.cdx.json"
  rm -rf "$venv"
  "$tools/bin/python" - "dist/sbom/$name.cdx.json" <<'PY'
import json, sys
sbom = json.load(open(sys.argv[1]))
names = {c["name"].lower() for c in sbom["components"]}
print(f"{sys.argv[1]}: CycloneDX {sbom['specVersion']}, {len(names)} components")
assert "duckdb" in names and "pyarrow" in names, "the SBOM misses the core's own dependencies"
PY
done
