#!/usr/bin/env bash
# The price of the backup copy (issue 11): write (and read) throughput and latency of a 3-silo cluster with
# --replicas 1 (every write on its owner and its backup before the reply) next to the same
# cluster with --replicas 0 (one copy), both up at once and measured in alternating rounds, with
# redis-server (one process, no replica) in the same rounds for scale.
#
# Usage: bash bench/replicas.sh [--rounds N] [--quick] [--out FILE]
#   --rounds N   rounds per configuration (default 3)
#   --quick      1 round, fewer requests (under a minute of measuring)
#   --out FILE   Markdown results (default bench/results/replicas.md)
# Needs redis-server and redis-tools (redis-benchmark, redis-cli), ss. Servers listen on
# 127.0.0.1 on free ports and are stopped, by PID, when the script ends, fails or is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=3
quick=0
out=bench/results/replicas.md
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds needs a positive number" >&2; exit 2; }
keyspace=100000; n_p1=60000; n_p16=300000; clients=50; size=100
if [ "$quick" = 1 ]; then rounds=1; n_p1=10000; n_p16=50000; fi
mkdir -p "$(dirname "$out")"

# shellcheck source=bench/lib.sh
source bench/lib.sh
need_tools redis-server redis-cli redis-benchmark ss dotnet
bench_setup replicas

build_silo

# Starts a 3-silo cluster with --replicas R; sets PORTS (gateway ports).
start_cluster() { start_silos 3 "r$1" --replicas "$1"; }

# One redis-benchmark run; prints "rps p50 p99". Args: port pipeline requests clients [test]
bench_once() {
  local csv test=${5:-set}
  csv=$(redis-benchmark -h 127.0.0.1 -p "$1" -t "$test" -c "$4" -r "$keyspace" -n "$3" -d "$size" -P "$2" --csv 2>>"$tmp/benchmark.err" || true)
  awk -F'","' -v t="${test^^}" 'NR > 1 { gsub(/"/, ""); split($0, f, ","); if (f[1] == t) { print f[2], f[5], f[7]; found = 1 } }
    END { if (!found) print "nan nan nan" }' <<<"$csv"
}

results=$tmp/results.tsv
: >"$results"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

log "starting a 3-silo cluster with --replicas 1 and one with --replicas 0"
start_cluster 1; r1=("${PORTS[@]}")
start_cluster 0; r0=("${PORTS[@]}")
free_port; redis_port=$REPLY
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --logfile "" >"$tmp/redis.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do [ "$(cli "$redis_port" PING 2>/dev/null)" = PONG ] && break; sleep 0.1; done
log "backups: $(cli "${r1[0]}" INFO cluster | tr -d '\r' | grep -E '^kv_(replicas|backup_keys|backup_slots_complete):' | tr '\n' ' ')"

spread() { # Args: pipeline requests port1 port2 port3
  local pipeline=$1 requests=$2 i c bp=(); shift 2
  local ports=("$@")
  for i in 0 1 2; do
    c=$((clients / 3)); [ "$i" = 0 ] && c=$((clients - 2 * (clients / 3)))
    bench_once "${ports[$i]}" "$pipeline" $((requests / 3)) "$c" >"$tmp/spread-$i.out" &
    bp+=("$!")
  done
  for i in "${bp[@]}"; do wait "$i"; done
  cat "$tmp"/spread-{0,1,2}.out | awk '{ if ($1 == "nan") bad = 1; r += $1; if ($2 > p50) p50 = $2; if ($3 > p99) p99 = $3 }
    END { if (bad) print "nan nan nan"; else print r, p50, p99 }'
}

for round in $(seq 1 "$rounds"); do
  for pipeline in 1 16; do
    requests=$n_p1; [ "$pipeline" = 16 ] && requests=$n_p16
    record "SET ${size}B P$pipeline one gateway" replicas1 "$round" $(bench_once "${r1[0]}" "$pipeline" "$requests" "$clients")
    record "SET ${size}B P$pipeline one gateway" replicas0 "$round" $(bench_once "${r0[0]}" "$pipeline" "$requests" "$clients")
    record "SET ${size}B P$pipeline one gateway" redis "$round" $(bench_once "$redis_port" "$pipeline" "$requests" "$clients")
    record "SET ${size}B P$pipeline three gateways" replicas1 "$round" $(spread "$pipeline" "$requests" "${r1[@]}")
    record "SET ${size}B P$pipeline three gateways" replicas0 "$round" $(spread "$pipeline" "$requests" "${r0[@]}")
    # Reads: no message to the backup while the read lease holds.
    record "GET ${size}B P$pipeline one gateway" replicas1 "$round" $(bench_once "${r1[0]}" "$pipeline" "$requests" "$clients" get)
    record "GET ${size}B P$pipeline one gateway" replicas0 "$round" $(bench_once "${r0[0]}" "$pipeline" "$requests" "$clients" get)
    log "round $round, pipeline $pipeline done"
  done
done
log "after the runs: $(cli "${r1[0]}" INFO cluster | tr -d '\r' | grep -E '^kv_(writes_replicated|replication_refused):' | tr '\n' ' ')"

# Medians over the rounds; the ratio replicas 1 / replicas 0 (throughput) and the p99s.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stat() { awk -F'\t' -v c="$1" -v s="$2" -v col="$3" '$1 == c && $2 == s { print $col }' "$results" | median; }
{
  echo "# --replicas 1 against --replicas 0 (bench/replicas.sh)"
  echo
  echo "$(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD), $(nproc) cores, ${rounds} rounds (medians), SET and GET of ${size}-byte values over ${keyspace} keys, redis-benchmark -c ${clients}; both 3-silo clusters and redis-server up at once on this machine, measured in alternating rounds."
  echo
  echo "| configuration | replicas 1 rps | replicas 0 rps | 1/0 | p50 ms (1 / 0) | p99 ms (1 / 0) | redis-server rps |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  cut -f1 "$results" | awk '!seen[$0]++' | while read -r cfg; do
    a=$(stat "$cfg" replicas1 4); b=$(stat "$cfg" replicas0 4)
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b + 0 > 0) printf "%.2fx", a / b; else print "nan" }')
    r=$(stat "$cfg" redis 4); [ "$r" = nan ] && r="-"
    printf '| %s | %.0f | %.0f | %s | %s / %s | %s / %s | %s |\n' "$cfg" "$a" "$b" "$ratio" "$(stat "$cfg" replicas1 5)" "$(stat "$cfg" replicas0 5)" "$(stat "$cfg" replicas1 6)" "$(stat "$cfg" replicas0 6)" "$r"
  done
} >"$out"
cat "$out"
