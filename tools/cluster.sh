#!/usr/bin/env bash
# Starts a 3-silo cluster on this machine (Orleans development clustering: silo 1 keeps the
# membership table, the others join through it with --seeds). RESP gateways 127.0.0.1:6379,
# :6380, :6381; Orleans silo ports 11111-11113, Orleans gateways 30000-30002; dashboards 8080-8082. Ctrl-C stops all three cleanly (each hands its keys over).
# Usage: bash tools/cluster.sh [extra silo flags...]
#   e.g. bash tools/cluster.sh --membership postgres --connection-string "Host=127.0.0.1;Username=kv;Password=kv;Database=kv"
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build silo -c Release -v quiet -nologo >/dev/null
dll=silo/bin/Release/net10.0/Orleans.KeyValue.Silo.dll
pids=()
stop() {
  # Reverse order: the embedded table's host (silo 1) leaves last.
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
  done
}
trap stop INT TERM EXIT
seeds=()
for n in 1 2 3; do
  args=(--port $((6378 + n)) --silo-port $((11110 + n)) --orleans-gateway-port $((29999 + n)) --dashboard-port $((8079 + n)) --silo-name "silo$n")
  if [[ " $* " != *" --membership postgres "* ]] && [ "$n" -gt 1 ]; then
    args+=(--seeds 127.0.0.1:11111)
  fi
  dotnet "$dll" "${args[@]}" "$@" > >(sed -u "s/^/[silo$n] /") 2>&1 &
  pids+=($!)
  # Let each silo join before the next one starts.
  for _ in $(seq 1 100); do
    if exec 3<>/dev/tcp/127.0.0.1/$((8079 + n)) 2>/dev/null && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && grep -q '"ok"' <&3; then
      exec 3>&- || true
      break
    fi
    sleep 0.2
  done
done
echo "3 silos up: redis-cli -p 6379 | 6380 | 6381; INFO cluster shows the membership. Ctrl-C stops them."
wait
