#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
# The PostgreSQL membership tests need a local server (role kv, database kv); they fail, never
# skip, without one.
if command -v pg_ctlcluster >/dev/null; then
  bash tools/postgres.sh || echo "warning: tools/postgres.sh failed; the PostgreSQL membership tests will fail." >&2
else
  echo "warning: PostgreSQL is not installed (apt-get install -y postgresql); the PostgreSQL membership tests will fail." >&2
fi
# The Node.js compatibility test needs ioredis (pinned by tests/compat/node/package-lock.json).
if [ ! -d tests/compat/node/node_modules/ioredis ]; then
  if command -v npm >/dev/null; then
    npm ci --prefix tests/compat/node --no-audit --no-fund >/dev/null || echo "warning: npm ci failed; the ioredis compatibility tests will fail." >&2
  else
    echo "warning: npm is not installed (apt-get install -y nodejs npm); the ioredis compatibility tests will fail." >&2
  fi
fi
log=$(mktemp)
dotnet test Orleans.KeyValue.sln -c Release --blame-hang-timeout 5m "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# dotnet test prints per project: "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, ..."
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
