#!/usr/bin/env bash
# Sets up everything Valvomo needs on a fresh Debian machine, idempotently:
#   - a virtual environment in .venv with the package and its dependencies;
#   - with --test: the test tools, Debian's chromium (browser tests drive it through
#     Playwright with executable_path; no browser is ever downloaded), poppler-utils
#     (pdftoppm for report tests), a Java runtime for the PySpark backend, and
#     axe-core from the npm registry (accessibility scans), and a local PostgreSQL
#     server so the app-state tests also run against PostgreSQL, not only SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]} == 0)) && return 0
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# WeasyPrint (PDF reports) needs Pango; fonts make charts and PDFs legible.
apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

if [[ ! -x .venv/bin/python ]]; then
  log "creating virtual environment .venv"
  python3 -m venv .venv
fi
stamp=.venv/.valvomo-installed
extras="spark,postgres"
((want_test)) && extras="spark,postgres,dev,bench"
if [[ ! -f $stamp ]] || [[ pyproject.toml -nt $stamp ]] || ! grep -qx "$extras" "$stamp"; then
  log "installing Python dependencies ($extras)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e ".[$extras]" 2>&1 | grep -vE "^(WARNING: Location|\s*$)" || true
  .venv/bin/python -c "import valvomo, ibis, duckdb" # fail loudly if the install did not work
  echo "$extras" > "$stamp"
fi

if ((want_test)); then
  # Java for PySpark (local mode); chromium for Playwright; poppler for pdftoppm.
  command -v java >/dev/null 2>&1 || apt_install default-jre-headless
  apt_install chromium poppler-utils postgresql
  if [[ -f package.json ]] && [[ ! -f node_modules/axe-core/axe.min.js ]]; then
    log "installing axe-core from the npm registry"
    npm install --no-audit --no-fund --silent >/dev/null
  fi
fi
log "ready"
