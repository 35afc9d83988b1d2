"""Must-hold check of issue 17: every stored area_km2 within 0.5 % of an independent geodesic area.

The reference is pyproj.Geod(ellps="WGS84").geometry_area_perimeter of the geometry in the
GeoJSON popmap imported (communes: GADM's rings, made valid by shapely; districts and provinces:
the unary_union prepare.py wrote), never popmap's own code. Prints the worst 10 and the count
beyond the tolerance; exits 1 when any unit is beyond it or missing from the store.

Usage: python area_check.py COMMUNES.geojson sqlite://STORE.db VERSION [--tolerance 0.005]
"""

import argparse
import json
import sqlite3
import sys

import shapely
from pyproj import Geod
from shapely.geometry import shape


def reference_areas(path):
    """Code -> (level, name, geodesic km²) of every feature of the file."""
    geod = Geod(ellps="WGS84")
    out = {}
    with open(path, encoding="utf8") as f:
        features = json.load(f)["features"]
    for feat in features:
        p = feat["properties"]
        # Each polygon made valid on its own, then their union: overlapping parts of one unit
        # count once (make_valid of the whole MultiPolygon would drop the overlap, XOR-like).
        parts = getattr(shape(feat["geometry"]), "geoms", [shape(feat["geometry"])])
        geom = shapely.unary_union([shapely.make_valid(g) for g in parts])
        area, _ = geod.geometry_area_perimeter(geom)
        out[p["code"]] = (p["level"], p["name"], abs(area) / 1e6)
    return out


def stored_areas(db_url, version):
    """Code -> area_km2 stored by `popmap import boundaries`."""
    if not db_url.startswith("sqlite://"):
        sys.exit(f"area_check.py: only sqlite:// stores are read, got {db_url}")
    con = sqlite3.connect(f"file:{db_url[len('sqlite://'):]}?mode=ro", uri=True)
    return dict(con.execute("SELECT code, area_km2 FROM units WHERE version = ?", (version,)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("geojson")
    ap.add_argument("db")
    ap.add_argument("version")
    ap.add_argument("--tolerance", type=float, default=0.005)
    a = ap.parse_args()
    ref = reference_areas(a.geojson)
    got = stored_areas(a.db, a.version)
    rows, missing = [], []
    for code, (level, name, want) in ref.items():
        if code not in got:
            missing.append(code)
            continue
        have = got[code]
        rel = abs(have - want) / want if want > 0 else (0.0 if have == 0 else float("inf"))
        rows.append((rel, code, level, name, have, want))
    rows.sort(reverse=True)
    beyond = [r for r in rows if r[0] > a.tolerance]
    print(f"area check: {len(rows)} units compared with pyproj.Geod(WGS84) on the imported geometry")
    print("| code | level | name | stored km² | pyproj km² | difference |")
    print("|---|---|---|---:|---:|---:|")
    for rel, code, level, name, have, want in rows[:10]:  # the worst 10
        print(f"| {code} | {level} | {name} | {have:.6f} | {want:.6f} | {rel * 100:.2e} % |")
    by_level = {}
    for r in beyond:
        by_level[r[2]] = by_level.get(r[2], 0) + 1
    print(f"beyond {a.tolerance * 100:g} %: {len(beyond)} {by_level or ''}; missing from the store: {len(missing)}")
    if missing:
        print("missing:", " ".join(missing[:20]))
    sys.exit(1 if beyond or missing else 0)


if __name__ == "__main__":
    main()
