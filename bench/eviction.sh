#!/usr/bin/env bash
# Eviction (issue 13): one silo next to redis-server 7, both with the same maxmemory and
# allkeys-lru. (1) RSS while writing 3x the limit's worth of new keys (redis-benchmark SET,
# random keys, 1000-byte values): the peak and final VmRSS against the limit, sampled every
# 0.2 s. (2) The hit rate of a cache-aside client on a Zipf-skewed keyspace (bench/zipf.py:
# GET, SET on a miss), counted after a warm-up, with the keys each server holds at the end.
#
# Usage: bash bench/eviction.sh [--limit MB] [--keys N] [--ops N] [--out FILE]
#   --limit MB   maxmemory of both servers, in MiB (default 400)
#   --keys N     Zipf keyspace (default 1000000, 1000-byte values: about 2.5x the default limit)
#   --ops N      measured cache-aside operations (default 1000000, after 500000 warm-up)
#   --out FILE   Markdown results (default bench/results/eviction.md)
# Needs redis-server, redis-tools (redis-cli, redis-benchmark), ss, /usr/bin/python3. Servers
# listen on 127.0.0.1 on free ports and are stopped, by PID, when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
limit_mb=400
keys=1000000
ops=1000000
out=bench/results/eviction.md
while [ $# -gt 0 ]; do
  case "$1" in
    --limit) limit_mb="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --ops) ops="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$limit_mb" =~ ^[1-9][0-9]*$ && "$keys" =~ ^[1-9][0-9]*$ && "$ops" =~ ^[1-9][0-9]*$ ]] || { echo "--limit, --keys and --ops need positive numbers" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source bench/lib.sh
need_tools redis-server redis-cli redis-benchmark ss dotnet awk /usr/bin/python3
bench_setup eviction
mkdir -p "$(dirname "$out")"
build_silo
limit=$((limit_mb * 1024 * 1024))
writes=$((3 * limit / 1000))

start_pair() { # starts redis-server and one silo, both with the limit; sets the ports and PIDs
  free_port; redis_port=$REPLY
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --maxmemory "$limit" --maxmemory-policy allkeys-lru >"$tmp/redis.log" 2>&1 &
  pids+=("$!"); redis_pid=$!
  free_port; silo_port=$REPLY; free_port; silo_silo_port=$REPLY; free_port; gateway_port=$REPLY
  dotnet "$dll" --port "$silo_port" --silo-port "$silo_silo_port" --orleans-gateway-port "$gateway_port" --dashboard-port 0 \
    --maxmemory "$limit" --maxmemory-policy allkeys-lru >"$tmp/silo.log" 2>&1 &
  pids+=("$!"); silo_pid=$!
  wait_pong "$redis_port"
  wait_pong "$silo_port"
}

stop_pair() {
  kill -KILL "$redis_pid" "$silo_pid" 2>/dev/null || true
  wait "$redis_pid" "$silo_pid" 2>/dev/null || true
}

fill() { # name port pid: writes 3x the limit, prints "peak_kb final_kb evicted keys rps"
  local name=$1 port=$2 pid=$3 peak=0 rss sampler rps
  ( while kill -0 "$pid" 2>/dev/null; do rss_kb "$pid"; sleep 0.2; done ) >"$tmp/rss-$name" 2>/dev/null &
  sampler=$!
  redis-benchmark -h 127.0.0.1 -p "$port" -t set -d 1000 -r 100000000 -n "$writes" -c 50 -P 16 -q 2>/dev/null | tr '\r' '\n' | grep -a 'requests per second' | tail -1 >"$tmp/bench-$name" || true
  sleep 1
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  peak=$(sort -n "$tmp/rss-$name" | tail -1)
  rss=$(rss_kb "$pid")
  rps=$(awk '{ print $2 }' "$tmp/bench-$name")
  echo "$peak $rss $(cli "$port" info stats | tr -d '\r' | awk -F: '/^evicted_keys:/ { print $2 }') $(cli "$port" dbsize) $rps"
}

log "part 1: writing $writes keys of 1000 bytes (3x maxmemory ${limit_mb} MiB) into each"
start_pair
read -r r_peak r_final r_evicted r_keys r_rps < <(fill redis "$redis_port" "$redis_pid")
read -r o_peak o_final o_evicted o_keys o_rps < <(fill silo "$silo_port" "$silo_pid")
o_oom=$(grep -c OOM "$tmp/bench-silo" || true)
stop_pair

log "part 2: cache-aside on $keys Zipf keys, $ops operations after a warm-up, against each"
start_pair
read -r r_hits r_misses < <(/usr/bin/python3 bench/zipf.py --port "$redis_port" --keys "$keys" --ops "$ops")
r_held=$(cli "$redis_port" dbsize)
read -r o_hits o_misses < <(/usr/bin/python3 bench/zipf.py --port "$silo_port" --keys "$keys" --ops "$ops")
o_held=$(cli "$silo_port" dbsize)
o_zipf_rss=$(rss_kb "$silo_pid"); r_zipf_rss=$(rss_kb "$redis_pid")
stop_pair

pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / (a + b) }'; }
ratio() { awk -v a="$1" -v l="$limit" 'BEGIN { printf "%.2f", a * 1024 / l }'; }
{
  echo "# Eviction ($(date -u +%Y-%m-%d), \`bash bench/eviction.sh --limit $limit_mb --keys $keys --ops $ops\`)"
  echo
  echo "Both servers: maxmemory ${limit_mb} MiB, allkeys-lru; redis-server $(redis-server --version | awk '{print $3}' | tr -d 'v='), one silo (default options)."
  echo
  echo "1. Writing $writes new keys of 1000 bytes (3x the limit) with redis-benchmark (-c 50 -P 16); VmRSS sampled every 0.2 s."
  echo
  echo "| server | peak RSS | peak / limit | RSS after | after / limit | evicted | keys held | SET/s |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "| redis-server | $((r_peak / 1024)) MiB | $(ratio "$r_peak")x | $((r_final / 1024)) MiB | $(ratio "$r_final")x | $r_evicted | $r_keys | $r_rps |"
  echo "| one silo | $((o_peak / 1024)) MiB | $(ratio "$o_peak")x | $((o_final / 1024)) MiB | $(ratio "$o_final")x | $o_evicted | $o_keys | $o_rps |"
  echo
  echo "2. Cache-aside (GET, SET on a miss) on $keys keys with Zipf(0.99) popularity, $ops operations counted after 500000 warm-up."
  echo
  echo "| server | hit rate | keys held at the end | RSS at the end |"
  echo "|---|---|---|---|"
  echo "| redis-server | $(pct "$r_hits" "$r_misses") | $r_held | $((r_zipf_rss / 1024)) MiB |"
  echo "| one silo | $(pct "$o_hits" "$o_misses") | $o_held | $((o_zipf_rss / 1024)) MiB |"
} >"$out"
[ "$o_oom" = 0 ] || log "warning: the silo answered OOM during the fill"
cat "$out"
