#!/usr/bin/env bash
# One command for a newcomer: set everything up and run the app on the embedded default
# (SQLite in var/, tasks in-process) with the demo loaded, at http://$DEMO_ADDRESS
# (default 127.0.0.1:8000). Links in the demo's e-mails point there unless SITE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
PY=.venv/bin/python
DEMO_ADDRESS="${DEMO_ADDRESS:-127.0.0.1:8000}"
export SITE_URL="${SITE_URL:-http://$DEMO_ADDRESS}"
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py seed_demo
echo
echo "Open http://$DEMO_ADDRESS and log in with one of the users above. Ctrl+C stops the server."
exec $PY manage.py runserver "$DEMO_ADDRESS" --noreload
