#!/usr/bin/env python3
"""Gzip sizes of boundary and admin tiles over a fixed tile list (issue 14: label tiles stay small).

Usage: python3 scripts/tile_sizes.py BASE_URL [--json OUT]
  e.g. python3 scripts/tile_sizes.py http://127.0.0.1:18251

The tile list is fixed: for each zoom 4-12, every tile of Vietnam's box (archipelagos included)
when there are at most 120, else a seeded sample of 120, plus the tiles over Ha Noi, Ho Chi Minh
City and Da Nang (the densest). Each tile is fetched once with `Accept-Encoding: gzip` from
/tiles/boundaries/{vn-2025,vn-2019}/... and /tiles/admin/latest/...; 204 (empty) tiles are left
out. Prints gzip p50/p99 (bytes) per zoom band and family as a Markdown table; the figures go
into BENCHMARKS.md ("Labels in tiles (issue 14)") by hand.
"""

import json
import math
import random
import sys
import urllib.request

BANDS = [(4, 5), (6, 7), (8, 9), (10, 12)]
FAMILIES = ["boundaries/vn-2025", "boundaries/vn-2019", "admin/latest"]
BOX = (102.1, 8.4, 114.5, 23.4)  # west, south, east, north
DENSE = [(105.85, 21.03), (106.70, 10.78), (108.21, 16.05)]
PER_ZOOM = 120


def tile_of(lon, lat, z):
    n = 2**z
    r = math.radians(lat)
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
    return x, y


def tile_list():
    rnd = random.Random(14)
    out = []
    for z in range(4, 13):
        x0, y0 = tile_of(BOX[0], BOX[3], z)
        x1, y1 = tile_of(BOX[2], BOX[1], z)
        cand = sorted({(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)})
        pick = set(cand if len(cand) <= PER_ZOOM else rnd.sample(cand, PER_ZOOM))
        pick |= {tile_of(lon, lat, z) for lon, lat in DENSE}
        out += [(z, x, y) for x, y in sorted(pick)]
    return out


def gzip_size(base, path):
    req = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        body = r.read()
        if r.status == 204 or not body:
            return None
        assert r.headers.get("Content-Encoding") == "gzip", path
        return len(body)


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else 0


def main():
    base = sys.argv[1].rstrip("/")
    tiles = tile_list()
    sizes = {}
    for fam in FAMILIES:
        for z, x, y in tiles:
            s = gzip_size(base, f"/tiles/{fam}/{z}/{x}/{y}.mvt")
            if s is not None:
                sizes.setdefault(fam, {}).setdefault(z, []).append(s)
    print(f"{len(tiles)} tiles (z4-z12) per family")
    print("| family | zooms | non-empty tiles | gzip p50 B | gzip p99 B | gzip max B |")
    print("|---|---|--:|--:|--:|--:|")
    for fam in FAMILIES:
        for lo, hi in BANDS + [(4, 12)]:
            v = [s for z in range(lo, hi + 1) for s in sizes.get(fam, {}).get(z, [])]
            print(f"| {fam} | z{lo}-{hi} | {len(v)} | {pct(v, 0.5)} | {pct(v, 0.99)} | {max(v, default=0)} |")
    if len(sys.argv) > 3 and sys.argv[2] == "--json":
        with open(sys.argv[3], "w") as f:
            json.dump({f: {str(z): v for z, v in zs.items()} for f, zs in sizes.items()}, f)


if __name__ == "__main__":
    main()
