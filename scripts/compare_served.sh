#!/usr/bin/env bash
# Proof that a refactor changes nothing that is served: starts two popmap binaries on the same
# demo database (two loopback ports, no polling, no rate limits), fetches one fixed list of
# requests from both and compares, per request, the status, the SHA-256 of the body bytes and
# the headers Content-Type, ETag, Cache-Control, Vary, Content-Location, Content-Encoding (and a
# few more: see COMPARED_HEADERS in scripts/compare_served.py, which builds the list and
# compares).
#
#   scripts/compare_served.sh OLD_BIN NEW_BIN [DB]
#
#   DB       a SQLite demo database both servers read; default target/compare/demo.db, prepared
#            once with `OLD_BIN demo --no-serve` (minutes in a debug build) and reused after.
#   NEW_DB=FILE  the new server reads this database instead (a copy of DB, e.g. one the new
#            binary migrates or rewrites: the old binary refuses a store with newer migrations).
#   PORTS="OLD NEW"  the two loopback ports (default: two free ones).
#
# The list (about 2,000 requests per server, deterministic for a given database): boundary tiles
# of every version, admin tiles of latest, a month, a quarter, a year and one @rN revision,
# harmonised (?version=) and ?fields= tiles, H3 tiles, zooms 0-12 (and 13-14 at Hà Nội) around
# Hà Nội, Hồ Chí Minh City and Đà Nẵng, each with Accept-Encoding gzip and identity (a few with
# br and restricted reads with the admin token); every TileJSON; every style of
# /styles/index.json with join=props and join=state and method/k/period/version variants;
# classes, map values and indicators; every download format of province and commune for latest
# and a vn-2019 month; the data API (periods, versions, indicators, units, unit detail, series
# in each view, values, rankings, lineage, H3 cells); /, /embed, /status; If-None-Match
# revalidations; bad requests and /metrics compared by status only.
#
# Prints `compare_served: N URLs, N identical, N differ` and every difference; exits 1 when
# anything outside EXPECTED_TO_DIFFER differs. Output lands in target/compare/ (urls.txt,
# results.tsv, diff/ with both answers of each difference, old.log and new.log of the servers).
set -euo pipefail

# Paths whose answers are expected to change (the refactor adds routes to the OpenAPI document):
# fetched and reported separately, never counted as failures.
EXPECTED_TO_DIFFER=(/api/openapi.json /api/docs)

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 OLD_BIN NEW_BIN [DB]" >&2
    exit 2
fi
OLD_BIN=$(realpath "$1")
NEW_BIN=$(realpath "$2")
DB_ARG=${3:-}
for b in "$OLD_BIN" "$NEW_BIN"; do
    [[ -x "$b" ]] || { echo "compare_served: $b is not an executable" >&2; exit 2; }
done
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/compare
mkdir -p "$OUT"

# Settings from the caller's environment would apply to both servers alike, but could hide a
# difference (POPMAP_PUBLIC_URL) or throttle the requests (POPMAP_RATE_*): drop them.
CLEAN_ENV=(env -u POPMAP_DB -u POPMAP_PUBLIC_URL -u POPMAP_CORS -u POPMAP_FRAME_ANCESTORS
    -u POPMAP_WEB_DIR -u POPMAP_RATE_IP -u POPMAP_RATE_KEY -u POPMAP_ADMIN_TOKEN POPMAP_LOG=warn)

# The database: the given one, or the demo prepared once (resumable: a run interrupted before
# the marker file was written resumes where it stopped).
if [[ -n "$DB_ARG" ]]; then
    DB=$(realpath "$DB_ARG")
    [[ -f "$DB" ]] || { echo "compare_served: no database $DB" >&2; exit 2; }
else
    DB=$OUT/demo.db
    if [[ ! -f "$DB.prepared" ]]; then
        echo "compare_served: preparing the demo database $DB with $OLD_BIN (log: $OUT/prepare.log)" >&2
        if ! "${CLEAN_ENV[@]}" "$OLD_BIN" --db "sqlite://$DB" demo --no-serve \
            --inputs data/vn --out "$OUT/demo-build" >"$OUT/prepare.log" 2>&1; then
            tail -20 "$OUT/prepare.log" >&2
            echo "compare_served: preparing the demo database failed" >&2
            exit 2
        fi
        touch "$DB.prepared"
    fi
fi

# The web map: the built one when present, else a stub (so / and /embed exercise the file
# serving, ETags and CSP of both binaries instead of the "not built" page).
if [[ -f web-map/dist/index.html && -f web-map/dist/embed.html ]]; then
    WEB=$ROOT/web-map/dist
else
    WEB=$OUT/web-stub
    mkdir -p "$WEB/assets"
    printf '<!doctype html><meta charset=utf-8><title>popmap</title><script type=module src="/assets/app.js"></script>\n' >"$WEB/index.html"
    printf '<!doctype html><meta charset=utf-8><title>popmap embed</title><script type=module src="/assets/app.js"></script>\n' >"$WEB/embed.html"
    printf 'console.log("popmap compare stub");\n' >"$WEB/assets/app.js"
    printf 'body{margin:0}\n' >"$WEB/assets/app.css"
fi

# An admin token both servers accept: it unlocks restricted indicators, so private tiles and
# downloads are compared too, without writing an API key into the database.
TOKEN=$OUT/admin-token
(umask 077 && printf 'compare-served-%s\n' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >"$TOKEN")

NEW_DB=$(realpath "${NEW_DB:-$DB}")
[[ -f "$NEW_DB" ]] || { echo "compare_served: no database $NEW_DB" >&2; exit 2; }

read -r OLD_PORT NEW_PORT < <([[ -n ${PORTS:-} ]] && echo "$PORTS" || python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))
for x in s: x.close()')

PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # BIN PORT LOG DB
    "${CLEAN_ENV[@]}" "$1" --db "sqlite://$4" serve --listen "127.0.0.1:$2" --synthetic \
        --poll-seconds 0 --rate-ip 0 --rate-key 0 --cors '*' --frame-ancestors '*' \
        --web-dir "$WEB" --admin-token-file "$TOKEN" >"$3" 2>&1 &
    PIDS+=($!)
}
start "$OLD_BIN" "$OLD_PORT" "$OUT/old.log" "$DB"
start "$NEW_BIN" "$NEW_PORT" "$OUT/new.log" "$NEW_DB"

# /readyz answers 200 once the tile sources and latest values are built (a minute or two in a
# debug build).
for name in old new; do
    if [[ $name == old ]]; then port=$OLD_PORT pid=${PIDS[0]}; else port=$NEW_PORT pid=${PIDS[1]}; fi
    for _ in $(seq 1 1800); do
        if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "compare_served: the $name server exited; its log:" >&2
            cat "$OUT/$name.log" >&2
            exit 2
        fi
        sleep 1
    done
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || {
        echo "compare_served: the $name server is not ready after 30 min" >&2
        exit 2
    }
done
echo "compare_served: old $OLD_BIN on :$OLD_PORT, new $NEW_BIN on :$NEW_PORT, database $DB (new: $NEW_DB)" >&2

set +e
python3 "$ROOT/scripts/compare_served.py" --old "http://127.0.0.1:$OLD_PORT" \
    --new "http://127.0.0.1:$NEW_PORT" --out "$OUT" --token-file "$TOKEN" \
    --expected "$(IFS=,; echo "${EXPECTED_TO_DIFFER[*]}")"
rc=$?
set -e
exit "$rc"
