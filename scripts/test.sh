#!/usr/bin/env bash
# One command for the whole test suite. With nothing configured it runs on the embedded
# default (SQLite, tasks in-process); with DATABASE_URL and REDIS_URL set it uses them,
# and the tests that need PostgreSQL or a real broker run too (as in .ci/run).
# Extra arguments go to pytest, e.g. scripts/test.sh -k access
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --tests
PY=.venv/bin/python
echo "== ruff (incl. its security rules, S)"
.venv/bin/ruff check .
echo "== bandit (medium and high findings fail the run)"
.venv/bin/bandit -q -r config councils classifiers deadlines sbsh exports registry -ll
echo "== the apps depend one way (import-linter, .importlinter; docs/architecture.md)"
.venv/bin/lint-imports --no-cache
echo "== migrations are complete"
$PY manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Model changes without migrations: run manage.py makemigrations" >&2; exit 1; }
echo "== pytest (database: ${DATABASE_URL:+$(echo "$DATABASE_URL" | sed -E 's#//[^@]*@#//#')}${DATABASE_URL:-embedded SQLite})"
exec $PY -m pytest "$@"
