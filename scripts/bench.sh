#!/usr/bin/env bash
# Runs every benchmark in bench/*.py (each writes bench/results/<name>.json), then prints a summary of the results.
# Each benchmark starts and stops what it needs; one that fails is reported and the others still run.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p bench/results test-artifacts

outcomes=()
status=0
for bench in bench/*.py; do
  [ -e "$bench" ] || continue
  name=$(basename "$bench" .py)
  case "$name" in _*|__init__) continue ;; esac  # helpers, not benchmarks
  echo "== $name"
  started=$(date +%s)
  if "$BIN/python" "$bench"; then
    outcomes+=("$name|ok|$(( $(date +%s) - started ))")
  else
    code=$?
    outcomes+=("$name|failed (exit $code)|$(( $(date +%s) - started ))")
    status=1
  fi
  echo
done

if [ ${#outcomes[@]} -eq 0 ]; then
  echo "No benchmarks found in bench/." >&2
  exit 1
fi

echo "== summary"
"$BIN/python" - "${outcomes[@]}" <<'PY'
import json
import sys
from pathlib import Path

for outcome in sys.argv[1:]:
    name, state, seconds = outcome.split("|")
    print(f"{name}: {state} in {seconds} s")
    path = Path("bench/results") / f"{name}.json"
    if state != "ok" or not path.exists():
        continue
    result = json.loads(path.read_text())
    for key, value in result.items():
        if isinstance(value, (int, float, str)) and key != "recorded_at":
            target = (result.get("targets") or {}).get(key)
            verdict = "" if target is None else f"  (target ≤ {target}: {'ok' if value is not None and value <= target else 'MISSED'})"
            print(f"  {key:<28} {value}{verdict}")
PY
exit $status
