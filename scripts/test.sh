#!/usr/bin/env bash
# Quick start, command 2: set up (with test tools) and run the whole test suite:
# lint (ruff), the one-way import contract (import-linter) and pytest, which
# includes the PySpark cross-engine tests and the Chromium browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export VALVOMO_HOME="${VALVOMO_HOME:-$(mktemp -d)}"

# App state must work on PostgreSQL too: start the local server (installed by setup) and give the
# tests a throw-away database. Without a server those tests say they were skipped and why.
if [[ -z "${VALVOMO_TEST_POSTGRES_URL:-}" ]] && command -v pg_ctlcluster >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
  pg_version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_ctlcluster "$pg_version" main start >/dev/null 2>&1 || true
  if su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1; then
    su postgres -c "psql -q" >/dev/null 2>&1 <<'SQL' || true
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'valvomo_test') THEN
    CREATE ROLE valvomo_test LOGIN PASSWORD 'valvomo_test';
  END IF;
END $$;
SQL
    if su postgres -c "dropdb --if-exists valvomo_test && createdb -O valvomo_test valvomo_test" >/dev/null 2>&1; then
      export VALVOMO_TEST_POSTGRES_URL="postgresql+psycopg://valvomo_test:valvomo_test@127.0.0.1/valvomo_test"
      echo "== PostgreSQL $pg_version for the app-state tests"
    fi
  fi
fi
echo "== ruff"
.venv/bin/ruff check src tests bench
echo "== import contracts"
.venv/bin/lint-imports
echo "== pytest"
# Two workers (the machine has two cores, and a third of the suite waits on Spark, Chromium and servers);
# loadfile keeps each module, and its module-scoped fixtures, on one worker; the modules are handed out
# in the order tests/conftest.py gives them (longest first), not by their number of tests.
.venv/bin/python -m pytest -m "not slow" -n "${VALVOMO_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder "$@"
