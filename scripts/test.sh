#!/usr/bin/env bash
# Lint, then the whole suite (unit, integration, browser) against the real PostgreSQL and Redis.
# With no arguments: the unit tests on two xdist workers, then the integration and browser tests one at a time
# (they start their own daphne, workers and Chromium). With arguments: pytest with exactly those.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postframe}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/9}
echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
mkdir -p test-artifacts
if [ $# -gt 0 ]; then
  echo "== pytest $*"
  exec $BIN/python -m pytest "$@"
fi
echo "== pytest: unit (2 workers)"
$BIN/python -m pytest -n 2 tests --ignore=tests/e2e --ignore=tests/integration
echo "== pytest: integration and browser"
$BIN/python -m pytest tests/integration tests/e2e
