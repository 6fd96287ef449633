#!/usr/bin/env bash
# Throwaway PostgreSQL server for tests and local runs of the hub's PostgreSQL store.
#
# Contract
#   scripts/postgres-test-server.sh [start] [DIR]
#       Starts (or reuses, if it already runs) a private PostgreSQL cluster kept in DIR and makes sure
#       the database brain_test exists. stdout gets exactly one line, the connection URL, e.g.
#           postgres://postgres@127.0.0.1:25432/brain_test
#       Everything else (apt, initdb, server messages) goes to stderr. Exit status 0 on success.
#       Running it again with the same DIR prints the same URL without starting a second server.
#   scripts/postgres-test-server.sh stop [DIR]
#       Stops the cluster in DIR and deletes DIR (only a DIR this script created). No-op if absent.
#   scripts/postgres-test-server.sh status [DIR]
#       Prints the URL and exits 0 if the cluster in DIR runs; exits 1 otherwise.
#
#   DIR defaults to $TB_PG_DIR, else ${TMPDIR:-/tmp}/transportbrain-pg-test.
#   Environment: TB_PG_PORT (first port to try, default 25432, below Linux's ephemeral range so that
#   the client ends of busy tests never hold it; the next free port up to +100 is used if it is taken), TB_PG_DB (database name, default brain_test), PG_BIN (directory with
#   initdb/pg_ctl/psql; default: newest /usr/lib/postgresql/*/bin, else initdb on PATH).
#
#   The server listens on 127.0.0.1 only, with trust authentication (user postgres, no password)
#   and fsync off: it is for tests, never for data you want to keep. Its log is DIR/server.log.
#   If PostgreSQL is not installed it runs `apt-get update && apt-get install -y postgresql`
#   (Debian 12: PostgreSQL 15), which needs root. As root the server runs as the OS user postgres
#   (created by the package; created here if missing), since PostgreSQL refuses to run as root.
#
# Example
#   url=$(scripts/postgres-test-server.sh)      # start
#   TB_TEST_POSTGRES="$url" dotnet test ...
#   scripts/postgres-test-server.sh stop        # stop and delete
set -euo pipefail

log() { printf '[postgres-test-server] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command_name=start
case "${1:-}" in
  start|stop|status) command_name=$1; shift ;;
  -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
esac
[[ $# -le 1 ]] || die "usage: $0 [start|stop|status] [DIR]"

dir=${1:-${TB_PG_DIR:-${TMPDIR:-/tmp}/transportbrain-pg-test}}
dir=$(realpath -m -- "$dir")
db=${TB_PG_DB:-brain_test}
first_port=${TB_PG_PORT:-25432}
marker="$dir/.transportbrain-pg-test"
data="$dir/data"

[[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || die "TB_PG_DB must be a plain lower-case identifier, got '$db'"
[[ "$first_port" =~ ^[0-9]+$ ]] || die "TB_PG_PORT must be a number, got '$first_port'"

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || die "PG_BIN=$PG_BIN has no initdb/pg_ctl"
    echo "$PG_BIN"; return 0
  fi
  local best="" d
  # Newest major version first (sort -V orders 9.6 < 15 < 16).
  while IFS= read -r d; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]]; then best=$d; break; fi
  done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r)
  if [[ -z "$best" ]] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v psql >/dev/null; then
    best=$(dirname "$(realpath "$(command -v initdb)")")
  fi
  [[ -n "$best" ]] && echo "$best"
  return 0
}

bin=$(find_bin)

# As root, run the server tools as an unprivileged OS user; otherwise as ourselves.
if [[ $(id -u) -eq 0 ]]; then
  run_user=postgres
else
  run_user=$(id -un)
fi
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    if command -v runuser >/dev/null; then
      runuser -u "$run_user" -- "$@"
    else
      su -s /bin/sh "$run_user" -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

running() { [[ -n "$bin" && -f "$data/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }
url_of() { echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/$db"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$command_name" in
  status)
    if running && [[ -f "$dir/port" ]]; then url_of; exit 0; fi
    exit 1
    ;;
  stop)
    if [[ ! -e "$dir" ]]; then log "nothing at $dir"; exit 0; fi
    [[ -f "$marker" ]] || die "$dir was not created by this script; not touching it"
    if running; then
      log "stopping the server in $dir"
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >&2
    fi
    rm -rf -- "$dir"
    log "removed $dir"
    exit 0
    ;;
esac

# ---- start -----------------------------------------------------------------------------------

if [[ -z "$bin" ]]; then
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get to install it"
  log "installing PostgreSQL from the Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  bin=$(find_bin)
  [[ -n "$bin" ]] || die "postgresql installed, but no initdb/pg_ctl/psql found under /usr/lib/postgresql/*/bin"
fi
log "using $bin"

if [[ $(id -u) -eq 0 ]] && ! id -u "$run_user" >/dev/null 2>&1; then
  log "creating the OS user $run_user"
  useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$run_user" >&2
fi

if [[ -e "$dir" && ! -f "$marker" ]]; then
  # An existing directory is adopted only when empty (e.g. made by mktemp -d).
  [[ -d "$dir" && -z "$(ls -A "$dir")" ]] || die "$dir exists and was not created by this script; pick another DIR"
fi
mkdir -p "$dir"
touch "$marker"
if [[ $(id -u) -eq 0 ]]; then
  chown "$run_user:" "$dir"
  chmod 0755 "$dir"
  as_owner test -x "$dir" || die "the OS user $run_user cannot reach $dir (a parent directory is not searchable); use a DIR under /tmp"
fi

if running; then
  log "already running in $dir"
  url_of
  exit 0
fi

if [[ ! -f "$data/PG_VERSION" ]]; then
  log "initialising a cluster in $data"
  rm -rf -- "$data"
  as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync >&2
fi

# Reuse the previous port when it is free; otherwise take the first free one from TB_PG_PORT. A port
# can look free to a connect() and still be held by the client end of a connection (bind fails with
# "Address already in use"): then the next free port is tried.
next_free_port() {
  local p
  for ((p = $1; p <= first_port + 100; p++)); do
    if ! port_in_use "$p"; then echo "$p"; return 0; fi
  done
  return 1
}
port=""
if [[ -f "$dir/port" ]] && ! port_in_use "$(cat "$dir/port")"; then
  port=$(cat "$dir/port")
else
  port=$(next_free_port "$first_port") || die "no free port in $first_port..$((first_port + 100))"
fi

for attempt in 1 2 3 4 5; do
  as_owner tee "$data/postgresql.auto.conf" >/dev/null <<EOF
# written by postgres-test-server.sh: a throwaway test server
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
# WAL buffers of 64 MB instead of the default 1/32 of shared_buffers (4 MB here): a bulk COPY otherwise
# fills them and its backend writes WAL itself. 6-10% faster imports in alternating runs
# (docs/benchmarks.md, session 7); a setting a production server that takes bulk imports wants too.
wal_buffers = 64MB
EOF
  echo "$port" > "$dir/port"
  log "starting on 127.0.0.1:$port (log: $dir/server.log)"
  if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >&2; then
    break
  fi
  if [[ $attempt -lt 5 ]] && tail -n 20 "$dir/server.log" 2>/dev/null | grep -q 'Address already in use'; then
    log "port $port is held by another socket; trying the next one"
    port=$(next_free_port $((port + 1))) || die "no free port in $first_port..$((first_port + 100))"
    continue
  fi
  tail -n 30 "$dir/server.log" >&2 || true
  die "the server did not start"
done

psql_cmd=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres)
if [[ -z $(as_owner "${psql_cmd[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
  log "creating database $db"
  as_owner "${psql_cmd[@]}" -c "CREATE DATABASE $db" >&2
fi

url_of
