#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for popmap's store tests and prints its admin URL.
#
#   export POPMAP_TEST_PG=$(scripts/pg.sh)
#   cargo test -p popmap-tests --test geodata
#
# Idempotent: installs Debian's postgresql if no server binaries are found, initialises
# /tmp/popmap-pg once (owned by the `postgres` OS user, trust auth, 127.0.0.1 only) and starts it
# on port 55432 unless it is already running. All progress goes to stderr; stdout is the URL.
set -euo pipefail

PGDATA_DIR=${POPMAP_PG_DIR:-/tmp/popmap-pg}
PORT=${POPMAP_PG_PORT:-55432}
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

find_bindir() {
    local dir
    # Newest major version first.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
        if [[ -x "$dir/postgres" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if ! BINDIR=$(find_bindir); then
    echo "pg.sh: no PostgreSQL server binaries found, installing Debian's postgresql" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    BINDIR=$(find_bindir) || { echo "pg.sh: postgresql installed but no server binaries found under /usr/lib/postgresql" >&2; exit 1; }
fi

as_postgres() {
    if [[ $(id -un) == postgres ]]; then
        "$@"
    else
        runuser -u postgres -- "$@"
    fi
}

if [[ ! -s "$PGDATA_DIR/PG_VERSION" ]]; then
    echo "pg.sh: initialising a cluster in $PGDATA_DIR with $BINDIR" >&2
    mkdir -p "$PGDATA_DIR"
    chown postgres:postgres "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR"
    as_postgres "$BINDIR/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >&2
fi

if as_postgres "$BINDIR/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
    echo "pg.sh: already running" >&2
else
    echo "pg.sh: starting on 127.0.0.1:$PORT" >&2
    as_postgres "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PORT -k $PGDATA_DIR -c max_connections=200" start >&2
fi

for _ in $(seq 1 60); do
    if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; then
        echo "$URL"
        exit 0
    fi
    sleep 0.5
done
echo "pg.sh: PostgreSQL did not become ready on 127.0.0.1:$PORT; see $PGDATA_DIR/server.log" >&2
exit 1
