#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for watchline's tests and for trying the
# multi-machine setup on one machine: a fresh cluster in a temporary
# directory, listening only on 127.0.0.1 (a free port) and a unix socket in
# that directory, with one database "watchline" and trust authentication for
# local connections. Nothing outside the directory is touched.
#
#   eval "$(bash .ci/postgres.sh start)"   # prints export lines; sets
#                                          # WATCHLINE_TEST_POSTGRES and
#                                          # WATCHLINE_TEST_POSTGRES_DIR
#   bash .ci/postgres.sh stop "$WATCHLINE_TEST_POSTGRES_DIR"   # stop, delete
#
# The cluster trades durability for speed (fsync off, asynchronous commit),
# which is right for tests and wrong for data you keep. As root (CI runs as
# root, and initdb refuses to) the server runs as the "postgres" user that
# Debian's package creates; as anyone else it runs as you. When no PostgreSQL
# is installed and we are root, Debian's postgresql package is installed.
set -euo pipefail

bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  # Debian keeps the server binaries off PATH, one directory per major version.
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

# as runs a command as the cluster's owner.
as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin dir port tries=0
  bin="$(bindir || true)"
  if [ -z "$bin" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "postgres.sh: no PostgreSQL server found; install Debian's postgresql package (apt-get install postgresql)" >&2
      exit 1
    fi
    echo "postgres.sh: installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >/dev/null
    bin="$(bindir)"
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/watchline-pg.XXXXXX")"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
  fi
  as "$bin/initdb" --pgdata="$dir/data" --username=watchline --auth=trust \
    --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # Loopback only; no durability (a test cluster is thrown away).
  as tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  # A random high port; retry when another process already has it.
  while :; do
    port=$((20000 + RANDOM % 40000))
    if as "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 start \
      -o "-p $port" >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then
      echo "postgres.sh: the server did not start; its log:" >&2
      cat "$dir/server.log" >&2
      exit 1
    fi
  done
  as "$bin/createdb" --host="$dir" --port="$port" --username=watchline watchline
  echo "export WATCHLINE_TEST_POSTGRES='postgres://watchline@127.0.0.1:$port/watchline?sslmode=disable'"
  echo "export WATCHLINE_TEST_POSTGRES_DIR='$dir'"
}

stop() {
  local dir="${1:-}" bin
  case "$dir" in
  */watchline-pg.*) ;;
  *)
    echo "postgres.sh: stop needs the directory start printed (WATCHLINE_TEST_POSTGRES_DIR)" >&2
    exit 2
    ;;
  esac
  bin="$(bindir)"
  if [ -f "$dir/data/postmaster.pid" ]; then
    as "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*)
  echo "usage: postgres.sh start | postgres.sh stop DIR" >&2
  exit 2
  ;;
esac
