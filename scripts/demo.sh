#!/usr/bin/env bash
# One command for a newcomer: set everything up and run the app on the embedded default
# (SQLite in var/, tasks in-process) at http://127.0.0.1:8000 with the demo loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
PY=.venv/bin/python
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py seed_demo
echo
echo "Open http://127.0.0.1:8000 and log in with one of the users above. Ctrl+C stops the server."
exec $PY manage.py runserver "${DEMO_ADDRESS:-127.0.0.1:8000}" --noreload
