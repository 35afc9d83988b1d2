#!/usr/bin/env python3
"""How much each vn-2025 commune's series moves across the July 2025 reorganisation, in one
view of /api/v1/units/{code}/series (as-reported, harmonised or h3), on a running server.

Usage: python3 scripts/view_continuity.py http://127.0.0.1:8080 [view] [before] [after]
(defaults: h3 2025-06 2025-07). Prints the median, p90, p99 and max of |after/before - 1| over
every commune with both values, and the same for footprints of at least 20 cells (h3).
Standard library only; four requests at a time.
"""
import concurrent.futures
import json
import sys
import urllib.request


def get(url):
    with urllib.request.urlopen(url) as r:
        return json.load(r)


def main():
    base = sys.argv[1].rstrip("/")
    view = sys.argv[2] if len(sys.argv) > 2 else "h3"
    before = sys.argv[3] if len(sys.argv) > 3 else "2025-06"
    after = sys.argv[4] if len(sys.argv) > 4 else "2025-07"
    codes, offset = [], 0
    while True:
        page = get(f"{base}/api/v1/units?version=vn-2025&level=commune&limit=1000&offset={offset}")
        codes += [u["code"] for u in page["items"]]
        offset += 1000
        if offset >= page["total"]:
            break

    def change(code):
        d = get(f"{base}/api/v1/units/{code}/series?indicator=population&view={view}"
                f"&from={before}&to={after}")
        v = {p["period"]: p["value"] for p in d["points"]}
        if not v.get(before) or v.get(after) is None:
            return None
        cells = (d.get("footprint") or {}).get("cells", 0)
        return abs(v[after] / v[before] - 1) * 100, cells

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        got = [c for c in pool.map(change, codes) if c is not None]

    def stats(label, xs):
        xs = sorted(xs)
        n = len(xs)
        if not n:
            print(f"{label}: none")
            return
        print(f"{label} ({n}): median {xs[n // 2]:.2f} %  p90 {xs[n * 9 // 10]:.2f} %  "
              f"p99 {xs[n * 99 // 100]:.2f} %  max {xs[-1]:.2f} %")

    print(f"view={view}, population, |{after} / {before} - 1| over vn-2025 communes")
    stats("all communes", [c for c, _ in got])
    if view == "h3":
        stats("footprints of >= 20 cells", [c for c, n in got if n >= 20])


if __name__ == "__main__":
    main()
