#!/usr/bin/env bash
# Micro-benchmarks (BenchmarkDotNet 0.14.0, [MemoryDiagnoser], a short job in this process) of
# the RESP request parser, the reply writer, the local grain call and the whole local command
# path. Writes mean time and bytes allocated per operation to bench/results/micro.md and into
# the micro-benchmark section of bench/results/latest.md.
# Usage: bash bench/micro.sh [--filter PATTERN]...   (BenchmarkDotNet globs, e.g. '*Parser*';
#        default: all; a filtered run replaces only its own rows)
set -euo pipefail
cd "$(dirname "$0")/.."

filters=()
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) filters+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#filters[@]} -gt 0 ] || filters=('*')

tmp=$(mktemp -d /tmp/kv-micro.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

log "building the benchmarks (Release)"
dotnet build bench/Orleans.KeyValue.Benchmarks -c Release -nologo -v quiet >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; exit 1; }
log "running ${filters[*]} (the log: $tmp/run.log while it runs)"
dotnet bench/Orleans.KeyValue.Benchmarks/bin/Release/net10.0/Orleans.KeyValue.Benchmarks.dll \
  --filter "${filters[@]}" --artifacts "$tmp/artifacts" --summary "$tmp/summary.md" >"$tmp/run.log" 2>&1 ||
  { tail -40 "$tmp/run.log" >&2; exit 1; }
[ -s "$tmp/summary.md" ] || { tail -40 "$tmp/run.log" >&2; echo "no benchmark ran" >&2; exit 1; }
grep -q '| failed |' "$tmp/summary.md" && { grep -B2 -A10 -i 'exception' "$tmp/run.log" | head -40 >&2; log "warning: some benchmarks failed"; }

# Rows of this run replace rows of the same benchmark from earlier runs; the rest stay.
mkdir -p bench/results
micro=bench/results/micro.md
rows=$tmp/rows.md
{
  if [ -f "$micro" ]; then
    grep -E '^\| [A-Za-z]+Benchmarks\.' "$micro" | while IFS= read -r line; do
      name=$(cut -d'|' -f2 <<<"$line")
      grep -qF "|$name|" "$tmp/summary.md" || printf '%s\n' "$line"
    done || true
  fi
  grep -E '^\| [A-Za-z]+Benchmarks\.' "$tmp/summary.md" || true
} | sort >"$rows"

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
runtime=$(dotnet --list-runtimes | awk '/^Microsoft.NETCore.App/ { v = $2 } END { print v }')
{
  echo "### Micro-benchmarks (BenchmarkDotNet 0.14.0, \`bash bench/micro.sh\`)"
  echo
  echo "_Run $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($cpu_model); .NET $runtime; a short job (3 iterations)"
  echo "inside the process: allocations per operation are exact, times are a guide on this shared machine._"
  echo
  echo "| benchmark | mean | allocated/op |"
  echo "|---|---:|---:|"
  cat "$rows"
  echo
  echo "RespRequestParser: one SET (16-byte key, 100-byte value) or GET, whole in one segment."
  echo "ReplyWriter: the gateway's reply writer over RespWriter (+OK, a 100-byte bulk, nil, an integer)."
  echo "KeyGrainCall: GrainRuntime<KeyGrain>.InvokeAsync with GetCall/SetCall on an existing key (the SET's"
  echo "value array is made once); KeepIdle=False is the silo's default (no lasting activation: the call"
  echo "borrows its stripe's spare activation for the turn), True keeps it (GrainCollection:KeepIdleKeyGrains). CommandPath:"
  echo "parse + CommandExecutor + reply writer for one command, as the connection handler runs it (silo"
  echo "defaults), without the socket."
} >"$micro"

# Into latest.md, between the markers (added at the end the first time).
latest=bench/results/latest.md
if [ -f "$latest" ]; then
  if grep -q '<!-- micro:begin -->' "$latest"; then
    awk -v block="$micro" '
      /<!-- micro:begin -->/ { print; while ((getline line < block) > 0) print line; skip = 1; next }
      /<!-- micro:end -->/ { skip = 0 }
      !skip { print }' "$latest" >"$tmp/latest.md"
  else
    { cat "$latest"; echo "<!-- micro:begin -->"; cat "$micro"; echo "<!-- micro:end -->"; } >"$tmp/latest.md"
  fi
  cat "$tmp/latest.md" >"$latest"
fi

cat "$micro"
log "written: $micro$([ -f "$latest" ] && echo " and $latest")"
