#!/usr/bin/env bash
# Lint, then the whole suite (unit, integration, browser) against the real PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postframe}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/9}
echo "== ruff"
$BIN/ruff check .
echo "== pytest"
mkdir -p test-artifacts
$BIN/python -m pytest "$@"
