# Shared by the bench scripts (source it after `cd` to the repository root): logging, a temporary
# directory and the processes started, both cleaned up on exit, free ports, redis-cli, RSS.
# The sourcing script appends each server's PID to `pids`.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Exits unless every named tool is on the PATH.
need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y redis-server redis-tools iproute2)"
  done
}

# Makes $tmp (removed on exit) and stops every PID in `pids` (by PID, KILL) on exit or interrupt.
bench_setup() {
  tmp=$(mktemp -d "/tmp/kv-$1.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  local status=$? p
  trap - EXIT INT TERM
  for p in "${pids[@]+"${pids[@]}"}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]+"${pids[@]}"}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
  exit "$status"
}

# A free TCP port on this machine, never one handed out before by this script, in REPLY.
used_ports=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    [[ "$used_ports" == *" $p "* ]] && continue
    [ -n "$(ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null)" ] && continue
    used_ports+="$p "; REPLY=$p; return 0
  done
}

cli() { redis-cli -h 127.0.0.1 -p "$@"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Builds the silo (Release) and sets `dll` to it.
build_silo() {
  log "building Release"
  dotnet build silo -c Release -nologo -v quiet >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; die "build failed"; }
  dll=$PWD/silo/bin/Release/net10.0/Orleans.KeyValue.Silo.dll
}

# Waits (up to 60 s) until the server on port $1 answers PING.
wait_pong() {
  local i
  for i in $(seq 1 600); do
    [ "$(cli "$1" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  die "nothing answers on port $1"
}
