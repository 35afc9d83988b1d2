#!/usr/bin/env bash
# Soak (issue 18 item 7): a release server on a copy of the demo database under mixed load for
# DURATION seconds, with a new period published every PUBLISH_EVERY seconds and the server's RSS
# sampled every 10 s, after one warm-up pass over its URLs (the cold start, timed on its own).
# Prints requests, statuses, p50/p99/p99.9/max latency, RSS at start, after
# the first minute, max and end, and whether issue 18's must-hold is met (no 5xx, RSS max <=
# 1.3 x RSS after the first minute, p99.9 <= 250 ms). Loopback only; bounded in time.
#
# Usage: DURATION=600 bash scripts/soak.sh
# Environment (all optional): DURATION (600 s), PUBLISH_EVERY (120 s), CONNECTIONS (64),
# SOAK_PORT (18370), SOAK_BIN (a built popmap; default: cargo build --release), SOAK_FLAGS
# (extra serve flags, e.g. "--memory-mb 384").
# The load is wrk (Debian) over a URL list made from the server's own periods: admin tiles of
# every zoom over several periods, boundary and H3 tiles, TileJSON, styles, map values, classes
# (timeline breaks), the data API (values, series, rankings, units) and harmonised values.
# The demo tables come from target/browser-demo (the browser tests' demo) or, if absent, from a
# demo generated into target/soak.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-600}
PUBLISH_EVERY=${PUBLISH_EVERY:-120}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${SOAK_PORT:-18370}
OUT=target/soak
mkdir -p $OUT

command -v wrk >/dev/null || apt-get install -y -q wrk >&2
if [ -n "${SOAK_BIN:-}" ]; then
  BIN=$SOAK_BIN
else
  cargo build --release --bin popmap >&2
  BIN=./target/release/popmap
fi
if [ -f target/browser-demo.db ] && [ -d target/browser-demo/tables ]; then
  cp target/browser-demo.db $OUT/soak.db
  TABLES=target/browser-demo/tables
else
  # The demo is generated once and kept (pristine.db): every run starts from the same store.
  if [ ! -f $OUT/pristine.db ] || [ ! -d $OUT/demo/tables ]; then
    rm -f $OUT/pristine.db $OUT/soak.db
    $BIN --db sqlite://$OUT/soak.db demo --no-serve --out $OUT/demo >&2
    sqlite3 $OUT/soak.db ".backup '$OUT/pristine.db'"
  fi
  cp $OUT/pristine.db $OUT/soak.db
  TABLES=$OUT/demo/tables
fi
rm -f $OUT/soak.db-wal $OUT/soak.db-shm
DB=sqlite://$OUT/soak.db
TOKEN=soak-$RANDOM-$RANDOM-$RANDOM

# shellcheck disable=SC2086
POPMAP_ADMIN_TOKEN=$TOKEN POPMAP_LOG=warn $BIN --db $DB serve --listen 127.0.0.1:$PORT \
  --poll-seconds 2 --rate-ip 0 --rate-key 0 ${SOAK_FLAGS:-} >$OUT/server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf http://127.0.0.1:$PORT/readyz >/dev/null && break; sleep 0.2; done
curl -sf http://127.0.0.1:$PORT/readyz >/dev/null || { echo "soak: server not ready (see $OUT/server.log)" >&2; exit 1; }
echo "binary $BIN, $DURATION s, $CONNECTIONS connections, a publish every $PUBLISH_EVERY s; load before: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$PORT" "$OUT/urls.txt" <<'PY'
import json, math, random, sys, urllib.request
port, out = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
periods = json.load(urllib.request.urlopen(f"{base}/api/v1/periods"))
rnd = random.Random(18)
def tile(lon, lat, z):
    n = 2 ** z
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
names = [p["period"] for p in periods]
months = [p for p in names if len(p) == 7 and "Q" not in p]
chosen = months[-6:] + months[:2] + [p for p in names if "Q" in p][-1:] + ["latest"]
urls = []
for period in chosen:
    for z in range(0, 13):
        x0, y0 = tile(102.1, 23.4, z); x1, y1 = tile(109.5, 8.4, z)
        for _ in range(6 if z > 4 else 2):
            x, y = rnd.randint(x0, x1), rnd.randint(y0, y1)
            urls.append(f"/tiles/admin/{period}/{z}/{x}/{y}.mvt")
    urls += [
        f"/tiles/admin/{period}.json",
        f"/api/v1/map/values?period={period}&level=province&indicators=population,sex_ratio",
        f"/api/v1/classes?period={period}&indicator=density&level=commune",
        f"/api/v1/values?period={period}&level=province",
        f"/api/v1/rankings?period={period}&indicator=sex_ratio&level=province",
        f"/styles/population-density.json?period={period}",
    ]
for v in ("vn-2019", "vn-2025"):
    urls += [f"/tiles/boundaries/{v}/{z}/{x}/{y}.mvt" for z in (5, 7, 9) for (x, y) in [tile(105.85, 21.03, z), tile(106.7, 10.78, z)]]
    urls.append(f"/tiles/boundaries/{v}.json")
for z in (5, 7, 9):
    x, y = tile(105.85, 21.03, z)
    urls.append(f"/tiles/h3/latest/{z}/{x}/{y}.mvt")
    urls.append(f"/tiles/admin/{months[0]}/{z}/{x}/{y}.mvt?version=vn-2025")
urls += [
    "/api/v1/units/01/series?indicator=population",
    "/api/v1/units/00004/series?indicator=sex_ratio",
    "/api/v1/units/01/series?indicator=population&view=harmonised",
    "/api/v1/units?q=ha%20noi",
    "/api/v1/versions",
    "/api/v1/periods",
    "/healthz",
]
with open(out, "w") as f:
    f.write("\n".join(urls) + "\n")
print(f"{len(urls)} URLs over {len(chosen)} periods")
PY

cat >$OUT/soak.lua <<LUA
local paths = {}
for line in io.lines("$OUT/urls.txt") do paths[#paths + 1] = line end
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(7 + id)
  statuses = {}
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)], { ["Accept-Encoding"] = "gzip" })
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do all[s] = (all[s] or 0) + n end
  end
  local line = "statuses:"
  for s, n in pairs(all) do line = line .. " " .. s .. "=" .. n end
  io.write(line .. "\n")
  io.write(string.format("requests: %d, errors: connect %d read %d write %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
  io.write(string.format("latency ms: p50 %.1f p99 %.1f p99.9 %.1f max %.1f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
LUA

# One pass over the URLs before the timed load (four at a time): the cold start (every period's
# values, tile sources, H3 grids and timelines read or built once) is timed here, apart from
# the steady load and its publishes, which the must-hold is about.
python3 - "$PORT" "$OUT/urls.txt" <<'PY'
import sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
port, urls = sys.argv[1], [l.strip() for l in open(sys.argv[2]) if l.strip()]
def fetch(u):
    t = time.perf_counter()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}{u}").read()
    except urllib.error.HTTPError:
        pass
    return (time.perf_counter() - t) * 1000, u
t0 = time.perf_counter()
with ThreadPoolExecutor(4) as ex:
    took = sorted(ex.map(fetch, urls), reverse=True)
print(f"warm-up (cold start): {len(urls)} URLs in {time.perf_counter() - t0:.1f} s, 4 at a time; "
      f"slowest {took[0][0]:.0f} ms ({took[0][1]})")
PY

rss() { awk '/VmRSS/{print int($2/1024)}' /proc/$PID/status; }
: >$OUT/rss.txt
(
  start=$SECONDS
  while (( SECONDS - start <= DURATION )); do
    echo "$((SECONDS - start)) $(rss)" >>$OUT/rss.txt
    sleep 10
  done
) &
# Publishes: the last month's table under the following months, one every PUBLISH_EVERY s.
LAST=$(ls $TABLES | grep -E '^[0-9]{4}-[0-9]{2}\.csv$' | sort | tail -1)
(
  y=${LAST:0:4}; m=$((10#${LAST:5:2}))
  sleep "$PUBLISH_EVERY"
  while true; do
    m=$((m + 1)); if (( m > 12 )); then m=1; y=$((y + 1)); fi
    p=$(printf '%04d-%02d' "$y" "$m")
    if $BIN --db $DB publish --period "$p" "$TABLES/$LAST" >$OUT/publish-$p.log 2>&1; then
      echo "published $p at $(date +%T)"
    else
      echo "publish $p FAILED (see $OUT/publish-$p.log)"
    fi
    sleep "$PUBLISH_EVERY"
  done
) &
PUBLISHER=$!
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s $OUT/soak.lua http://127.0.0.1:$PORT/ | tee $OUT/wrk.txt
kill $PUBLISHER 2>/dev/null || true
echo "$DURATION $(rss)" >>$OUT/rss.txt
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/rss.txt" "$OUT/wrk.txt" <<'PY'
import re, sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
start, end = rows[0][1], rows[-1][1]
minute = next((r for t, r in rows if t >= 60), rows[-1][1])
top = max(r for _, r in rows)
print(f"RSS MiB: start {start}, after the first minute {minute}, max {top}, end {end}")
wrk = open(sys.argv[2]).read()
five = sum(int(n) for s, n in re.findall(r"\b(5\d\d)=(\d+)", wrk))
p999 = float(re.search(r"p99\.9 ([\d.]+)", wrk).group(1))
ok = five == 0 and top <= 1.3 * minute and p999 <= 250
print(f"must-hold (0 x 5xx, RSS max <= 1.3 x {minute} = {1.3 * minute:.0f}, p99.9 <= 250 ms): "
      f"5xx {five}, RSS max {top}, p99.9 {p999:.1f} ms -> {'MET' if ok else 'NOT MET'}")
PY
