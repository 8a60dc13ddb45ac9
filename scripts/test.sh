#!/usr/bin/env bash
# Install into .venv and run the whole suite on SQLite, then on PostgreSQL.
#   --fast: SQLite only, no browser and no `slow` tests (the lane to run while you work).
# Both lanes first run ruff over the tree: an unused import or unsorted imports stop the run.
# Tests run in one worker per core (pytest-xdist); on PostgreSQL each worker gets a database of its
# own beside the named one (test_gw0, test_gw1, …). PANHUO_TEST_POSTGRES_URL overrides the database.
set -euo pipefail
cd "$(dirname "$0")/.."
# Python caches compiled modules and pytest its rewritten test modules in __pycache__ (gitignored);
# a machine that sets PYTHONDONTWRITEBYTECODE has every worker compile them again on each run
unset PYTHONDONTWRITEBYTECODE
fast=""
if [ "${1:-}" = "--fast" ]; then fast=1; shift; fi
[ -x .venv/bin/python ] || python3 -m venv .venv
# the install is editable: it only needs doing again when pyproject.toml changes (4 s a run saved)
if [ ! -e .venv/.panhuo-installed ] || [ pyproject.toml -nt .venv/.panhuo-installed ]; then
    .venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
    touch .venv/.panhuo-installed
fi
echo "== ruff (pyflakes, import order)"
.venv/bin/ruff check --quiet .
if [ -n "$fast" ]; then
    echo "== fast lane: SQLite, no browser, no slow tests"
    env -u PANHUO_DATABASE_URL PANHUO_TEST_FAST=1 .venv/bin/python -m pytest -n auto -m "not slow" --ignore=tests/browser "$@"
    exit
fi
echo "== tests on SQLite"
env -u PANHUO_DATABASE_URL .venv/bin/python -m pytest -n auto "$@"
echo "== tests on PostgreSQL"
PANHUO_DATABASE_URL="${PANHUO_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
    .venv/bin/python -m pytest -n auto "$@"
