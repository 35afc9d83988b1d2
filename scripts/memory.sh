#!/usr/bin/env bash
# The server's memory under its worst requests (issue 17 "flat as periods accumulate", issue 18
# "255 requests of one client cannot raise resident memory above the budget"): starts BIN on a
# copy of the demo database (loopback only, no polling, no rate limit so the run is not
# throttled), prints VmRSS/VmHWM from /proc/PID/status, drives the requests that make the server
# keep the most, then prints them again with the caches' accounting from /metrics.
#
#   scripts/memory.sh [BIN] [PORT] [-- extra serve flags, e.g. --memory-mb 384]
#
#   BIN   the popmap binary (default target/release/popmap)
#   PORT  a loopback port (default 18360)
#
# The requests, in this order (each phase printed with the memory after it):
#   h3        one H3 tile per zoom 0-12 around Hà Nội, of every published period (every
#             resolution of every period's grid is built)
#   harmonise admin tiles and map values of every vn-2019 period moved onto vn-2025
#   timeline  /api/v1/classes of every indicator x level x method, pooling every period
#   api       values, rankings, downloads and map values with many fields=/indicator variants
#             over every period (each a distinct answer for the response cache)
#   admin     admin tiles with ?fields= variants of every period
#   periods   (not in the default list) period after period, oldest first: tiles around Hà Nội,
#             map values, per-period classes, values and a download; the memory after each, to
#             show whether it stays flat as periods accumulate
#   client255 (not in the default list) 255 of the heaviest requests of one client: an H3 tile,
#             a commune GeoJSON download, commune values, a harmonised tile and map values of
#             each period, then H3 timeline classes (issue 18: "255 requests of one client")
# PHASES picks and orders them (default "h3 harmonise timeline api admin"). MEMORY_DB serves
# another SQLite database in place (e.g. a national import with several periods published);
# by default a copy of target/browser-demo.db, target/memory/demo.db (made once). The
# server's log is target/memory/server.log. Bounded in time: each phase stops after
# PHASE_SECONDS (default 120).
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-target/release/popmap}")
PORT=${2:-18360}
shift $(( $# > 2 ? 2 : $# ))
[[ "${1:-}" == "--" ]] && shift
EXTRA=("$@")
PHASE_SECONDS=${PHASE_SECONDS:-120}
OUT=target/memory
mkdir -p "$OUT"
PHASES=${PHASES:-h3 harmonise timeline api admin}
DB=${MEMORY_DB:-$OUT/demo.db}
# /metrics answers admins only: this run's own token.
ADMIN_TOKEN=memory-sh-$RANDOM-$RANDOM-$RANDOM
[[ -n ${MEMORY_DB:-} || -f $DB ]] || cp target/browser-demo.db "$DB"
DB=$(realpath "$DB")
BASE=http://127.0.0.1:$PORT

env -u POPMAP_DB -u POPMAP_RATE_IP -u POPMAP_RATE_KEY POPMAP_LOG=warn \
    POPMAP_ADMIN_TOKEN=$ADMIN_TOKEN "$BIN" --db "sqlite://$DB" serve --listen "127.0.0.1:$PORT" --synthetic \
    --poll-seconds 0 --rate-ip 0 --rate-key 0 "${EXTRA[@]}" >"$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$BASE/readyz" && break
    kill -0 $PID 2>/dev/null || { echo "memory.sh: server exited (see $OUT/server.log)" >&2; exit 1; }
    sleep 0.5
done

mem() {
    local rss hwm
    rss=$(awk '/^VmRSS/ {print $2}' /proc/$PID/status)
    hwm=$(awk '/^VmHWM/ {print $2}' /proc/$PID/status)
    printf '%-10s VmRSS %6d MiB  VmHWM %6d MiB  (%s requests)\n' "$1" $((rss / 1024)) $((hwm / 1024)) "$2"
}

# Fetches the URLs on stdin, 4 at a time, for at most PHASE_SECONDS; prints the memory after.
drive() {
    local name=$1 list=$OUT/urls-$1.txt
    cat >"$list"
    timeout "$PHASE_SECONDS" xargs -a "$list" -P 4 -n 20 \
        curl -s -o /dev/null -H 'Accept-Encoding: gzip' >/dev/null 2>&1 || true
    sleep 2 # jemalloc gives freed pages back within a second
    mem "$name" "$(wc -l <"$list")"
}

# Every published period, with its boundary version: "period version" per line.
PERIODS=$(curl -sf "$BASE/api/v1/periods?format=json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d if isinstance(d, list) else d.get("periods", d.get("items", [])):
    print(p["period"], p["version"])')
INDICATORS=$(curl -sf "$BASE/api/v1/indicators" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for i in d if isinstance(d, list) else d.get("indicators", d.get("items", [])):
    print(i["id"])')
echo "memory.sh: $(wc -l <<<"$PERIODS") periods, $(wc -l <<<"$INDICATORS") indicators, $BIN ${EXTRA[*]}"
echo "load: $(uptime)"
mem start 0

# Tile column/row of Hà Nội (105.85 E, 21.03 N) at zoom z.
tile() {
    awk -v z="$1" 'BEGIN { pi = atan2(0, -1); n = 2 ^ z; lat = 21.03 * pi / 180;
        printf "%d/%d/%d", z, int((105.85 + 180) / 360 * n),
            int((1 - log(sin(lat) / cos(lat) + 1 / cos(lat)) / pi) / 2 * n) }'
}
ZXY=$(for z in $(seq 0 12); do tile "$z"; echo; done)

phase_h3() {
    while read -r p _; do
        for t in $ZXY; do echo "$BASE/tiles/h3/$p/$t.mvt"; done
    done <<<"$PERIODS" | drive h3
}

phase_harmonise() {
    NEW=$(awk '{print $2}' <<<"$PERIODS" | sort -u | tail -1)
    while read -r p v; do
        [[ $v == "$NEW" ]] && continue
        for t in $ZXY; do echo "$BASE/tiles/admin/$p/$t.mvt?version=$NEW"; done
        echo "$BASE/api/v1/map/values?period=$p&level=commune&indicators=density&version=$NEW"
        echo "$BASE/api/v1/map/values?period=$p&level=province&indicators=population&version=$NEW"
    done <<<"$PERIODS" | drive harmonise
}

phase_timeline() {
    for i in $INDICATORS; do
        for level in province district commune h3; do
            for method in quantile jenks equal; do
                echo "$BASE/api/v1/classes?indicator=$i&level=$level&method=$method"
            done
        done
    done | drive timeline
}

phase_api() {
    while read -r p _; do
        for level in province district commune; do
            echo "$BASE/api/v1/values?period=$p&level=$level"
            echo "$BASE/api/v1/rankings?period=$p&level=$level&indicator=density"
            echo "$BASE/api/v1/download/$p/$level.csv"
            echo "$BASE/api/v1/download/$p/$level.geojson"
            for i in $INDICATORS; do
                echo "$BASE/api/v1/values?period=$p&level=$level&indicator=$i"
                echo "$BASE/api/v1/map/values?period=$p&level=$level&indicators=$i"
            done
        done
    done <<<"$PERIODS" | drive api
}

phase_admin() {
    while read -r p _; do
        for i in $INDICATORS; do
            for t in $ZXY; do echo "$BASE/tiles/admin/$p/$t.mvt?fields=$i"; done
        done
    done <<<"$PERIODS" | drive admin
}

phase_periods() {
    while read -r p _; do
        {
            for t in $ZXY; do echo "$BASE/tiles/admin/$p/$t.mvt"; done
            for level in province district commune; do
                echo "$BASE/api/v1/map/values?period=$p&level=$level&indicators=density,population"
                echo "$BASE/api/v1/classes?indicator=density&level=$level&period=$p&breaks=period"
                echo "$BASE/api/v1/values?period=$p&level=$level"
            done
            echo "$BASE/api/v1/download/$p/province.csv"
        } | drive "$p"
    done <<<"$PERIODS"
}

phase_client255() {
    {
        while read -r p v; do
            echo "$BASE/tiles/h3/$p/$(tile 8).mvt"
            echo "$BASE/api/v1/download/$p/commune.geojson"
            echo "$BASE/api/v1/values?period=$p&level=commune"
            [[ $v != "$NEW" ]] && echo "$BASE/tiles/admin/$p/$(tile 8).mvt?version=$NEW"
            echo "$BASE/api/v1/map/values?period=$p&level=commune&indicators=density"
        done <<<"$PERIODS"
        for i in $INDICATORS; do echo "$BASE/api/v1/classes?indicator=$i&level=h3"; done
    } | head -255 | drive client255
}

NEW=$(awk '{print $2}' <<<"$PERIODS" | sort -u | tail -1)
for phase in $PHASES; do "phase_$phase"; done

echo "caches (from /metrics):"
curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE/metrics" | grep -E '^popmap_(memory|cache|tile_cache)' | grep -v '^#' || true
mem end "all"
