"""Independent H3 coverage for popmap's cross-check test (tests/tests/h3_cover.rs).

Usage: h3_cover.py POLYGONS.geojson RESOLUTION
Reads a GeoJSON FeatureCollection of (Multi)Polygons with a `code` property and prints a JSON
object {code: [cells whose centroid lies in the polygon, as hex strings]} computed with Uber's
`h3` package (h3.geo_to_cells: centroid containment).
"""

import json
import sys

import h3


def main() -> int:
    path, res = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        collection = json.load(f)
    out = {}
    for feature in collection["features"]:
        code = feature["properties"]["code"]
        out[code] = sorted(h3.geo_to_cells(feature["geometry"], res))
    json.dump({"h3_version": h3.__version__, "cells": out}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
