#!/usr/bin/env bash
# Memory per hash field (issue 12): one silo next to redis-server 7, both loaded with the same
# hashes (HSET through redis-cli --pipe), resident memory (VmRSS) before and after, bytes per
# field and the ratio. Small hashes (Redis keeps them as listpacks, as we keep every hash).
#
# Usage: bash bench/hash-memory.sh [--hashes N] [--fields F] [--out FILE]
#   --hashes N   hashes to load (default 100000)
#   --fields F   fields per hash (default 10); field names 8 bytes, values 16 bytes
#   --out FILE   Markdown results (default bench/results/hash-memory.md)
# Needs redis-server, redis-tools (redis-cli), ss. Servers listen on 127.0.0.1 on free ports and
# are stopped, by PID, when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
hashes=100000
fields=10
out=bench/results/hash-memory.md
while [ $# -gt 0 ]; do
  case "$1" in
    --hashes) hashes="$2"; shift 2 ;;
    --fields) fields="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$hashes" =~ ^[1-9][0-9]*$ && "$fields" =~ ^[1-9][0-9]*$ ]] || { echo "--hashes and --fields need positive numbers" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source bench/lib.sh
need_tools redis-server redis-cli ss dotnet awk
bench_setup hash-memory
mkdir -p "$(dirname "$out")"
build_silo

# The load, in RESP: HSET hash:<i> field:NN <16-byte value> ... (fields per hash).
awk -v h="$hashes" -v f="$fields" 'BEGIN {
  for (i = 0; i < h; i++) {
    key = sprintf("hash:%08d", i)
    printf "*%d\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", 2 + 2 * f, length(key), key
    for (j = 0; j < f; j++) {
      field = sprintf("field:%02d", j % 100); value = sprintf("value-%010d", i * f + j)
      printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(field), field, length(value), value
    }
  }
}' >"$tmp/load.resp"

measure() { # name port pid
  local name=$1 port=$2 pid=$3 before after keys
  sleep 1
  before=$(rss_kb "$pid")
  cli "$port" --pipe <"$tmp/load.resp" >"$tmp/pipe-$name.log" 2>&1 || { cat "$tmp/pipe-$name.log" >&2; die "$name: the load failed"; }
  keys=$(cli "$port" dbsize)
  [ "$keys" = "$hashes" ] || die "$name holds $keys keys after the load, not $hashes"
  [ "$(cli "$port" hlen hash:00000000)" = "$fields" ] || die "$name: hash:00000000 does not have $fields fields"
  sleep 1
  after=$(rss_kb "$pid")
  awk -v b="$before" -v a="$after" -v n="$((hashes * fields))" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }'
  printf '\t%s\t%s\n' "$before" "$after"
}

free_port; redis_port=$REPLY
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$tmp/redis.log" 2>&1 &
pids+=("$!"); redis_pid=$!
free_port; silo_port=$REPLY; free_port; silo_silo_port=$REPLY
dotnet "$dll" --port "$silo_port" --silo-port "$silo_silo_port" --dashboard-port 0 >"$tmp/silo.log" 2>&1 &
pids+=("$!"); silo_pid=$!
wait_pong "$redis_port"
wait_pong "$silo_port"

log "loading $hashes hashes of $fields fields into redis-server"
IFS=$'\t' read -r redis_per redis_before redis_after < <(measure redis "$redis_port" "$redis_pid")
log "loading $hashes hashes of $fields fields into one silo"
IFS=$'\t' read -r ours_per ours_before ours_after < <(measure silo "$silo_port" "$silo_pid")
ratio=$(awk -v o="$ours_per" -v r="$redis_per" 'BEGIN { printf "%.2f", o / r }')
encoding=$(cli "$redis_port" object encoding hash:00000000)

{
  echo "# Memory per hash field ($(date -u +%Y-%m-%d), \`bash bench/hash-memory.sh\`)"
  echo
  echo "$hashes hashes of $fields fields (field 8 bytes, value 16 bytes), loaded with \`redis-cli --pipe\`; VmRSS growth over the load divided by the fields. redis-server $(redis-server --version | awk '{print $3}' | tr -d 'v='), encoding \`$encoding\`; one silo, default options (\`--replicas 1\` has no backup with one silo)."
  echo
  echo "| server | RSS before | RSS after | bytes per field | vs redis-server |"
  echo "|---|---|---|---|---|"
  echo "| redis-server | $((redis_before / 1024)) MiB | $((redis_after / 1024)) MiB | $redis_per | 1.00x |"
  echo "| one silo | $((ours_before / 1024)) MiB | $((ours_after / 1024)) MiB | $ours_per | ${ratio}x |"
} >"$out"
cat "$out"
