#!/usr/bin/env bash
# Orleans.KeyValue next to redis-server on this machine (issue #6): throughput and latency
# (redis-benchmark, unpinned and pinned), a 3-silo cluster next to one silo, resident memory
# per key, and expiry of 1,000,000 keys. Every figure is a ratio against redis-server measured
# in the same run, because absolute numbers drift on shared machines.
#
# Usage: bash bench/run.sh [--rounds N] [--quick] [--only SECTIONS] [--out FILE]
#   --rounds N     rounds of each throughput configuration, ours and Redis back to back (default 3)
#   --quick        smoke run: 1 round, small -n, 20,000 keys, 3-byte values only (under a minute)
#   --only LIST    comma-separated subset of throughput,pinned,cluster,memory,expiry
#   --old REF      also run the silo built from git REF (default 62b7a2c, the last build before
#                  the move onto Orleans) in the throughput tables, next to this build; "none" skips it
#   --out FILE     Markdown results (default bench/results/latest.md; quick/partial runs:
#                  bench/results/quick.md); the PNG chart goes beside it
# Needs redis-server and redis-tools (redis-benchmark, redis-cli), taskset, ss; gnuplot-nox for
# the chart (installed with apt-get when missing and run as root). Servers listen on 127.0.0.1
# on free ports and are stopped, by PID, when the script ends, fails or is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

rounds=3
quick=0
only="throughput,pinned,cluster,memory,expiry"
out=""
old_ref=62b7a2c
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --old) old_ref="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds needs a positive number" >&2; exit 2; }
full_run=0
if [ "$quick" = 0 ] && [ "$only" = "throughput,pinned,cluster,memory,expiry" ]; then
  full_run=1
fi
if [ -z "$out" ]; then
  if [ "$full_run" = 1 ]; then out=bench/results/latest.md; else out=bench/results/quick.md; fi
fi
chart="${out%.md}.png"
mkdir -p "$(dirname "$out")"

# Sizes. The keyspace is redis-benchmark's: -r N makes keys key:000000000000 .. (16 bytes).
if [ "$quick" = 1 ]; then
  rounds=1; keyspace=20000; n_p1=10000; n_p16=50000; sizes=(3); giveup=3
else
  keyspace=1000000; n_p1=100000; n_p16=500000; sizes=(3 100); giveup=60
fi
clients=50

has() { [[ ",$only," == *",$1,"* ]]; }
now() { printf '%s' "$EPOCHREALTIME"; }

# shellcheck source=bench/lib.sh
source bench/lib.sh
need_tools redis-server redis-cli redis-benchmark taskset ss dotnet
bench_setup bench

# Stops one process we started: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

forget_pid() {
  local keep=() p
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  pids=("${keep[@]+"${keep[@]}"}")
}

stop_server() { stop_pid "$1"; forget_pid "$1"; }

# ---------------------------------------------------------------------------------------------
log "building Release"
dotnet build silo -c Release -nologo -v quiet >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; die "build failed"; }
dll=$root/silo/bin/Release/net10.0/Orleans.KeyValue.Silo.dll
old_dll=""
if [ "$old_ref" != none ] && { has throughput || has pinned; }; then
  # The previous build from its own source tree (git archive: no worktree left behind).
  log "building the previous build ($old_ref) for comparison"
  git cat-file -e "$old_ref^{commit}" 2>/dev/null || die "--old $old_ref is not a commit of this repository"
  mkdir -p "$tmp/old"
  git archive "$old_ref" | tar -x -C "$tmp/old"
  dotnet build "$tmp/old/silo" -c Release -nologo -v quiet >"$tmp/build-old.log" 2>&1 || { tail -20 "$tmp/build-old.log" >&2; die "build of $old_ref failed"; }
  old_dll=$tmp/old/silo/bin/Release/net10.0/Orleans.KeyValue.Silo.dll
fi

# Starts one of our silos; sets PID. Args: gateway-port silo-port cpu-or-empty [seed-silo-port] [dll]
start_ours() {
  local port=$1 silo_port=$2 cpu=$3 seed=${4:-} silo_dll=${5:-$dll}
  local cmd=(dotnet "$silo_dll" --port "$port" --silo-port "$silo_port" --dashboard-port 0 --silo-name "bench-$port")
  [ -n "$seed" ] && cmd+=(--seeds "127.0.0.1:$seed")
  [ -n "$cpu" ] && cmd=(taskset -c "$cpu" "${cmd[@]}")
  "${cmd[@]}" >"$tmp/ours-$port.log" 2>&1 &
  PID=$!
  pids+=("$PID")
}

# Starts redis-server without persistence; sets PID. Args: port cpu-or-empty
start_redis() {
  local port=$1 cpu=$2
  local cmd=(redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --logfile "")
  [ -n "$cpu" ] && cmd=(taskset -c "$cpu" "${cmd[@]}")
  "${cmd[@]}" >"$tmp/redis-$port.log" 2>&1 &
  PID=$!
  pids+=("$PID")
}

# Waits until a server answers; ours also until N silos are active and no slot waits for a
# hand-over. Args: port pid [active-silos]
wait_ready() {
  local port=$1 pid=$2 silos=${3:-} info
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || die "server on port $port exited (log: $(tail -5 "$tmp"/*-"$port".log 2>/dev/null))"
    if [ -z "$silos" ]; then
      [ "$(cli "$port" PING 2>/dev/null)" = "PONG" ] && return 0
    else
      info=$(cli "$port" INFO cluster 2>/dev/null | tr -d '\r' || true)
      if grep -qx "kv_silos_active:$silos" <<<"$info" && grep -qx "kv_serving:1" <<<"$info" && grep -qx "kv_slots_waiting:0" <<<"$info"; then
        return 0
      fi
    fi
    sleep 0.2
  done
  die "server on port $port not ready after 60 s"
}

# The RESP file that SETs every key of the keyspace to a value of SIZE bytes [with PX ms].
resp_file() {
  local size=$1 px=${2:-} file="$tmp/load-$1${2:+-px$2}.resp"
  if [ ! -f "$file" ]; then
    awk -v n="$keyspace" -v d="$size" -v px="$px" 'BEGIN {
      v = sprintf("%" d "s", ""); gsub(/ /, "x", v)
      for (i = 0; i < n; i++) {
        if (px == "") printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$%d\r\n%s\r\n", i, d, v
        else printf "*5\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$%d\r\n%s\r\n$2\r\nPX\r\n$%d\r\n%s\r\n", i, d, v, length(px), px
      }
    }' >"$file"
  fi
  printf '%s' "$file"
}

# Loads a RESP file through redis-cli --pipe and checks that no command failed.
load_pipe() {
  local port=$1 file=$2
  cli "$port" --pipe <"$file" >"$tmp/pipe.log" 2>&1 || die "redis-cli --pipe to $port failed: $(tail -3 "$tmp/pipe.log")"
  grep -q "errors: 0," "$tmp/pipe.log" || die "redis-cli --pipe to $port had errors: $(tail -3 "$tmp/pipe.log")"
}

results=$tmp/results.tsv
: >"$results"

# One redis-benchmark run; prints "rps p50 p99" (or "nan nan nan" on failure).
# Args: port test size pipeline requests clients cpu-or-empty
bench_once() {
  local port=$1 test=$2 size=$3 pipeline=$4 requests=$5 c=$6 cpu=$7
  local cmd=(redis-benchmark -h 127.0.0.1 -p "$port" -t "$test" -c "$c" -r "$keyspace" -n "$requests" -d "$size" -P "$pipeline" --csv)
  [ -n "$cpu" ] && cmd=(taskset -c "$cpu" "${cmd[@]}")
  local csv
  csv=$("${cmd[@]}" 2>>"$tmp/benchmark.err" || true)
  # Redis 7's --csv: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  awk -F'","' -v t="${test^^}" 'NR > 1 { gsub(/"/, ""); split($0, f, ","); if (f[1] == t) { print f[2], f[5], f[7]; found = 1 } }
    END { if (!found) print "nan nan nan" }' <<<"$csv"
}

record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

# ---------------------------------------------------------------------------------------------
# Throughput: SET and GET, 3 and 100-byte values, pipeline 1 and 16, ours then Redis per round.
throughput_table() {
  local section=$1 server_cpu=$2 bench_cpu=$3
  free_port; local ours_port=$REPLY; free_port; local ours_silo=$REPLY; free_port; local redis_port=$REPLY
  start_ours "$ours_port" "$ours_silo" "$server_cpu"; local ours_pid=$PID
  start_redis "$redis_port" "$server_cpu"; local redis_pid=$PID
  wait_ready "$ours_port" "$ours_pid" 1
  wait_ready "$redis_port" "$redis_pid"
  local old_port="" old_pid=""
  if [ -n "$old_dll" ]; then
    free_port; old_port=$REPLY; free_port
    start_ours "$old_port" "$REPLY" "$server_cpu" "" "$old_dll"; old_pid=$PID
    wait_ready "$old_port" "$old_pid" 1
  fi
  local size round test pipeline requests line
  for size in "${sizes[@]}"; do
    # GET reads the whole keyspace, so every GET hits a value of this size.
    log "$section: loading $keyspace keys of $size bytes into both servers"
    load_pipe "$ours_port" "$(resp_file "$size")"
    load_pipe "$redis_port" "$(resp_file "$size")"
    [ -n "$old_port" ] && load_pipe "$old_port" "$(resp_file "$size")"
    for round in $(seq 1 "$rounds"); do
      for pipeline in 1 16; do
        requests=$n_p1; [ "$pipeline" = 16 ] && requests=$n_p16
        for test in set get; do
          line=$(bench_once "$ours_port" "$test" "$size" "$pipeline" "$requests" "$clients" "$bench_cpu")
          record "$section" "${test^^} ${size}B P$pipeline" ours "$round" $line
          line=$(bench_once "$redis_port" "$test" "$size" "$pipeline" "$requests" "$clients" "$bench_cpu")
          record "$section" "${test^^} ${size}B P$pipeline" redis "$round" $line
          if [ -n "$old_port" ]; then
            line=$(bench_once "$old_port" "$test" "$size" "$pipeline" "$requests" "$clients" "$bench_cpu")
            record "$section" "${test^^} ${size}B P$pipeline" old "$round" $line
          fi
          log "$section round $round: ${test^^} ${size}B P$pipeline done"
        done
      done
    done
  done
  stop_server "$ours_pid"
  stop_server "$redis_pid"
  [ -n "$old_pid" ] && stop_server "$old_pid"
  return 0
}

if has throughput; then
  log "throughput, unpinned (server and benchmark float over both cores)"
  throughput_table unpinned "" ""
fi
if has pinned; then
  log "throughput, pinned (server on CPU 0, redis-benchmark on CPU 1)"
  throughput_table pinned 0 1
fi

# ---------------------------------------------------------------------------------------------
# Cluster: a 3-silo cluster on this machine next to one silo, SET/GET at pipeline 1.
if has cluster; then
  log "cluster: one silo and a 3-silo cluster (unpinned)"
  free_port; single_port=$REPLY; free_port; single_silo=$REPLY
  start_ours "$single_port" "$single_silo" ""; single_pid=$PID
  wait_ready "$single_port" "$single_pid" 1
  cluster_ports=(); cluster_pids=()
  free_port; seed_silo=$REPLY
  for n in 1 2 3; do
    free_port; port=$REPLY
    if [ "$n" = 1 ]; then silo_port=$seed_silo; start_ours "$port" "$silo_port" ""
    else free_port; silo_port=$REPLY; start_ours "$port" "$silo_port" "" "$seed_silo"; fi
    cluster_ports+=("$port"); cluster_pids+=("$PID")
    for i in $(seq 0 $((n - 1))); do wait_ready "${cluster_ports[$i]}" "${cluster_pids[$i]}" "$n"; done
  done
  log "cluster: loading $keyspace keys of 3 bytes into the single silo and (through silo 1) the cluster"
  load_pipe "$single_port" "$(resp_file 3)"
  load_pipe "${cluster_ports[0]}" "$(resp_file 3)"
  for round in $(seq 1 "$rounds"); do
    for test in set get; do
      cfg="${test^^} 3B P1"
      line=$(bench_once "$single_port" "$test" 3 1 "$n_p1" "$clients" "")
      record cluster "$cfg" single "$round" $line
      line=$(bench_once "${cluster_ports[0]}" "$test" 3 1 "$n_p1" "$clients" "")
      record cluster "$cfg" one-gateway "$round" $line
      # Spread: three redis-benchmark processes at once, one per gateway, 50/3 clients each.
      spread_pids=()
      for i in 0 1 2; do
        c=$((clients / 3)); [ "$i" = 0 ] && c=$((clients - 2 * (clients / 3)))
        bench_once "${cluster_ports[$i]}" "$test" 3 1 $((n_p1 / 3)) "$c" "" >"$tmp/spread-$i.out" &
        spread_pids+=("$!")
      done
      for p in "${spread_pids[@]}"; do wait "$p"; done
      # Sum of rps; latency: the worst of the three.
      line=$(cat "$tmp"/spread-{0,1,2}.out | awk '{ if ($1 == "nan") bad = 1; r += $1; if ($2 > p50) p50 = $2; if ($3 > p99) p99 = $3 }
        END { if (bad) print "nan nan nan"; else print r, p50, p99 }')
      record cluster "$cfg" spread "$round" $line
      log "cluster round $round: $cfg done"
    done
  done
  # A benchmark cluster: kill it rather than wait for clean hand-overs of 1,000,000 keys.
  for p in "${cluster_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; forget_pid "$p"; done
  stop_server "$single_pid"
fi

# Starts a fresh server ("ours" or "redis") on free ports and loads a RESP file into it through
# redis-cli --pipe. Sets: port, pid, before (VmRSS in kB before the load), t0 and t1 (load start/end).
start_and_load() {
  local server=$1 file=$2
  free_port; port=$REPLY
  if [ "$server" = ours ]; then free_port; start_ours "$port" "$REPLY" ""; wait_ready "$port" "$PID" 1
  else start_redis "$port" ""; wait_ready "$port" "$PID"; fi
  pid=$PID
  sleep 1
  before=$(rss_kb "$pid")
  # The peak while loading: VmRSS sampled every 50 ms until the load ends.
  rm -f "$tmp/load-done"; echo "$before" >"$tmp/peak"
  ( p=$before
    while [ ! -f "$tmp/load-done" ] && kill -0 "$pid" 2>/dev/null; do
      r=$(rss_kb "$pid" 2>/dev/null || echo 0); [ "${r:-0}" -gt "$p" ] && { p=$r; echo "$p" >"$tmp/peak"; }
      sleep 0.05
    done ) &
  local sampler=$!
  t0=$(now); load_pipe "$port" "$file"; t1=$(now)
  touch "$tmp/load-done"; wait "$sampler" 2>/dev/null || true
  peak_load=$(cat "$tmp/peak")
}

# ---------------------------------------------------------------------------------------------
# Memory: resident set growth per key, keyspace keys of 100-byte values (16-byte keys).
mem_lines=()
if has memory; then
  mem_file=$(resp_file 100)
  for server in ours redis; do
    log "memory: loading $keyspace keys of 100 bytes into $server"
    start_and_load "$server" "$mem_file"
    keys=$(cli "$port" DBSIZE)
    [ "$keys" = "$keyspace" ] || die "memory: $server holds $keys keys after the load, not $keyspace"
    sleep 1
    after=$(rss_kb "$pid")
    purged=""
    if [ "$server" = ours ]; then
      cli "$port" MEMORY PURGE >/dev/null
      sleep 1
      purged=$(rss_kb "$pid")
    fi
    mem_lines+=("$server $before $after ${purged:-nan} $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') $peak_load")
    stop_server "$pid"
  done
fi

# ---------------------------------------------------------------------------------------------
# Expiry: keyspace keys of 100 bytes with PX 2000, nobody touching them; DBSIZE and RSS every
# 100 ms. The last deadline is at most 2 s after the last reply of the load.
exp_lines=()
if has expiry; then
  exp_file=$(resp_file 100 2000)
  for server in ours redis; do
    log "expiry: loading $keyspace keys with PX 2000 into $server"
    start_and_load "$server" "$exp_file"
    deadline=$(awk -v t="$t1" 'BEGIN { printf "%.6f", t + 2 }')
    peak=$before; t_empty=nan; t_rss=nan; last_rss=$before; last_keys=nan
    # Poll through one connection (no process per poll); RSS straight from /proc.
    exec {db}<>"/dev/tcp/127.0.0.1/$port"
    while :; do
      printf 'DBSIZE\r\n' >&"$db"
      IFS= read -r -t 5 reply <&"$db" || reply=":nan"
      last_keys=${reply//[$':\r']/}
      t=$(now); last_rss=$(rss_kb "$pid")
      [ "$last_rss" -gt "$peak" ] && peak=$last_rss
      since=$(awk -v t="$t" -v d="$deadline" 'BEGIN { printf "%.1f", t - d }')
      if [ "$t_empty" = nan ] && [ "$last_keys" = 0 ]; then t_empty=$since; fi
      if [ "$t_rss" = nan ] && [ "$last_keys" = 0 ] && [ "$last_rss" -le $((before * 11 / 10)) ]; then t_rss=$since; fi
      [ "$t_empty" != nan ] && [ "$t_rss" != nan ] && break
      awk -v s="$since" -v g="$giveup" 'BEGIN { exit !(s > g) }' && break
      sleep 0.1
    done
    exec {db}>&-
    purged=nan; t_purge=nan
    if [ "$server" = ours ]; then
      # RSS only shrinks after a collection: the same figure after a MEMORY PURGE at the end.
      t_purge=$(awk -v t="$(now)" -v d="$deadline" 'BEGIN { printf "%.1f", t - d }')
      cli "$port" MEMORY PURGE >/dev/null
      sleep 0.5
      purged=$(rss_kb "$pid")
    fi
    load_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    exp_lines+=("$server $before $peak $last_rss $last_keys $t_empty $t_rss $purged $t_purge $load_s")
    stop_server "$pid"
  done
fi

# ---------------------------------------------------------------------------------------------
# Report.
log "writing $out"
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem_gib=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
redis_version=$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')
dotnet_runtime=$(dotnet --list-runtimes | awk '/^Microsoft.NETCore.App/ { v = $2 } END { print v }')
dotnet_sdk=$(dotnet --version)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src silo 2>/dev/null || commit="$commit (with local changes)"

# Per (section, config): medians of ours and the reference, and the median of the per-round
# ratios (back-to-back pairs). Output: config ours_rps ref_rps ratio ours_p50 ref_p50 ours_p99 ref_p99 p99_ratio
summarize() {
  local section=$1 a=$2 b=$3
  awk -F'\t' -v s="$section" -v A="$a" -v B="$b" '
    function median(list,   n, v, i, j, t) {
      n = split(list, v, " ")
      if (n == 0) return "nan"
      for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    $1 == s && !($2 in seen) { seen[$2] = 1; order[++count] = $2 }
    $1 == s && $5 != "nan" { key = $2 SUBSEP $3 SUBSEP $4; rps[key] = $5; p50[key] = $6; p99[key] = $7; rounds[$4] = 1 }
    END {
      for (c = 1; c <= count; c++) {
        cfg = order[c]; ra = rb = ""; la = lb = ""; qa = qb = ""; rr = ""; pr = ""
        for (r in rounds) {
          ka = cfg SUBSEP A SUBSEP r; kb = cfg SUBSEP B SUBSEP r
          if (ka in rps) { ra = ra " " rps[ka]; la = la " " p50[ka]; qa = qa " " p99[ka] }
          if (kb in rps) { rb = rb " " rps[kb]; lb = lb " " p50[kb]; qb = qb " " p99[kb] }
          if ((ka in rps) && (kb in rps) && rps[kb] > 0) { rr = rr " " rps[ka] / rps[kb]; if (p99[kb] > 0) pr = pr " " p99[ka] / p99[kb] }
        }
        print cfg "\t" median(ra) "\t" median(rb) "\t" median(rr) "\t" median(la) "\t" median(lb) "\t" median(qa) "\t" median(qb) "\t" median(pr)
      }
    }' "$results"
}

kops() { awk -v v="$1" 'BEGIN { if (v == "nan") print "n/a"; else printf "%.1fk", v / 1000 }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "nan") print "n/a"; else printf f, v }'; }
mib() { awk -v v="$1" 'BEGIN { if (v == "nan") print "n/a"; else printf "%.0f MiB", v / 1024 }'; }
secs() { if [ "$1" = nan ]; then printf 'not within %s s' "$giveup"; else printf '%s s' "$1"; fi; }

throughput_md() {
  local section=$1
  echo "| configuration | ours ops/s | Redis ops/s | **ours/Redis** | p50 ms ours / Redis | p99 ms ours / Redis | p99 ours/Redis |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  summarize "$section" ours redis | while IFS=$'\t' read -r cfg o r ratio lo lr qo qr pr; do
    echo "| $cfg | $(kops "$o") | $(kops "$r") | **$(fmt "$ratio" %.2fx)** | $(fmt "$lo" %.3f) / $(fmt "$lr" %.3f) | $(fmt "$qo" %.3f) / $(fmt "$qr" %.3f) | $(fmt "$pr" %.1fx) |"
  done
}

# This build next to the previous one (--old), per configuration.
old_md() {
  local section=$1
  echo "This build next to the previous one ($old_ref), same rounds (A B C A B C with Redis):"
  echo
  echo "| configuration | this build ops/s | $old_ref ops/s | **this/previous** | p99 ms this / previous |"
  echo "|---|---:|---:|---:|---:|"
  summarize "$section" ours old | while IFS=$'\t' read -r cfg o r ratio _ _ qo qr _; do
    echo "| $cfg | $(kops "$o") | $(kops "$r") | **$(fmt "$ratio" %.2fx)** | $(fmt "$qo" %.3f) / $(fmt "$qr" %.3f) |"
  done
}

# Geometric mean and lowest of this/previous over the given sections' configurations.
old_summary() {
  local s
  for s in "$@"; do summarize "$s" ours old; done | awk -F'\t' '$4 != "nan" && $4 > 0 { g += log($4); n++; if (n == 1 || $4 < lo) lo = $4 }
    END { if (n) printf "%.2f %.2f", exp(g / n), lo; else print "nan nan" }'
}

geomean() {
  summarize "$1" ours redis | awk -F'\t' '$4 != "nan" && $4 > 0 { s += log($4); n++ } END { if (n) printf "%.2f", exp(s / n); else print "nan" }'
}

# Ratio range "min-max" of column 4 (or 9) over configurations matching a pattern.
ratio_range() {
  summarize "$1" ours redis | awk -F'\t' -v pat="$2" -v col="${3:-4}" '$1 ~ pat && $col != "nan" { v = $col + 0; if (n == 0 || v < lo) lo = v; if (n == 0 || v > hi) hi = v; n++ }
    END { if (n) printf "%.2f %.2f", lo, hi; else print "nan nan" }'
}

targets=()
target() { targets+=("| $1 | $2 | $3 |"); }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "nan") print "n/a"; else if ((op == ">=" && v >= t) || (op == "<=" && v <= t)) print "met"; else print "**not met**" }'; }

sec=$tmp/sections
mkdir -p "$sec"
if has throughput; then
  {
    echo "### Throughput, unpinned (server and redis-benchmark float over both cores)"
    echo
    throughput_md unpinned
    echo
    [ -n "$old_dll" ] && { old_md unpinned; echo; }
    read -r lo hi <<<"$(ratio_range unpinned ' P1$')"
    target "unpinned SET/GET pipeline 1 >= 1.0x Redis" "${lo}x-${hi}x" "$(verdict "$lo" '>=' 1.0)"
    read -r lo hi <<<"$(ratio_range unpinned ' P16$')"
    target "unpinned SET/GET pipeline 16 >= 1.4x Redis" "${lo}x-${hi}x" "$(verdict "$lo" '>=' 1.4)"
  } >"$sec/1-unpinned.md"
fi
if has pinned; then
  gm=$(geomean pinned)
  {
    echo "### Throughput, pinned (server on CPU 0, redis-benchmark on CPU 1, taskset)"
    echo
    throughput_md pinned
    echo
    echo "Geometric mean of the pinned ours/Redis ratios: **${gm}x**."
    echo
    [ -n "$old_dll" ] && { old_md pinned; echo; }
    target "pinned geometric mean >= 0.8x Redis" "${gm}x" "$(verdict "$gm" '>=' 0.8)"
    read -r lo hi <<<"$(ratio_range pinned ' P1$' 9)"
    target "pinned p99 at pipeline 1 <= 2x Redis's" "${lo}x-${hi}x" "$(verdict "$hi" '<=' 2.0)"
  } >"$sec/2-pinned.md"
fi
if has cluster; then
  {
    echo "### Cluster: 3 silos of ours on this machine next to one silo (unpinned, 3-byte values, pipeline 1)"
    echo
    echo "One gateway: one redis-benchmark with $clients clients against silo 1. Spread: three redis-benchmark"
    echo "processes at once, one per silo, $clients clients in all; ops/s summed, latency the worst of the three."
    echo
    echo "| configuration | one silo ops/s | 3 silos, one gateway | ratio | 3 silos, spread | ratio | p99 ms one silo / one gateway / spread |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    one=$(summarize cluster one-gateway single)
    spread=$(summarize cluster spread single)
    join -t $'\t' <(sort <<<"$one") <(sort <<<"$spread") | sort -r | while IFS=$'\t' read -r cfg o s ratio _ _ qo qs _ so s2 ratio2 _ _ qso _ _; do
      echo "| $cfg | $(kops "$s") | $(kops "$o") | **$(fmt "$ratio" %.2fx)** | $(kops "$so") | **$(fmt "$ratio2" %.2fx)** | $(fmt "$qs" %.3f) / $(fmt "$qo" %.3f) / $(fmt "$qso" %.3f) |"
    done
    echo
    low=$( { summarize cluster one-gateway single; summarize cluster spread single; } | awk -F'\t' '$4 != "nan" { v = $4 + 0; if (n == 0 || v < m) m = v; n++ } END { if (n) printf "%.2f", m; else print "nan" }')
    target "3-silo cluster >= 0.6x one silo" "lowest ${low}x" "$(verdict "$low" '>=' 0.6)"
  } >"$sec/3-cluster.md"
fi
if has memory && [ ${#mem_lines[@]} = 2 ]; then
  {
    read -r _ ob oa op ot opk <<<"${mem_lines[0]}"
    read -r _ rb ra _ rt rpk <<<"${mem_lines[1]}"
    per() { awk -v a="$1" -v b="$2" -v n="$keyspace" 'BEGIN { if (a == "nan") print "nan"; else printf "%.0f", (a - b) * 1024 / n }'; }
    ours_loaded=$(per "$oa" "$ob"); ours_purged=$(per "$op" "$ob"); redis_per=$(per "$ra" "$rb")
    ratio_loaded=$(awk -v a="$ours_loaded" -v b="$redis_per" 'BEGIN { printf "%.2f", a / b }')
    ratio_purged=$(awk -v a="$ours_purged" -v b="$redis_per" 'BEGIN { printf "%.2f", a / b }')
    echo "### Memory: resident set growth with $keyspace keys (16-byte keys, 100-byte values)"
    echo
    echo "VmRSS from /proc before and after \`redis-cli --pipe\` of the keys (1 s after the load)."
    echo
    echo "| | ours | Redis | ours/Redis |"
    echo "|---|---:|---:|---:|"
    echo "| RSS before | $(mib "$ob") | $(mib "$rb") | |"
    echo "| RSS peak while loading (sampled every 50 ms) | $(mib "$opk") | $(mib "$rpk") | $(awk -v a="$opk" -v b="$ob" -v c="$rpk" -v d="$rb" 'BEGIN { printf "%.2fx growth", (a - b) / (c - d) }') |"
    echo "| RSS after the load | $(mib "$oa") | $(mib "$ra") | |"
    echo "| RSS after MEMORY PURGE (ours: compacting full GC) | $(mib "$op") | | |"
    echo "| **bytes per key**, as loaded | **$ours_loaded** | **$redis_per** | **${ratio_loaded}x** |"
    echo "| **bytes per key**, ours after MEMORY PURGE | **$ours_purged** | **$redis_per** | **${ratio_purged}x** |"
    echo "| load time ($keyspace keys, --pipe) | $ot s | $rt s | |"
    echo
    target "memory per key <= 1.3x Redis's after MEMORY PURGE" "${ratio_loaded}x as loaded, ${ratio_purged}x after MEMORY PURGE ($ours_loaded / $ours_purged vs $redis_per bytes)" "$(verdict "$ratio_purged" '<=' 1.3)"
  } >"$sec/4-memory.md"
fi
if has expiry && [ ${#exp_lines[@]} = 2 ]; then
  {
    read -r _ ob opk ol okeys oe orss opurged otpurge oload <<<"${exp_lines[0]}"
    read -r _ rb rpk rl rkeys re rrss _ _ rload <<<"${exp_lines[1]}"
    echo "### Expiry: $keyspace keys (100-byte values) set with PX 2000, nobody touching them"
    echo
    echo "DBSIZE and VmRSS polled every 100 ms. Times count from the last deadline (2 s after the"
    echo "load's last reply); give-up after $giveup s. \"RSS back\" means within 10% of the RSS before the load."
    echo
    echo "| | ours | Redis |"
    echo "|---|---:|---:|"
    echo "| load time (--pipe) | $oload s | $rload s |"
    echo "| RSS before the load / peak | $(mib "$ob") / $(mib "$opk") | $(mib "$rb") / $(mib "$rpk") |"
    echo "| **DBSIZE 0** after the last deadline | **$(secs "$oe")** | **$(secs "$re")** |"
    echo "| **RSS back**, no MEMORY PURGE | **$(secs "$orss")** | **$(secs "$rrss")** |"
    echo "| RSS at the end of the polling, no MEMORY PURGE | $(mib "$ol") (DBSIZE $okeys) | $(mib "$rl") (DBSIZE $rkeys) |"
    echo "| ours: RSS after a MEMORY PURGE at +$otpurge s | $(mib "$opurged") ($(awk -v a="$opurged" -v b="$ob" 'BEGIN { printf "%.0f%%", 100 * a / b }') of before) | |"
    echo
    target "expiry: all $keyspace keys gone within 1 s of the last deadline" "ours $(secs "$oe"), Redis $(secs "$re")" "$(verdict "${oe/nan/999}" '<=' 1.0)"
    target "expiry: RSS back near empty within 10 s" "ours $(secs "$orss") (after MEMORY PURGE: $(mib "$opurged") vs $(mib "$ob") before), Redis $(secs "$rrss")" "$(verdict "${orss/nan/999}" '<=' 10)"
  } >"$sec/5-expiry.md"
fi
if [ -n "$old_dll" ]; then
  read -r old_gm old_lo <<<"$(old_summary $(has throughput && echo unpinned) $(has pinned && echo pinned))"
  target "this build / previous ($old_ref): geometric mean over the single-silo configurations >= 0.85" "${old_gm}x" "$(verdict "$old_gm" '>=' 0.85)"
  target "this build / previous ($old_ref): no configuration below 0.7x" "lowest ${old_lo}x" "$(verdict "$old_lo" '>=' 0.7)"
fi
if [ ${#targets[@]} -gt 0 ]; then
  {
    echo "### Targets in this run (issues 6 and 10)"
    echo
    echo "| target | measured | |"
    echo "|---|---|---|"
    printf '%s\n' "${targets[@]}"
    echo "| zero allocations per command on the local SET/GET hot path | see the micro-benchmarks (bench/micro.sh) | |"
    echo
  } >"$sec/6-targets.md"
fi

header=$tmp/header.md
{
  echo "_Run $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($cpu_model), $mem_gib GiB; redis-server $redis_version;"
  echo ".NET $dotnet_runtime (SDK $dotnet_sdk); commit $commit; $rounds round(s), redis-benchmark -c $clients -r $keyspace,"
  echo "-n $n_p1 at pipeline 1 and $n_p16 at pipeline 16. This machine is shared and noisy: differences under"
  echo "10-15% are noise._"
  echo
  echo "Each configuration runs against our silo and then against \`redis-server --save \"\" --appendonly no\`,"
  echo "round after round (A B A B); the tables show medians, and ours/Redis is the median of the per-round"
  echo "ratios. Before the runs of each value size both servers get every key of the keyspace with that"
  echo "value size, so every GET hits."
  echo
} >"$header"

{
  echo "# Orleans.KeyValue vs redis-server: benchmark results"
  echo
  echo "Made by \`bash bench/run.sh\`$([ "$quick" = 1 ] && echo " --quick")$([ "$rounds" != 3 ] && [ "$quick" = 0 ] && echo " --rounds $rounds"); see the README's Benchmarks section."
  echo
  cat "$header" "$sec"/*.md
  if [ -f bench/results/micro.md ] && [ "$full_run" = 1 ]; then
    echo "<!-- micro:begin -->"
    cat bench/results/micro.md
    echo "<!-- micro:end -->"
  fi
} >"$out"

# The chart: ours/Redis per configuration, unpinned and pinned side by side, then the cluster
# (3 silos / one silo) and memory per key (ours / Redis).
if ! command -v gnuplot >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "installing gnuplot-nox for the chart"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >"$tmp/apt.log" 2>&1 || true
fi
if command -v gnuplot >/dev/null; then
  # One line per bar: series (1 unpinned, 2 pinned, 3 cluster, 4 memory), group, value.
  bars=$tmp/bars.tsv
  {
    summarize unpinned ours redis | awk -F'\t' '{ print 1 "\t" $1 "\t" $4 }'
    summarize pinned ours redis | awk -F'\t' '{ print 2 "\t" $1 "\t" $4 }'
    summarize cluster one-gateway single | awk -F'\t' '{ print 3 "\t" "cluster 1 gw " $1 "\t" $4 }'
    summarize cluster spread single | awk -F'\t' '{ print 3 "\t" "cluster spread " $1 "\t" $4 }'
    if [ -n "${ratio_purged:-}" ]; then printf '4\tmemory per key\t%s\n' "$ratio_purged"; fi
  } >"$bars"
  # Bar positions: groups in order of appearance; unpinned and pinned side by side in a group.
  dat=$tmp/chart.dat
  xtics=$(awk -F'\t' -v dat="$dat" '
    $3 == "nan" { next }
    !($2 in group) { group[$2] = ++n; label[n] = $2 }
    { x = group[$2] + ($1 == 1 ? -0.2 : $1 == 2 ? 0.2 : 0); printf "%s\t%s\t%s\n", x, $3, $1 > dat }
    END { for (i = 1; i <= n; i++) printf "%s\"%s\" %d", (i > 1 ? ", " : ""), label[i], i }' "$bars")
  gnuplot <<EOF 2>"$tmp/gnuplot.err" || log "warning: gnuplot failed: $(head -3 "$tmp/gnuplot.err")"
set terminal pngcairo size 1280,640 font "DejaVu Sans,10"
set output "$chart"
set title "Orleans.KeyValue / redis-server, $(date -u +%Y-%m-%d), medians of $rounds round(s), $(nproc) cores\n(ops/s ours/Redis: higher is better; cluster: 3 silos / one silo; memory per key ours/Redis: lower is better)"
set datafile separator "\t"
set style fill solid 0.85 border -1
set boxwidth 0.38
set xrange [0.3:*]
set yrange [0:*]
set offsets 0, 0.7, 0.3, 0
set ylabel "ratio"
set xtics ($xtics) rotate by -35 scale 0
set grid ytics
set key at screen 0.5, 0.035 center center horizontal maxrows 2
set bmargin 10
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb "black"
plot "$dat" using 1:(\$3 == 1 ? \$2 : 1/0) with boxes title "ops/s, unpinned" lc rgb "#4472c4", \\
     "" using 1:(\$3 == 2 ? \$2 : 1/0) with boxes title "ops/s, pinned (server CPU 0, benchmark CPU 1)" lc rgb "#ed7d31", \\
     "" using 1:(\$3 == 3 ? \$2 : 1/0) with boxes title "3-silo cluster ops/s / one silo" lc rgb "#70ad47", \\
     "" using 1:(\$3 == 4 ? \$2 : 1/0) with boxes title "memory per key after MEMORY PURGE" lc rgb "#a5a5a5", \\
     "" using 1:2:(sprintf("%.2f", \$2)) with labels offset 0, 0.7 font ",8" notitle
EOF
else
  log "warning: gnuplot is not installed (apt-get install -y gnuplot-nox): no chart"
fi

# The README shows the latest full run.
if [ "$full_run" = 1 ] && grep -q '<!-- bench:begin -->' README.md; then
  readme_block=$tmp/readme.md
  {
    echo "<!-- bench:begin -->"
    cat "$header" "$sec/1-unpinned.md" "$sec/2-pinned.md" "$sec/6-targets.md"
    echo "Cluster, memory and expiry details and the micro-benchmarks: [bench/results/latest.md](bench/results/latest.md)."
    echo "<!-- bench:end -->"
  } >"$readme_block"
  awk -v block="$readme_block" '
    /<!-- bench:begin -->/ { while ((getline line < block) > 0) print line; skip = 1; next }
    /<!-- bench:end -->/ { skip = 0; next }
    !skip { print }' README.md >"$tmp/README.md" && cat "$tmp/README.md" >README.md
fi

cat "$out"
log "results: $out, chart: $chart"
