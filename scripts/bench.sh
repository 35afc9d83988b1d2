#!/usr/bin/env bash
# Benchmarks of the data side (issue: foundation), on SQLite and PostgreSQL:
#   - import of the vn-2019 boundaries (63 provinces, 696 districts, 10,040 communes)
#   - publish of one national period (all communes, 17 indicators, aggregated upward)
# Wall time and peak RSS come from GNU time; each step runs 3 times on a fresh database and
# the figures of every run are printed. Results go in BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bin popmap >&2
BIN=./target/release/popmap
DEMO=data/build/demo
[ -f "$DEMO/tables/2025-06.csv" ] || $BIN --db sqlite://data/build/bench-gen.db demo --no-serve --out "$DEMO" >&2

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o /tmp/popmap-bench.time "$@" >/dev/null 2>/tmp/popmap-bench.err \
    || { cat /tmp/popmap-bench.err >&2; exit 1; }
  read -r secs kb </tmp/popmap-bench.time
  printf '%-42s %6.2f s  %6d MB peak RSS\n' "$label" "$secs" "$((kb / 1024))"
}

run_backend() { # name, url-factory
  local name=$1 mkurl=$2
  for i in 1 2 3; do
    local url; url=$($mkurl "$i")
    measure "$name import vn-2019 boundaries (run $i)" \
      $BIN --db "$url" import boundaries --version vn-2019 --valid-from 2019-01-01 \
      "$DEMO"/boundaries/vn-2019/provinces.geojson "$DEMO"/boundaries/vn-2019/districts.geojson \
      "$DEMO"/boundaries/vn-2019/communes.geojson
    measure "$name publish 2025-06 national (run $i)" \
      $BIN --db "$url" publish --period 2025-06 "$DEMO"/tables/2025-06.csv
  done
}

sqlite_url() { rm -f "/tmp/popmap-bench-$1.db"*; echo "sqlite:///tmp/popmap-bench-$1.db"; }
run_backend sqlite sqlite_url

PG_ADMIN=$(bash scripts/pg.sh)
pg_url() {
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS popmap_bench_$1" -c "CREATE DATABASE popmap_bench_$1" >&2
  echo "${PG_ADMIN%/*}/popmap_bench_$1"
}
run_backend postgres pg_url
