#!/usr/bin/env bash
# Known-vulnerable dependencies (ASVS 15.2.1) and the component inventory (15.1.2):
# pip-audit --strict over every package installed in .venv, and a CycloneDX SBOM of it.
#
# --strict is the point: without it pip-audit exits 0 when it cannot reach an advisory
# database, having checked nothing (it says "not found on PyPI" and skips). This script
# fails unless every package was checked and none has a known vulnerability.
# It needs the internet (pypi.org's per-release JSON or api.osv.dev); run it where the
# network allows, e.g. before a release. AUDIT_SERVICE=osv uses OSV instead of PyPI.
# Writes var/audit/{requirements.txt,sbom.cdx.json,pip-audit.json}.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv/bin/python ]] || scripts/bootstrap.sh
out=var/audit
mkdir -p "$out"
# In its own venv: the auditors' dependencies must not change the application's.
if [[ ! -x .venv-audit/bin/pip-audit ]]; then
  python3 -m venv .venv-audit
  .venv-audit/bin/pip install -q pip-audit==2.10.1 cyclonedx-bom==7.5.0
fi
.venv/bin/python -m pip freeze --exclude-editable --all >"$out/requirements.txt"
echo "== SBOM (CycloneDX) of .venv: $out/sbom.cdx.json"
.venv-audit/bin/cyclonedx-py environment .venv --of JSON --output-reproducible -o "$out/sbom.cdx.json"
echo "== pip-audit --strict over $(wc -l <"$out/requirements.txt") packages (service: ${AUDIT_SERVICE:-pypi})"
status=0
.venv-audit/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off \
  -s "${AUDIT_SERVICE:-pypi}" -r "$out/requirements.txt" -f json -o "$out/pip-audit.json" \
  || status=$?
if [[ $status -ne 0 ]]; then
  echo "pip-audit failed (exit $status): a known vulnerability, or a package it could not" >&2
  echo "check (no network to the advisory database counts as a failure, never as a pass)." >&2
fi
exit $status
