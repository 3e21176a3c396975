#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite.
#   tests/postgres.sh start DIR   -> initdb + pg_ctl start in DIR on a free port; prints DATABASE_URL
#   tests/postgres.sh stop DIR    -> stops it (DIR can then be removed)
#   tests/postgres.sh run CMD...  -> start, run CMD with DATABASE_URL set, stop, exit with CMD's status
# As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (set PG_BIN)" >&2; exit 1; }

as_db_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 port
  port=$(free_port)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_db_user "$PG_BIN/initdb" -D "$dir/data" -U silta --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_db_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  as_db_user "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U silta silta
  echo "postgres://silta@127.0.0.1:$port/silta"
}

stop() {
  as_db_user "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

case ${1:-} in
  start) start "$2" ;;
  stop) stop "$2" ;;
  run)
    shift
    dir=$(mktemp -d /tmp/silta-pg.XXXXXX)
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    url=$(start "$dir")
    DATABASE_URL=$url "$@"
    ;;
  *) echo "usage: $0 start DIR | stop DIR | run CMD..." >&2; exit 2 ;;
esac
