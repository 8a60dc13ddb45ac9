#!/usr/bin/env bash
# Install into .venv and run the whole suite on SQLite, then on PostgreSQL.
# PANHUO_TEST_POSTGRES_URL overrides the PostgreSQL database (its public schema is recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
echo "== tests on SQLite"
env -u PANHUO_DATABASE_URL .venv/bin/python -m pytest "$@"
echo "== tests on PostgreSQL"
PANHUO_DATABASE_URL="${PANHUO_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
    .venv/bin/python -m pytest "$@"
