#!/usr/bin/env bash
# Install into .venv and run the demo portal (embedded SQLite, demo data). Extra arguments go to `panhuo demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
exec .venv/bin/panhuo demo "$@"
