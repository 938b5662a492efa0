#!/usr/bin/env bash
# Quick start, command 1: set up, then run the main job on the embedded default:
# synthetic demo county -> warehouse -> indicators -> dashboard at http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/valvomo demo "$@"
