#!/usr/bin/env bash
# A real PostgreSQL for the PostgreSQL store's tests (tests/pg_helpers.py): Debian's postgresql
# package, a private cluster owned by the `postgres` account listening on 127.0.0.1 and a socket
# in its own folder, a role and a database for the tests. Writes the connection details to
# $CROSSPOST_PG_ENV (default /tmp/crosspost-pg.env), which the tests read; under CI=true a
# missing file fails the PostgreSQL tests instead of skipping them.
#
# Idempotent: a second run only checks that the cluster answers and the role can log in.
# Needs root for apt-get; the cluster itself runs as the unprivileged `postgres` account.
set -euo pipefail

PORT="${CROSSPOST_PG_PORT:-55432}"
HOST=127.0.0.1
ENV_FILE="${CROSSPOST_PG_ENV:-/tmp/crosspost-pg.env}"
STATE=/var/lib/crosspost-pg
DATA="$STATE/data"
SOCK="$STATE/run"
ROLE=crosspost_test
DB=crosspost_test
RUN_AS=postgres

log() { echo "postgres.sh: $*" >&2; }

# 1. packages (Debian's postgresql: the server binaries under /usr/lib/postgresql/<major>/bin)
bindir() { find /usr/lib/postgresql -maxdepth 3 -name pg_ctl -path '*/bin/*' 2>/dev/null | sort -V | tail -1 | xargs -r dirname; }
if [ -z "$(bindir)" ] || ! command -v psql >/dev/null 2>&1; then
    log "installing postgresql"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
BIN="$(bindir)"
id "$RUN_AS" >/dev/null 2>&1 || useradd --system --home-dir "$STATE" --shell /usr/sbin/nologin "$RUN_AS"
as_pg() { if [ "$(id -un)" = "$RUN_AS" ]; then "$@"; else runuser -u "$RUN_AS" -- "$@"; fi; }

# 2. a cluster of our own (not Debian's main cluster: no systemd in containers, and the tests
# create and drop schemas freely), trust on the private socket, a password on 127.0.0.1
mkdir -p "$STATE" "$SOCK"
chown "$RUN_AS" "$STATE" "$SOCK"
chmod 700 "$STATE"
chmod 755 "$SOCK"
if [ ! -s "$DATA/PG_VERSION" ]; then
    log "initdb $DATA"
    as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 100
shared_buffers = 64MB
fsync = on
CONF
fi
ready() { as_pg "$BIN/pg_isready" -q -h "$SOCK" -p "$PORT"; }
if ! ready; then
    log "starting PostgreSQL on $HOST:$PORT"
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$STATE/server.log" -w -t 60 start >/dev/null \
        || { log "the server does not start; see $STATE/server.log"; exit 1; }
fi

# 3. the test role (may create databases: each test gets its own schema or database) and its database
if [ ! -s "$STATE/role-password" ]; then
    umask 077
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$STATE/role-password"
fi
PASS="$(cat "$STATE/role-password")"
psql_admin() { as_pg psql -q -h "$SOCK" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }
psql_admin -d postgres >/dev/null <<SQL
SELECT 'CREATE ROLE $ROLE LOGIN CREATEDB' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE')\gexec
ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASS';
SELECT 'CREATE DATABASE $DB OWNER $ROLE' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB')\gexec
SQL

# 4. the env file (the password separately: crosspost reads it by reference, never from the URL)
umask 077
cat > "$ENV_FILE" <<ENV
CROSSPOST_PG_URL='postgresql://$ROLE@$HOST:$PORT/$DB'
CROSSPOST_PG_PASSWORD='$PASS'
ENV
PGPASSWORD="$PASS" psql -q -h "$HOST" -p "$PORT" -U "$ROLE" -d "$DB" -c 'SELECT 1' >/dev/null \
    || { log "the test role cannot log in on $HOST:$PORT"; exit 1; }
log "ready at postgresql://$ROLE@$HOST:$PORT/$DB (password in $ENV_FILE)"
