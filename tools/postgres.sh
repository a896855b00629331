#!/usr/bin/env bash
# Makes sure a local PostgreSQL runs and has role kv (password kv) owning database kv, the
# defaults of the PostgreSQL membership tests (KV_TEST_POSTGRES overrides them). Idempotent:
# when kv can already log in it only says so (any user); otherwise it creates, starts and sets
# up the cluster, which needs root (Debian's postgresql-common tools). It never installs packages.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null || ! command -v pg_lsclusters >/dev/null; then
  echo "tools/postgres.sh: PostgreSQL is not installed; run 'apt-get install -y postgresql' (as root) and try again." >&2
  exit 1
fi

# Already set up (the usual case on a second run, and the only check that needs no root)?
if command -v psql >/dev/null &&
  PGPASSWORD=kv PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U kv -d kv -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "PostgreSQL is running on 127.0.0.1 with role kv and database kv."
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "tools/postgres.sh: PostgreSQL on 127.0.0.1 does not accept role kv / database kv yet; run this script as root to set it up." >&2
  exit 1
fi

# Use the first existing cluster; without one, create "main" for the newest installed server.
read -r version cluster status < <(pg_lsclusters -h | awk 'NR == 1 { print $1, $2, $4 }') || true
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
  if [ -z "$version" ]; then
    echo "tools/postgres.sh: no PostgreSQL server found in /usr/lib/postgresql; run 'apt-get install -y postgresql'." >&2
    exit 1
  fi
  cluster=main
  pg_createcluster "$version" "$cluster" >/dev/null
  status=down
fi

if [ "$status" != online ]; then
  # Non-zero when it is already running (another script won the race): pg_isready decides.
  pg_ctlcluster "$version" "$cluster" start || true
fi

port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $3 }')
ready=0
for _ in $(seq 1 150); do   # 150 x 0.2 s: give up after about 30 s
  if pg_isready -h 127.0.0.1 -p "$port" -q; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  echo "tools/postgres.sh: PostgreSQL $version/$cluster did not accept connections on 127.0.0.1:$port within 30 s;" \
    "see /var/log/postgresql/postgresql-$version-$cluster.log" >&2
  exit 1
fi

# psql as root has no role (peer authentication) and there is no sudo: run it as postgres,
# from a directory postgres can read.
cd /tmp
runuser -u postgres -- psql -p "$port" -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kv') THEN
  CREATE ROLE kv LOGIN PASSWORD 'kv'; END IF; END $$;
SELECT 'CREATE DATABASE kv OWNER kv' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'kv')\gexec
SQL

echo "PostgreSQL $version/$cluster is running on 127.0.0.1:$port with role kv and database kv."
