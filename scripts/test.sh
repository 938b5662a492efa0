#!/usr/bin/env bash
# Quick start, command 2: set up (with test tools) and run the whole test suite:
# lint (ruff), the one-way import contract (import-linter) and pytest, which
# includes the PySpark cross-engine tests and the Chromium browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export VALVOMO_HOME="${VALVOMO_HOME:-$(mktemp -d)}"
echo "== ruff"
.venv/bin/ruff check src tests bench
echo "== import contracts"
.venv/bin/lint-imports
echo "== pytest"
.venv/bin/python -m pytest -m "not slow" "$@"
