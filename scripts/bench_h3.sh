#!/usr/bin/env bash
# H3 benchmark figures for BENCHMARKS.md, on a copy of the demo database:
#   1. operator build of vn-2025 at r9 (area weights): wall time and peak RSS (GNU time);
#   2. applying it to one period (all base counts, r9 down to r4) and disclosure control;
#   3. cold H3 tiles at z6, z9 and z12: every tile of a seeded sample over Vietnam requested
#      once through HTTP (the period's grid is built by a first request before timing).
# Usage: bash scripts/bench_h3.sh [PERIOD] [RESOLUTION]   (defaults 2026-09, 9)
set -euo pipefail
cd "$(dirname "$0")/.."
PERIOD=${1:-2026-09}
RES=${2:-9}
PORT=18101
cargo build --release --bin popmap >&2
BIN=./target/release/popmap
mkdir -p data/build
[ -f data/build/popmap.db ] || $BIN --db sqlite://data/build/popmap.db demo --no-serve >&2
cp data/build/popmap.db /tmp/popmap-bench-h3.db
rm -f /tmp/popmap-bench-h3.db-wal /tmp/popmap-bench-h3.db-shm
DB=sqlite:///tmp/popmap-bench-h3.db

echo "== operator build: vn-2025 at r$RES (area weights)"
/usr/bin/time -v $BIN --db $DB h3 build --version vn-2025 --resolution "$RES" 2>/tmp/popmap-bench-h3.time >&2 || {
    cat /tmp/popmap-bench-h3.time >&2; exit 1; }
grep -E "popmap: built|Elapsed \(wall|Maximum resident" /tmp/popmap-bench-h3.time

echo "== apply to $PERIOD (all base counts, every resolution) + disclosure"
for _ in 1 2 3; do $BIN --db $DB h3 apply --period "$PERIOD" | sed -n 1p; done
/usr/bin/time -v $BIN --db $DB h3 apply --period "$PERIOD" 2>/tmp/popmap-bench-h3.time
grep -E "Elapsed \(wall|Maximum resident" /tmp/popmap-bench-h3.time

echo "== cold H3 tiles"
$BIN --db $DB serve --listen 127.0.0.1:$PORT --poll-seconds 0 --cache-mb 512 >/tmp/popmap-bench-h3.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
python3 - "$PORT" "$PERIOD" <<'PY'
import math, random, statistics, sys, time, urllib.request
port, period = sys.argv[1], sys.argv[2]
rnd = random.Random(42)
def tile(lon, lat, z):
    n = 2 ** z
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
def get(path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = r.read()
        return (time.perf_counter() - t) * 1000, r.status, len(body)
ms, _, _ = get(f"/tiles/h3/{period}/0/0/0.mvt")
print(f"first request (grid build for the period + tile): {ms:.0f} ms")
print("| zoom | resolution | tiles | non-empty | cold p50 ms | cold p99 ms | gzip p50 kB | gzip max kB |")
print("|-----:|-----------:|------:|----------:|------------:|------------:|------------:|------------:|")
res = {6: 4, 9: 5, 12: 8}
for z in (6, 9, 12):
    x0, y0 = tile(102.1, 23.4, z); x1, y1 = tile(109.5, 8.4, z)
    cand = sorted({(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)})
    sample = cand if len(cand) <= 200 else rnd.sample(cand, 200)
    times, sizes = [], []
    for x, y in sample:
        t, status, n = get(f"/tiles/h3/{period}/{z}/{x}/{y}.mvt")
        times.append(t)
        if status == 200:
            sizes.append(n)
    times.sort()
    p = lambda v, q: v[min(len(v) - 1, int(q * len(v)))] if v else 0
    print(f"| {z} | r{res[z]} | {len(sample)} | {len(sizes)} | {statistics.median(times):.1f} | {p(times, 0.99):.1f} | "
          f"{(statistics.median(sizes) if sizes else 0)/1024:.1f} | {(max(sizes) if sizes else 0)/1024:.1f} |")
PY
echo "server RSS with the grid loaded: $(awk '/VmRSS/{print int($2/1024)" MB"}' /proc/$PID/status)"
