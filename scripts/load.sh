#!/usr/bin/env bash
# Tile-server load figures for BENCHMARKS.md (issue: vector tiles), on the demo database:
#   1. cold pass: every tile of a seeded random sample (z0–z12, within Vietnam's box) requested
#      once through HTTP (generation + gzip/brotli compression + cache insert): p50/p99 ms and
#      gzip bytes p50/max per zoom;
#   2. warm throughput: wrk (Debian) over the same URLs, gzip accepted, 2 threads;
#   3. the ceiling: the same tiles (gzip bodies) served as static files by nginx (Debian) with
#      the same wrk run;
#   4. server RSS with the cache warm, and each server's CPU per request over its wrk run
#      (user and system µs from /proc/PID/task/*/stat, nginx's workers included; wrk shares
#      the cores, so this is the steadier figure on a busy machine);
#   5. with POPMAP_LOAD_IR=N: instructions per warm request, the figure other processes on the
#      machine do not disturb: the server under valgrind's callgrind, counters zeroed once the
#      cache is warm, then N requests over one keep-alive connection cycling through the sample.
# Usage: bash scripts/load.sh [PERIOD]   (default latest)
# Environment (all optional): POPMAP_LOAD_BIN (a built popmap; default: cargo build --release),
# POPMAP_LOAD_DB (a prepared database, e.g. sqlite:///tmp/x.db; default: the demo generated into
# data/build/popmap.db), POPMAP_LOAD_PORT / POPMAP_LOAD_NGINX_PORT (18089 / 18090),
# POPMAP_LOAD_QUERY (appended to every tile URL, e.g. '?fields=all'), POPMAP_LOAD_IR.
set -euo pipefail
cd "$(dirname "$0")/.."
PERIOD=${1:-latest}
PORT=${POPMAP_LOAD_PORT:-18089}
NPORT=${POPMAP_LOAD_NGINX_PORT:-18090}
QUERY=${POPMAP_LOAD_QUERY:-}
TMP=/tmp/popmap-load-$PORT
mkdir -p $TMP

need() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ] || apt-get install -y -q "$2" >&2; }
need wrk wrk
need nginx nginx
if [ -n "${POPMAP_LOAD_BIN:-}" ]; then
  BIN=$POPMAP_LOAD_BIN
else
  cargo build --release --bin popmap >&2
  BIN=./target/release/popmap
fi
if [ -n "${POPMAP_LOAD_DB:-}" ]; then
  DB=$POPMAP_LOAD_DB
else
  DB=sqlite://data/build/popmap.db
  mkdir -p data/build
  $BIN --db $DB demo --no-serve >&2
fi
echo "binary $BIN, database $DB, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

$BIN --db $DB serve --listen 127.0.0.1:$PORT --poll-seconds 0 --cache-mb 512 --rate-ip 0 --rate-key 0 >$TMP/server.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf http://127.0.0.1:$PORT/readyz >/dev/null && break; sleep 0.2; done

STATIC=$TMP/static
rm -rf $STATIC && mkdir -p $STATIC
python3 - "$PORT" "$PERIOD" "$STATIC" "$QUERY" "$TMP/urls.txt" <<'PY'
import gzip, math, os, random, statistics, sys, time, urllib.request
port, period, static, query, url_file = sys.argv[1:6]
rnd = random.Random(42)
def tile(lon, lat, z):
    n = 2 ** z
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
urls = []
print("| zoom | tiles | non-empty | cold p50 ms | cold p99 ms | gzip p50 kB | gzip max kB |")
print("|-----:|------:|----------:|------------:|------------:|------------:|------------:|")
for z in range(0, 13):
    x0, y0 = tile(102.1, 23.4, z); x1, y1 = tile(109.5, 8.4, z)
    cand = sorted({(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)})
    sample = cand if len(cand) <= 150 else rnd.sample(cand, 150)
    times, sizes = [], []
    for x, y in sample:
        path = f"/tiles/admin/{period}/{z}/{x}/{y}.mvt"
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}{query}", headers={"Accept-Encoding": "gzip"})
        t = time.perf_counter()
        with urllib.request.urlopen(req) as r:
            body = r.read()
            status = r.status
        times.append((time.perf_counter() - t) * 1000)
        if status == 200:
            sizes.append(len(body))
            urls.append(path + query)
            out = os.path.join(static, path.lstrip("/"))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "wb") as f:
                f.write(body)
    times.sort()
    p = lambda v, q: v[min(len(v) - 1, int(q * len(v)))] if v else 0
    print(f"| {z} | {len(sample)} | {len(sizes)} | {statistics.median(times):.1f} | {p(times, 0.99):.1f} | "
          f"{(statistics.median(sizes) if sizes else 0)/1024:.1f} | {(max(sizes) if sizes else 0)/1024:.1f} |")
with open(url_file, "w") as f:
    f.write("\n".join(urls) + "\n")
PY

# CPU ticks (user system) of PID and its children's threads, for the CPU per request of a run.
cpu_ticks() {
  local u=0 s=0 f
  for f in /proc/$1/task/*/stat $(for c in $(cat /proc/$1/task/*/children 2>/dev/null); do echo /proc/$c/task/*/stat; done); do
    read -r a b < <(sed 's/.*) //' "$f" 2>/dev/null | awk '{print $12, $13}') || continue
    u=$((u + a)); s=$((s + b))
  done
  echo "$u $s"
}
# wrk over the sample against port $1, with the CPU per request of process $2 (and children).
warm_run() {
  local before after out n
  before=$(cpu_ticks "$2")
  out=$(wrk -t2 -c64 -d15s --latency -s $TMP/load.lua http://127.0.0.1:$1/)
  after=$(cpu_ticks "$2")
  echo "$out" | sed -n '1,20p'
  n=$(echo "$out" | awk '/requests in/{print $1}')
  python3 - "$before" "$after" "$n" <<'PY'
import os, sys
b, a = (list(map(int, v.split())) for v in sys.argv[1:3])
n, tick = int(sys.argv[3]), os.sysconf("SC_CLK_TCK")
u, s = ((a[i] - b[i]) / tick * 1e6 / n for i in (0, 1))
load = " ".join(open("/proc/loadavg").read().split()[:3])
print(f"server CPU per request: {u + s:.1f} µs (user {u:.1f}, system {s:.1f}); load {load}")
PY
}

cat > $TMP/load.lua <<LUA
local paths = {}
for line in io.lines("$TMP/urls.txt") do paths[#paths + 1] = line end
math.randomseed(7)
request = function()
  return wrk.format("GET", paths[math.random(#paths)], { ["Accept-Encoding"] = "gzip" })
end
LUA
echo
echo "warm throughput (wrk -t2 -c64 -d15s, random URL from the sample, gzip):"
warm_run $PORT $PID
echo "server RSS after the warm run: $(awk '/VmRSS/{print int($2/1024)" MB"}' /proc/$PID/status)"

# The ceiling: nginx serving the same gzip bodies from disk (2 workers, like the 2 cores).
cat > $TMP/nginx.conf <<NGX
worker_processes 2;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$NPORT;
    root $STATIC;
    location /tiles/ {
      default_type application/vnd.mapbox-vector-tile;
      add_header Content-Encoding gzip;
    }
  }
}
NGX
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
$NGINX -c $TMP/nginx.conf
trap 'kill $PID 2>/dev/null || true; $NGINX -c $TMP/nginx.conf -s stop 2>/dev/null || true' EXIT
sleep 0.5
echo
echo "ceiling: nginx static files, same URLs (wrk -t2 -c64 -d15s):"
warm_run $NPORT "$(cat $TMP/nginx.pid)"

# Instructions per warm request (optional): undisturbed by whatever else the machine runs.
if [ -n "${POPMAP_LOAD_IR:-}" ]; then
  need valgrind valgrind
  kill $PID 2>/dev/null || true
  wait $PID 2>/dev/null || true
  rm -f $TMP/callgrind.out*
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$TMP/callgrind.out \
    $BIN --db $DB serve --listen 127.0.0.1:$PORT --poll-seconds 0 --cache-mb 512 --rate-ip 0 --rate-key 0 \
    >$TMP/server-callgrind.log 2>&1 &
  PID=$!
  for _ in $(seq 600); do curl -sf http://127.0.0.1:$PORT/readyz >/dev/null && break; sleep 0.5; done
  python3 - "$PORT" "$TMP/urls.txt" "$POPMAP_LOAD_IR" "$PID" <<'PY'
import http.client, subprocess, sys
port, url_file, n, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
urls = [l.strip() for l in open(url_file) if l.strip()]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
def get(path):
    c.request("GET", path, headers={"Accept-Encoding": "gzip"})
    r = c.getresponse()
    r.read()
    return r.status
for u in urls:  # warm the cache (uninstrumented)
    get(u)
subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
statuses = [get(urls[i % len(urls)]) for i in range(n)]
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
assert all(s == 200 for s in statuses), set(statuses)
PY
  kill -INT $PID 2>/dev/null || true
  wait $PID 2>/dev/null || true
  # Only the part dumped after the requests (the dump at exit holds the shutdown).
  IR=$(grep -l '^desc: Trigger: dump' $TMP/callgrind.out* | xargs awk '/^summary:/{s+=$2} END{printf "%.0f", s}')
  echo
  echo "instructions per warm request (callgrind, $POPMAP_LOAD_IR requests, one keep-alive connection, gzip): $((IR / POPMAP_LOAD_IR))"
  echo "profile: callgrind_annotate --inclusive=yes $(grep -l '^desc: Trigger: dump' $TMP/callgrind.out* | head -1)"
fi
