#!/usr/bin/env bash
# Real-browser tests of the web map, as `make test` runs them: installs Debian's Chromium and
# the npm packages when missing, builds the web map, prepares the demo database (real
# boundaries, synthetic values; reused when present), serves it with `popmap demo` and runs
# tests/browser with Playwright driving /usr/bin/chromium. Screenshots, downloads and timings
# land in target/browser-artifacts/.
#
#   POPMAP_BROWSER_DB=/tmp/x.db   use (or create) this demo database
#   POPMAP_BROWSER_PORT=18103     port of the server (the portal pages use PORT+10 and +11)
#   POPMAP_BIN=target/release/popmap   a popmap binary to use instead of building the debug one
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${POPMAP_BROWSER_PORT:-18103}
HOST_PORT=$((PORT + 10))
DB=${POPMAP_BROWSER_DB:-target/browser-demo.db}

# Debian packages the tests drive: Chromium, and for the print and label tests poppler
# (pdftoppm, pdftotext) and tesseract with its Vietnamese language pack (OCR), and sqlite3.
MISSING=()
[[ -x /usr/bin/chromium ]] || MISSING+=(chromium)
command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || MISSING+=(poppler-utils)
command -v tesseract >/dev/null || MISSING+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -x vie >/dev/null || MISSING+=(tesseract-ocr-vie)
# The H3-less server of honest.test.mjs runs on a copy of the demo database made by sqlite3.
command -v sqlite3 >/dev/null || MISSING+=(sqlite3)
if (( ${#MISSING[@]} )); then
    echo "browser-test.sh: installing Debian's ${MISSING[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${MISSING[@]}" >&2
fi

(cd web-map && npm ci --no-audit --no-fund --loglevel=error && node build.mjs && node --test test/)
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

BIN=${POPMAP_BIN:-}
if [[ -z "$BIN" ]]; then
    cargo build --bin popmap
    BIN=target/debug/popmap
fi

mkdir -p target/browser-artifacts
# The demo database is reused only while what makes it is unchanged (the demo generator, its
# inputs, the catalog, the projection assumptions, the schema): a stale one (say, from before the
# age groups) would test the new code against old data.
KEY=$(cat $(git ls-files etl/src/demo data/vn data/projection geodata/catalog.toml geodata/migrations | sort) 2>/dev/null | sha256sum | cut -c1-16)
if [[ -f "$DB" && "$(cat "$DB.key" 2>/dev/null)" != "$KEY" ]]; then
    echo "browser-test.sh: the demo's inputs changed: making $DB again" >&2
    rm -f "$DB" "$DB-wal" "$DB-shm"
    rm -rf target/browser-demo
fi
LOG=target/browser-artifacts/server.log
"$BIN" --db "sqlite://$DB" demo --out target/browser-demo --listen "127.0.0.1:$PORT" \
    --frame-ancestors "http://127.0.0.1:$HOST_PORT" --web-dir web-map/dist --poll-seconds 0 \
    >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

# The first run prepares the database (minutes in a debug build); then the server answers.
for _ in $(seq 1 1200); do
    if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER" 2>/dev/null; then
        echo "browser-test.sh: the server exited; its log:" >&2
        cat "$LOG" >&2
        exit 1
    fi
    sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null
echo "$KEY" > "$DB.key"  # made whole: reusable until its inputs change

# honest.test.mjs starts a second server (port PORT+1) with $BIN on a copy of $DB without H3
# operators.
ROOT_BIN=$(realpath "$BIN")
ROOT_DB=$(realpath "$DB")
cd tests/browser
POPMAP_URL="http://127.0.0.1:$PORT" POPMAP_HOST_PORT="$HOST_PORT" POPMAP_BIN="$ROOT_BIN" POPMAP_BROWSER_DB="$ROOT_DB" \
    node --test --test-concurrency=1 tiles.test.mjs classes.test.mjs map.test.mjs pyramid.test.mjs projection.test.mjs where.test.mjs search.test.mjs timeline.test.mjs honest.test.mjs print.test.mjs downloads.test.mjs embed.test.mjs table.test.mjs phone.test.mjs a11y.test.mjs keyboard.test.mjs targets.test.mjs
