"""Independent geodesic areas for popmap's area test (tests/tests/etl/areas.rs).

Usage: geod_area.py BOUNDARIES.geojson
Reads a GeoJSON FeatureCollection of (Multi)Polygons with a `code` property and prints a JSON
object {"pyproj": version, "areas_km2": {code: area}}: each polygon's exterior less its holes,
each ring measured by pyproj.Geod (PROJ's own implementation of Karney's algorithm, WGS84) as the
absolute value of its signed area. No tolerance and no repair: a sliver ring counts for its
true (tiny) area, so the figures are what popmap's areas must match.
"""

import json
import sys

import pyproj


def ring_area_m2(geod, ring):
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    area, _perimeter = geod.polygon_area_perimeter(lons, lats)
    return abs(area)


def area_km2(geod, geometry):
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"unsupported geometry type {geometry['type']}")
    total = 0.0
    for rings in polygons:
        shell = ring_area_m2(geod, rings[0])
        holes = sum(ring_area_m2(geod, r) for r in rings[1:])
        total += max(shell - holes, 0.0)
    return total / 1e6


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        collection = json.load(f)
    geod = pyproj.Geod(ellps="WGS84")
    areas = {
        feature["properties"]["code"]: area_km2(geod, feature["geometry"])
        for feature in collection["features"]
    }
    json.dump({"pyproj": pyproj.__version__, "areas_km2": areas}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
