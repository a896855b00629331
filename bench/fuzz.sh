#!/usr/bin/env bash
# RESP fuzzing at scale (issue 13, part 5): random and mutated RESP inputs (bench/fuzz.py) at one
# silo and at a 3-silo cluster, from a Release build. Reports, per topology: crashes (silo
# processes gone), hangs (an input neither answered nor closed within the deadline, or a PING on
# a fresh connection after the run unanswered), internal-error replies (our gateway's text for an
# unexpected exception, "ERR internal error: ...", and error texts redis-server does not give
# for the same bytes), connections left open (server side, after the fuzzer closed its own: ss
# and INFO clients), and the silos' RSS before, peak and after (VmRSS).
#
# Usage: bash bench/fuzz.sh [--inputs N] [--seed S] [--quick] [--single-only|--cluster-only]
#   --inputs N      inputs per topology (default 1000000)
#   --seed S        random seed (default 1); the same seed makes the same inputs (their order
#                   across workers and the silos' timing vary)
#   --quick         20,000 inputs per topology (a trial run)
#   --workers W     fuzzer processes, one connection at a time each (default 6)
#   --deadline S    seconds an input may wait for its reply or the close (default 10)
#   --single-only   only one silo;  --cluster-only   only the 3-silo cluster
#   --out FILE      Markdown results (default bench/results/fuzz.md; --quick: fuzz-quick.md)
# Exits non-zero if any crash, hang, internal-error reply or open connection was counted. The
# bytes of each failure (a repro: send them on one connection) go to bench/results/fuzz-failures/.
# The silos run with --client-query-buffer-limit 4mb so the fuzzer can pass that limit cheaply.
# Needs redis-server and redis-tools (a redis-server replays unknown error texts), ss, python3.
# Servers listen on 127.0.0.1 on free ports and are stopped, by PID, when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."

inputs=1000000
seed=1
quick=0
workers=6
deadline=10
topologies="single cluster"
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --inputs) inputs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --quick) quick=1; inputs=20000; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --deadline) deadline="$2"; shift 2 ;;
    --single-only) topologies="single"; shift ;;
    --cluster-only) topologies="cluster"; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$inputs" =~ ^[1-9][0-9]*$ && "$seed" =~ ^[0-9]+$ && "$workers" =~ ^[1-9][0-9]*$ ]] \
  || { echo "--inputs and --workers need positive numbers, --seed a number" >&2; exit 2; }
[ -n "$out" ] || { [ "$quick" = 1 ] && out=bench/results/fuzz-quick.md || out=bench/results/fuzz.md; }
mkdir -p "$(dirname "$out")"
failures=bench/results/fuzz-failures
query_buffer_limit=$((4 * 1024 * 1024))

# shellcheck source=bench/lib.sh
source bench/lib.sh
need_tools redis-server redis-cli ss dotnet python3
bench_setup fuzz
build_silo
rm -rf "$failures"

# Stops one process we started: SIGTERM (a clean leave), then SIGKILL after 20 s.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# The reference redis-server: the fuzzer replays there the bytes behind every error text it
# does not know, to tell Redis's texts from ours.
free_port; redis_port=$REPLY
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --logfile "" >"$tmp/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
wait_pong "$redis_port"

status=0
for topology in $topologies; do
  if [ "$topology" = single ]; then count=1; label=single; else count=3; label=cluster; fi
  log "$label: starting $count silo(s)"
  start_silos "$count" fuzz --client-query-buffer-limit "$query_buffer_limit"
  log "$label: $inputs inputs, seed $seed, $workers workers, deadline $deadline s (ports ${PORTS[*]})"
  rc=0
  python3 bench/fuzz.py --ports "$(IFS=,; echo "${PORTS[*]}")" --pids "$(IFS=,; echo "${PIDS[*]}")" \
    --inputs "$inputs" --seed "$seed" --workers "$workers" --deadline "$deadline" --redis-port "$redis_port" \
    --query-buffer-limit "$query_buffer_limit" --label "$label" --out "$tmp/$label.json" --failures "$failures" || rc=$?
  [ -f "$tmp/$label.json" ] || die "$label: the fuzzer wrote no summary (exit $rc)"
  [ "$rc" = 0 ] || status=1
  # What the silos logged at Error level or above ("fail:"/"crit:" in the console format): the
  # gateway logs an unexpected exception there before answering "ERR internal error".
  for port in "${PORTS[@]}"; do
    grep -cE '^(fail|crit):' "$tmp/silo-$port.log" || true
  done | awk '{ s += $1 } END { print s + 0 }' >"$tmp/$label.logerrors"
  if [ "$(cat "$tmp/$label.logerrors")" != 0 ] || [ "$rc" != 0 ]; then
    mkdir -p "$failures"
    for port in "${PORTS[@]}"; do cp "$tmp/silo-$port.log" "$failures/$label-silo-$port.log"; done
  fi
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do stop_pid "${PIDS[$i]}"; done
done

table_rc=0
python3 - "$out" "$tmp" "$seed" "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src silo || echo ' (with local changes)')" $topologies <<'EOF' || table_rc=$?
import json, sys, time
out, tmp, seed, commit, *labels = sys.argv[1:]
runs = [json.load(open(f"{tmp}/{label}.json")) for label in labels]
for run, label in zip(runs, labels):
    run["log_errors"] = int(open(f"{tmp}/{label}.logerrors").read().strip() or 0)
mib = lambda kb: "%.0f" % (kb / 1024)
esc = lambda t: "".join(c if c.isprintable() else "\\x%02x" % ord(c) for c in t)  # NUL, CR, ... shown, not sent
lines = [f"_Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}, seed {seed}; "
         "`bash bench/fuzz.sh`; silos with --client-query-buffer-limit 4mb._", "",
         "| | " + " | ".join(f"{r['label']} ({r['silos']} silo{'s' if r['silos'] > 1 else ''})" for r in runs) + " |",
         "|---|" + "---:|" * len(runs)]
def row(name, f):
    lines.append(f"| {name} | " + " | ".join(f(r) for r in runs) + " |")
row("inputs sent", lambda r: f"{r['inputs']:,}")
row("of which valid / pipelined / inline / split / dirty / half / flood",
    lambda r: " / ".join(f"{r['kinds'].get(k, 0):,}" for k in ("valid", "pipelined", "inline", "split", "dirty", "half", "flood")))
row("connections", lambda r: f"{r['connections']:,}")
row("replies (of which errors)", lambda r: f"{r['replies']:,} ({r['error_replies']:,})")
row("duration", lambda r: f"{r['duration_s']:.0f} s")
row("**crashes**", lambda r: f"**{r['crashes']}**")
row("**hangs** (incl. PING after the run)", lambda r: f"**{r['hangs']}**")
row("**internal-error replies** (ERR internal / not Redis's text)",
    lambda r: f"**{r['internal_errors'] + r['non_redis_errors']}** ({r['internal_errors']} / {r['non_redis_errors']})")
row("**connections left open** (ss / INFO clients)",
    lambda r: f"**{max(sum(r['open_connections_ss']), sum(r['open_connections_info']))}** ({sum(r['open_connections_ss'])} / {sum(r['open_connections_info'])})")
row("slow replies (answered after 1 s, within the deadline)", lambda r: f"{r['slow_replies']:,}")
row("malformed reply streams", lambda r: str(r["bad_replies"]))
row("silo log lines at Error level", lambda r: str(r["log_errors"]))
row("RSS before / peak / after, MiB (sum over silos)",
    lambda r: f"{mib(sum(r['rss_before_kb']))} / {mib(sum(r['rss_peak_kb']))} / {mib(sum(r['rss_after_kb']))}")
for r in runs:
    if r["silos"] > 1:
        row_per = ", ".join(f"{mib(b)}/{mib(p)}/{mib(a)}" for b, p, a in zip(r["rss_before_kb"], r["rss_peak_kb"], r["rss_after_kb"]))
        lines.append(f"\n{r['label']}: RSS per silo before/peak/after (MiB): {row_per}.")
for r in runs:
    for u in r["non_redis_texts"][:10]:
        lines.append(f"\n{r['label']}: not Redis's text ({u['count']}x, {esc(u['verdict'])}): `{esc(u['text'][:200])}`")
lines.append("")
top = {}
for r in runs:
    for c, t in r["error_texts"]:
        top[t[:80]] = top.get(t[:80], 0) + c
lines.append("Most frequent error replies (all runs): " + "; ".join(f"`{esc(t)}` {c:,}" for t, c in sorted(top.items(), key=lambda kv: -kv[1])[:12]) + ".")
text = "# RESP fuzzing (bench/fuzz.sh)\n\n" + "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
bad = any(r["crashes"] or r["hangs"] or r["internal_errors"] or r["non_redis_errors"] or r["bad_replies"]
          or sum(r["open_connections_ss"]) or sum(r["open_connections_info"]) for r in runs)
sys.exit(1 if bad else 0)
EOF
[ "$table_rc" = 0 ] || status=1
[ -d "$failures" ] && log "failures (the bytes sent on each connection): $failures"
log "results: $out"
exit "$status"
