#!/usr/bin/env bash
# Data-API load figures for BENCHMARKS.md (issue 6), on the demo database (release build):
#   /api/v1/values for every commune of a period (vn-2019: 10,040 rows; vn-2025: 3,321 rows),
#   and /api/v1/units/{code}/series over every published period, with wrk (Debian):
#   2 threads, 8 connections, 10 s each, p50/p99 from wrk --latency. Rate limits are off.
# Usage: bash scripts/api_load.sh [DB_URL]   (default: the demo database of `make demo`)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-sqlite://data/build/popmap.db}
PORT=18102

command -v wrk >/dev/null || { sudo -n true 2>/dev/null && SUDO=sudo || SUDO=; $SUDO apt-get install -y -q wrk >&2; }
cargo build --release --bin popmap >&2
BIN=./target/release/popmap
if [[ "$DB" == sqlite://data/build/* ]]; then
    mkdir -p data/build
    $BIN --db "$DB" demo --no-serve >&2
fi

$BIN --db "$DB" serve --listen 127.0.0.1:$PORT --poll-seconds 0 --rate-ip 0 --rate-key 0 \
    >/tmp/popmap-api-load.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done

BASE=http://127.0.0.1:$PORT/api/v1
OLD=$(curl -sf "$BASE/periods" | python3 -c 'import json,sys; p=[x for x in json.load(sys.stdin) if x["version"]=="vn-2019" and "-" in x["period"] and "Q" not in x["period"]]; print(p[-1]["period"])')
NPER=$(curl -sf "$BASE/periods" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
run() {
    local name=$1 url=$2
    curl -sf -o /tmp/popmap-api-body "$url"
    local bytes; bytes=$(wc -c </tmp/popmap-api-body)
    local out; out=$(wrk -t2 -c8 -d10s --latency "$url")
    local p50 p99 rps
    p50=$(awk '/^ +50%/ {print $2}' <<<"$out")
    p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    echo "| $name | $bytes | $p50 | $p99 | $rps |"
}
echo "| request | body bytes | p50 | p99 | requests/s |"
echo "|---|---:|---:|---:|---:|"
run "values, all 10,040 communes of $OLD (vn-2019), all public indicators" "$BASE/values?period=$OLD&level=commune&limit=20000"
run "values, all communes of latest (vn-2025), all public indicators" "$BASE/values?level=commune&limit=20000"
run "values, all communes of $OLD, population only" "$BASE/values?period=$OLD&level=commune&limit=20000&indicator=population"
run "series, commune 00004, population, $NPER periods" "$BASE/units/00004/series?indicator=population"
run "series, commune 00004, sex_ratio (2 inputs), $NPER periods" "$BASE/units/00004/series?indicator=sex_ratio"
run "series, province 01, population, $NPER periods" "$BASE/units/01/series?indicator=population"
run "series, commune 00004, population, harmonised onto vn-2025" "$BASE/units/00004/series?indicator=population&view=harmonised"
run "series, province 01, sex_ratio, harmonised onto vn-2025" "$BASE/units/01/series?indicator=sex_ratio&view=harmonised"
run "series, commune 00004, population, h3 footprint" "$BASE/units/00004/series?indicator=population&view=h3"
run "series, province 01, population, h3 footprint" "$BASE/units/01/series?indicator=population&view=h3"
