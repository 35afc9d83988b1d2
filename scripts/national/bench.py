"""Driver of scripts/national/bench.sh: measures, and records each figure with the load average.

Every sub-command appends its figures to RESULTS (JSON, one object per stage) so a stage can be
rerun alone and `summary` still prints the whole table of ratios.

  timed NAME -- CMD...            wall, CPU (user+sys) and peak RSS of CMD (/usr/bin/time -v)
  tippecanoe-input GEOJSON OUT    features as GeoJSON lines with popmap's zooms per level
  sample DB VERSION OUT           the seeded tile sample inside Vietnam, z0–12 (+ 8/203/112)
  serve NAME URL PIDFILE -- CMD   start CMD, time to the first 200 from URL, leave it running
  cold TILES NAME|BASE|TEMPLATE|PIDS...  each tile once from each server, interleaved: wall and
                                  server CPU p50/p99 ms per zoom (TEMPLATE has {z}/{x}/{y})
  save-static BASE TEMPLATE TILES DIR KEPT  popmap's gzip bodies as files for nginx (same bytes)
  warm NAME BASE TEMPLATE TILES [PIDS]  wrk -t2 -c64 -d$WARM_SECONDS over the tile URLs, gzip;
                                  with PIDS also the server's CPU µs per request
  rss NAME PID                    resident memory of a process (and its children)
  bytes NAME FILE                 size of an output
  summary                         the table of ratios from every recorded figure
"""

import http.client
import json
import math
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

RESULTS = Path(os.environ.get("NATIONAL_RESULTS", "target/national/results/results.json"))
SEED = 17
PER_ZOOM = int(os.environ.get("TILES_PER_ZOOM", "100"))
DENSEST = (8, 203, 112)  # Hà Nội: the densest tile of the national file (issue 17)


def load_avg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def record(stage, name, **figures):
    """Adds figures (with the load average now) under stage/name in RESULTS."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    figures["load"] = load_avg()
    figures["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    data.setdefault(stage, {})[name] = figures
    RESULTS.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    print(f"[{stage}] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items() if not isinstance(v, dict)))


def timed(name, cmd):
    out = RESULTS.parent / f"time-{name}.txt"
    t = time.perf_counter()
    rc = subprocess.run(["/usr/bin/time", "-v", "-o", str(out)] + cmd).returncode
    wall = time.perf_counter() - t
    text = out.read_text()
    get = lambda key: float(re.search(re.escape(key) + r": ([0-9.]+)", text).group(1))  # noqa: E731
    record(
        "build", name, wall_s=round(wall, 2), cpu_s=round(get("User time (seconds)") + get("System time (seconds)"), 2),
        peak_rss_mb=round(get("Maximum resident set size (kbytes)") / 1024, 1), exit=rc,
    )
    if rc != 0:
        sys.exit(f"bench.py: {name} failed with exit {rc}: {' '.join(cmd)}")


# popmap's levels per zoom (geodata LEVEL_ZOOMS): provinces z0–5, districts z6–7, communes z8+.
LEVEL_ZOOMS = {"province": (0, 5), "district": (6, 7), "commune": (8, 12)}


def tippecanoe_input(src, out):
    features = json.loads(Path(src).read_text(encoding="utf8"))["features"]
    with open(out, "w", encoding="utf8") as f:
        for feat in features:
            lo, hi = LEVEL_ZOOMS[feat["properties"]["level"]]
            feat["tippecanoe"] = {"layer": feat["properties"]["level"], "minzoom": lo, "maxzoom": hi}
            f.write(json.dumps(feat, ensure_ascii=False, separators=(",", ":")) + "\n")


def tile_of(lon, lat, z):
    n = 2**z
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)


def sample(db, version, out):
    """Per zoom up to PER_ZOOM distinct tiles under the box centres of seeded random communes."""
    con = sqlite3.connect(f"file:{db[len('sqlite://'):]}?mode=ro", uri=True)
    centres = con.execute(
        "SELECT (minx + maxx) / 2, (miny + maxy) / 2 FROM units WHERE version = ? AND level = 'commune'"
        " ORDER BY code", (version,)
    ).fetchall()
    rnd = random.Random(SEED)
    tiles = []
    for z in range(13):
        seen = set()
        for lon, lat in rnd.sample(centres, len(centres)):
            seen.add(tile_of(lon, lat, z))
            if len(seen) >= PER_ZOOM:
                break
        if z == DENSEST[0]:
            seen.add(DENSEST[1:])
        tiles += [(z, x, y) for x, y in sorted(seen)]
    Path(out).write_text("".join(f"{z} {x} {y}\n" for z, x, y in tiles))
    print(f"sample: {len(tiles)} tiles z0–12 (seed {SEED}, ≤ {PER_ZOOM} per zoom) → {out}")


def read_tiles(path):
    return [tuple(int(v) for v in line.split()) for line in Path(path).read_text().splitlines() if line.strip()]


CONNECTIONS = {}


def get(base, path):
    """GET with gzip accepted over one kept-alive connection per server (no connect per tile)."""
    for attempt in range(2):
        c = CONNECTIONS.get(base)
        if c is None:
            u = urllib.parse.urlsplit(base)
            c = CONNECTIONS[base] = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        try:
            c.request("GET", path, headers={"Accept-Encoding": "gzip"})
            r = c.getresponse()
            return r.status, r.read()
        except (http.client.HTTPException, OSError):
            c.close()
            del CONNECTIONS[base]
            if attempt:
                raise


def serve(name, url, pidfile, cmd):
    log = open(RESULTS.parent / f"serve-{name}.log", "w")
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    Path(pidfile).write_text(str(p.pid))
    while True:
        if p.poll() is not None:
            sys.exit(f"bench.py: {name} exited with {p.returncode} before {url} answered; see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
        except Exception:
            pass
        if time.perf_counter() - t > 600:
            sys.exit(f"bench.py: {name} not ready after 600 s")
        time.sleep(0.01)
    ready = round(time.perf_counter() - t, 3)
    log.flush()
    # Issue 17: the 503s a starting server answers (polled every 10 ms here) are not errors.
    errors = sum(1 for line in open(log.name, errors="replace") if " ERROR " in re.sub(r"\x1b\[[0-9;]*m", " ", line))
    # The process's own CPU time so far (dead threads included), in clock ticks.
    fields = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu_s = round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    record("serve", name, ready_s=ready, cpu_to_ready_s=cpu_s, rss_at_ready_mb=rss_mb(p.pid),
           error_lines_at_start=errors)


def pct(v, q):
    return v[min(len(v) - 1, int(q * len(v)))] if v else 0.0


def pg_backends(db):
    """PIDs of the PostgreSQL backends (scripts/pg.sh's cluster) connected to database `db`."""
    pm = Path(os.environ.get("POPMAP_PG_DIR", "/tmp/popmap-pg")) / "postmaster.pid"
    try:
        master = pm.read_text().split()[0]
        kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except (FileNotFoundError, IndexError):
        return []
    out = []
    for k in kids:
        try:
            if f" {db} " in Path(f"/proc/{k}/cmdline").read_text(errors="replace").replace("\0", " "):
                out.append(k)
        except FileNotFoundError:
            pass
    return out


def server_pids(spec):
    """`PIDFILE` or `PIDFILE+pg:DB`: the server's process, its children (nginx's workers) and,
    for martin, its database backends."""
    pidfile, _, pg = spec.partition("+pg:")
    pid = Path(pidfile).read_text().strip()
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        kids = []
    return [pid] + kids + (pg_backends(pg) if pg else [])


def cpu_ns(pids):
    """On-CPU nanoseconds so far of every thread of `pids`, by thread id (/proc/PID/task/*/schedstat).

    Deltas are taken per thread: a thread that ends inside the window loses only its time in the
    window (a process total would lose its whole life), one that starts counts from zero."""
    out = {}
    for p in pids:
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except (FileNotFoundError, ProcessLookupError):
            continue
        for t in tids:
            try:
                out[t] = int(Path(f"/proc/{p}/task/{t}/schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
    return out


def cpu_delta_ms(before, after):
    return sum(v - before.get(t, 0) for t, v in after.items()) / 1e6


def cold(tiles, *servers):
    """Each tile once from every server, interleaved tile by tile so that the machine's load
    (others compiling) weighs on all servers alike. `servers`: NAME|BASE|TEMPLATE|PIDS each
    (PIDS as in `server_pids`). Besides the wall time seen by the client, the CPU time the
    server (and its database) spent on the tile, which others' load disturbs much less."""
    servers = [s.split("|") for s in servers]
    by_zoom = {n[0]: {} for n in servers}
    cpu = {n[0]: {} for n in servers}
    sizes = {n[0]: {} for n in servers}
    bad = {n[0]: [] for n in servers}
    for z, x, y in read_tiles(tiles):
        for name, base, template, pids in servers:
            path = template.format(z=z, x=x, y=y)
            before = cpu_ns(server_pids(pids))
            t = time.perf_counter()
            status, body = get(base, path)
            ms = (time.perf_counter() - t) * 1000
            after = cpu_ns(server_pids(pids))
            cpu[name].setdefault(z, []).append(cpu_delta_ms(before, after))
            if status not in (200, 204):
                bad[name].append(f"{path}: {status} {body[:120]!r}")
            by_zoom[name].setdefault(z, []).append(ms)
            sizes[name].setdefault(z, []).append(len(body))
            if (z, x, y) == DENSEST:
                record("cold-densest", name, ms=round(ms, 2), cpu_ms=round(cpu[name][z][-1], 2), bytes=len(body))
    for name, *_ in servers:
        zooms = {}
        for z, v in sorted(by_zoom[name].items()):
            v.sort()
            c = sorted(cpu[name][z])
            zooms[str(z)] = {"n": len(v), "p50": round(statistics.median(v), 2), "p99": round(pct(v, 0.99), 2),
                             "total": round(sum(v), 1), "cpu_p50": round(statistics.median(c), 2),
                             "cpu_p99": round(pct(c, 0.99), 2), "cpu_total": round(sum(c), 1),
                             "bytes_p50": int(statistics.median(sizes[name][z]))}
        total = round(sum(sum(v) for v in by_zoom[name].values()), 1)
        cpu_total = round(sum(sum(v) for v in cpu[name].values()), 1)
        record("cold", name, total_ms=total, cpu_total_ms=cpu_total, errors=len(bad[name]), zooms=zooms)
        print(f"| zoom | tiles | {name} p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | gzip p50 B |")
        for z, st in zooms.items():
            print(f"| {z} | {st['n']} | {st['p50']} | {st['p99']} | {st['cpu_p50']} | {st['cpu_p99']} | {st['bytes_p50']} |")
        for b in bad[name][:10]:
            print("  error:", b)


def save_static(base, template, tiles, out, kept):
    """Each 200 answer of popmap (gzip, as served) written where nginx finds it; `kept` lists
    those tiles (the warm runs use only them, so nginx never answers 404)."""
    urls, keep = [], []
    for z, x, y in read_tiles(tiles):
        path = template.format(z=z, x=x, y=y)
        status, body = get(base, path)
        if status == 200:
            f = Path(out) / path.lstrip("/")
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(body)
            urls.append(path)
            keep.append(f"{z} {x} {y}\n")
    Path(kept).write_text("".join(keep))
    print(f"static: {len(urls)} tiles (popmap's gzip bodies) under {out}")


def warm(name, base, template, tiles, pids=None):
    """wrk over the tiles; with `pids` (see `server_pids`) also the server's CPU µs per request."""
    lua = RESULTS.parent / f"wrk-{name}.lua"
    urls = RESULTS.parent / f"urls-{name}.txt"
    urls.write_text("".join(template.format(z=z, x=x, y=y) + "\n" for z, x, y in read_tiles(tiles)))
    lua.write_text(
        "local paths = {}\n"
        f'for line in io.lines("{urls}") do paths[#paths + 1] = line end\n'
        "math.randomseed(7)\n"
        'request = function() return wrk.format("GET", paths[math.random(#paths)], '
        '{ ["Accept-Encoding"] = "gzip" }) end\n'
    )
    for _ in range(2):  # every URL twice first: caches filled
        for z, x, y in read_tiles(tiles):
            get(base, template.format(z=z, x=x, y=y))
    secs = os.environ.get("WARM_SECONDS", "15")
    before = cpu_ns(server_pids(pids)) if pids else {}
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{secs}s", "--latency", "-s", str(lua), base + "/"],
                         capture_output=True, text=True, check=True).stdout
    after = cpu_ns(server_pids(pids)) if pids else {}
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    n = int(re.search(r"(\d+) requests in", out).group(1))
    cpu_us = round(cpu_delta_ms(before, after) * 1e3 / n, 1) if pids and n else None
    p99 = re.search(r"99%\s+(\S+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    record("warm", name, req_per_s=round(rps), p99=p99.group(1) if p99 else "?",
           non_2xx=int(non2xx.group(1)) if non2xx else 0, server_cpu_us_per_req=cpu_us)


def rss_mb(pid):
    """VmRSS of pid and its descendants, MB."""
    total, todo = 0, [str(pid)]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            todo += Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except (FileNotFoundError, AttributeError, ProcessLookupError):
            pass
    return round(total / 1024, 1)


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "n/a"


def summary():
    d = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    b, s, c, w = d.get("build", {}), d.get("serve", {}), d.get("cold", {}), d.get("warm", {})
    print("\n## National benchmark (issue 17): ratios")
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    print(f"machine: {os.cpu_count()} cores, {cpu.group(1) if cpu else '?'}, "
          f"{int(mem.group(1)) // 1024 // 1024 if mem else '?'} GB RAM")
    print(f"figures: {RESULTS}; each line names the load average (1/5/15 min) when it was taken\n")
    print("| measure | popmap | other | ratio (popmap / other) | target | load |")
    print("|---|---:|---:|---:|---|---|")
    pm = [b.get(k) for k in ("popmap-import", "popmap-publish", "popmap-export")]
    if all(pm) and b.get("tippecanoe"):
        tp = b["tippecanoe"]
        for what, key, tgt in (("build wall s", "wall_s", "≤ 1×"), ("build CPU s", "cpu_s", ""), ("peak RSS MB", "peak_rss_mb", "≤ 1.5×")):
            v = sum(x[key] for x in pm) if key != "peak_rss_mb" else max(x[key] for x in pm)
            print(f"| import+publish+export z0–12 vs tippecanoe: {what} | {v:.1f} | {tp[key]:.1f} | {ratio(v, tp[key])} | {tgt} | {tp['load']} |")
    if d.get("bytes", {}).get("popmap-export") and d["bytes"].get("tippecanoe"):
        pb, tb = d["bytes"]["popmap-export"], d["bytes"]["tippecanoe"]
        print(f"| archive bytes vs tippecanoe | {pb['bytes']} | {tb['bytes']} | {ratio(pb['bytes'], tb['bytes'])} | | {pb['load']} |")
    if s.get("popmap"):
        print(f"| start to /readyz 200 (s) | {s['popmap']['ready_s']} | martin {s.get('martin', {}).get('ready_s', 'n/a')} | | < 2 s | {s['popmap']['load']} |")
        print(f"| CPU time to ready (s) | {s['popmap'].get('cpu_to_ready_s', '?')} | martin {s.get('martin', {}).get('cpu_to_ready_s', 'n/a')} | | | {s['popmap']['load']} |")
        print(f"| ERROR lines logged while starting | {s['popmap'].get('error_lines_at_start', '?')} | | | 0 | {s['popmap']['load']} |")
    r = d.get("rss", {})
    if r.get("popmap"):
        print(f"| RSS after the warm pass (MB) | {r['popmap']['mb']} | martin {r.get('martin', {}).get('mb', 'n/a')} | | ≤ 150 MB | {r['popmap']['load']} |")
    for other, tgt in (("martin-table", "z11–12 ≤ 1×"), ("martin-function", "")):
        if c.get("popmap") and c.get(other):
            for z in c["popmap"]["zooms"]:
                p, o = c["popmap"]["zooms"][z], c[other]["zooms"].get(z)
                if o:
                    print(f"| cold z{z} p50 / p99 ms vs {other} | {p['p50']} / {p['p99']} | {o['p50']} / {o['p99']} | {ratio(p['p50'], o['p50'])} / {ratio(p['p99'], o['p99'])} | {tgt if z in ('11', '12') else ('p99 ≤ 20 ms' if z == '8' else '')} | {c['popmap']['load']} |")
            print(f"| cold total ms vs {other} | {c['popmap']['total_ms']} | {c[other]['total_ms']} | {ratio(c['popmap']['total_ms'], c[other]['total_ms'])} | | {c[other]['load']} |")
            for z in ("8", "11", "12"):
                p, o = c["popmap"]["zooms"].get(z), c[other]["zooms"].get(z)
                if p and o and "cpu_p50" in p and "cpu_p50" in o:
                    print(f"| cold z{z} server CPU p50 / p99 ms vs {other} (+ its PostgreSQL backends) | {p['cpu_p50']} / {p['cpu_p99']} | {o['cpu_p50']} / {o['cpu_p99']} | {ratio(p['cpu_p50'], o['cpu_p50'])} / {ratio(p['cpu_p99'], o['cpu_p99'])} | | {c['popmap']['load']} |")
            if "cpu_total_ms" in c["popmap"] and "cpu_total_ms" in c[other]:
                print(f"| cold server CPU total ms vs {other} | {c['popmap']['cpu_total_ms']} | {c[other]['cpu_total_ms']} | {ratio(c['popmap']['cpu_total_ms'], c[other]['cpu_total_ms'])} | | {c[other]['load']} |")
    dn = d.get("cold-densest", {})
    if dn.get("popmap"):
        others = ", ".join(f"{k} {v['ms']} ms" for k, v in dn.items() if k != "popmap")
        print(f"| densest tile 8/203/112 cold ms (bytes) | {dn['popmap']['ms']} ({dn['popmap']['bytes']}) | {others} | | ≤ 20 ms | {dn['popmap']['load']} |")
    for other, tgt in (("nginx", "≥ 0.8×"), ("martin", "")):
        if w.get("popmap") and w.get(other):
            print(f"| warm req/s (wrk -t2 -c64) vs {other} | {w['popmap']['req_per_s']} | {w[other]['req_per_s']} | {ratio(w['popmap']['req_per_s'], w[other]['req_per_s'])} | {tgt} | {w[other]['load']} |")
            pc, oc = w["popmap"].get("server_cpu_us_per_req"), w[other].get("server_cpu_us_per_req")
            if pc and oc:
                print(f"| warm server CPU µs per request vs {other} | {pc} | {oc} | {ratio(pc, oc)} | {'≤ 1.25×' if other == 'nginx' else ''} | {w[other]['load']} |")
    a = d.get("area", {}).get("popmap")
    if a:
        print(f"| units with area beyond 0.5 % of pyproj | {a['beyond']} of {a['units']} | | | 0 | {a['load']} |")


def main():
    argv = sys.argv[1:]
    cmd, args = argv[0], argv[1:]
    rest = args[args.index("--") + 1 :] if "--" in args else []
    args = args[: args.index("--")] if "--" in args else args
    if cmd == "timed":
        timed(args[0], rest)
    elif cmd == "tippecanoe-input":
        tippecanoe_input(*args)
    elif cmd == "sample":
        sample(*args)
    elif cmd == "serve":
        serve(args[0], args[1], args[2], rest)
    elif cmd == "cold":
        cold(*args)
    elif cmd == "save-static":
        save_static(*args)
    elif cmd == "warm":
        warm(*args)
    elif cmd == "rss":
        record("rss", args[0], mb=rss_mb(args[1]))
    elif cmd == "bytes":
        record("bytes", args[0], bytes=Path(args[1]).stat().st_size)
    elif cmd == "area":
        record("area", "popmap", beyond=int(args[0]), units=int(args[1]))
    elif cmd == "summary":
        summary()
    else:
        sys.exit(f"bench.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
