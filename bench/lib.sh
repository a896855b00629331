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

# Starts COUNT silos of the build in $dll (the first keeps the membership, the others join it),
# named NAME-1..COUNT, each with the extra silo arguments given after NAME, on free ports, waiting
# until all of them settle after each start; sets PORTS (RESP ports) and PIDS (also in pids).
start_silos() {
  local count=$1 name=$2 n port silo_port gateway_port seed=""
  shift 2
  PORTS=(); PIDS=()
  for n in $(seq 1 "$count"); do
    free_port; port=$REPLY; free_port; silo_port=$REPLY; free_port; gateway_port=$REPLY
    local cmd=(dotnet "$dll" --port "$port" --silo-port "$silo_port" --orleans-gateway-port "$gateway_port"
      --dashboard-port 0 --silo-name "$name-$n" "$@")
    [ -n "$seed" ] && cmd+=(--seeds "127.0.0.1:$seed")
    "${cmd[@]}" >"$tmp/silo-$port.log" 2>&1 &
    pids+=("$!"); PIDS+=("$!"); PORTS+=("$port")
    [ -z "$seed" ] && seed=$silo_port
    wait_settled "$n" "${PORTS[@]}"
  done
}

# Waits (up to 60 s) until every given gateway sees N active silos, serves every slot, and has
# no slot waiting for its keys and no backup to fill.
wait_settled() {
  local n=$1; shift
  local port info ok
  for _ in $(seq 1 600); do
    ok=1
    for port in "$@"; do
      info=$(cli "$port" INFO cluster 2>/dev/null | tr -d '\r' || true)
      grep -qx "kv_silos_active:$n" <<<"$info" && grep -qx "kv_serving:1" <<<"$info" && grep -qx "kv_slots_waiting:0" <<<"$info" \
        && grep -qx "kv_slots_awaiting_fill:0" <<<"$info" || ok=0
    done
    [ "$ok" = 1 ] && return 0
    sleep 0.1
  done
  die "silos on $* did not settle (logs: $(tail -3 "$tmp"/silo-*.log))"
}
