#!/usr/bin/env bash
# Re-extract the interface strings into locale/{kk,ru,en} (no line numbers, so diffs stay small).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l kk -l ru -l en --no-location --no-obsolete \
  --ignore=.venv --ignore=.venv-dast --ignore=staticfiles --ignore=var --ignore=test-artifacts "$@"
