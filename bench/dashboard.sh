#!/usr/bin/env bash
# The cost of Orleans's dashboard (Microsoft.Orleans.Dashboard, mounted at /orleans/) on the
# command path: one silo with the dashboard on (--dashboard-port > 0 adds it, with its grain call
# filter) and one with it off (--dashboard-port 0), side by side, round after round. SET and GET
# on keys without activations take no grain call (the stripe-lock path); EVAL runs in the key
# grain's turn, a grain call through the filter.
#
# Usage: bash bench/dashboard.sh [--rounds N] [--requests N]
# Needs redis-tools (redis-benchmark, redis-cli). Silos listen on free loopback ports and are
# stopped, by PID, when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
requests=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$requests" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds and --requests need positive numbers" >&2; exit 2; }

tmp=$(mktemp -d /tmp/kv-dashboard-bench.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

dotnet build silo -c Release -nologo -v quiet >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
dll=silo/bin/Release/net10.0/Orleans.KeyValue.Silo.dll

# Args: name dashboard-port(0 = off). Prints the RESP port.
start() {
  local name=$1 dashboard=$2 port silo gw
  port=$(free_port); silo=$(free_port); gw=$(free_port)
  dotnet "$dll" --port "$port" --silo-port "$silo" --orleans-gateway-port "$gw" --dashboard-port "$dashboard" \
    --dashboard-bind 127.0.0.1 --silo-name "$name" >"$tmp/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 300); do
    [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && { echo "$port"; return; }
    sleep 0.2
  done
  echo "silo $name did not start: $(tail -3 "$tmp/$name.log")" >&2
  exit 1
}

on=$(start dashboard-on "$(free_port)")
off=$(start dashboard-off 0)
script="return redis.call('SET', KEYS[1], ARGV[1])"

# Args: port test. Prints requests per second.
run() {
  local port=$1 test=$2
  case "$test" in
    SET|GET) redis-benchmark -p "$port" -c 50 -r 1000000 -n "$requests" -t "${test,,}" --csv | awk -F'","' 'NR == 2 { gsub(/"/, "", $2); print $2 }' ;;
    EVAL) redis-benchmark -p "$port" -c 50 -r 1000000 -n "$requests" --csv EVAL "$script" 1 'key:__rand_int__' v | awk -F'","' 'NR == 2 { gsub(/"/, "", $2); print $2 }' ;;
  esac
}

echo "| command (pipeline 1, 50 clients) | dashboard on ops/s | off ops/s | on/off |"
echo "|---|---:|---:|---:|"
for test in SET GET EVAL; do
  ratios=(); ons=(); offs=()
  for _ in $(seq 1 "$rounds"); do
    a=$(run "$on" "$test"); b=$(run "$off" "$test")
    ons+=("$a"); offs+=("$b"); ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')")
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  printf '| %s | %.0f | %.0f | %.2fx |\n' "$test" "$(median "${ons[@]}")" "$(median "${offs[@]}")" "$(median "${ratios[@]}")"
done
