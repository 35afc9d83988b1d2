"""The country context of popmap's map, written by extract.py as data/vn/context.geojson.

One FeatureCollection; every feature's `layer` property says which tile layer it feeds:

* ``land``: Natural Earth 10m admin-0 countries (German point of view) meeting the box BOX, clipped to
  it; properties iso3, name (Vietnamese), name_en. Vietnam's land is vietnam-outline.geojson as is;
  the neighbours are simplified as one coverage (GEOS coverage simplification, shared borders
  simplified once), except within NEAR_VN degrees of Vietnam, where the original vertices are kept
  so the neighbours meet Vietnam's outline exactly.
* ``country_label``: one point per neighbour (not HKG, MAC) at the pole of inaccessibility of its
  largest clipped polygon.
* ``island``: the Hoàng Sa and Trường Sa islands: Natural Earth 10m land polygons inside each
  archipelago's box (properties group, and name when a listed island lies within NAME_RADIUS), and
  one point per island of ISLANDS (properties name, name_en, group).
* ``archipelago_label``: one point per archipelago (LABELS).

Deterministic: fixed inputs, fixed library versions (shapely 2.2.0 / GEOS 3.14.1), sorted output,
coordinates rounded to 1e-5°.
"""

import io
import zipfile

BOX = (92.0, 0.0, 125.0, 30.0)  # west, south, east, north
NEAR_VN = 0.02  # degrees
SIMPLIFY = 0.01  # degrees, coverage simplification tolerance for the neighbours
NAME_RADIUS = 0.03  # degrees
ND = 5

# Vietnamese names where Natural Earth's NAME_VI is missing, wrong or not the form used on
# Vietnamese maps (Hong Kong, Macao and Taiwan are shown as parts of China on maps published in
# Vietnam).
NAME_VI = {
    "MMR": "Myanmar",
    "TWN": "Đài Loan (Trung Quốc)",
    "HKG": "Hồng Kông (Trung Quốc)",
    "MAC": "Ma Cao (Trung Quốc)",
}
NAME_EN = {"CHN": "China", "TWN": "Taiwan (China)", "HKG": "Hong Kong (China)", "MAC": "Macao (China)"}
# Not countries of the context: the Spratly Islands feature (its islands come from ne_10m_land,
# group truong_sa) and Scarborough Reef.
SKIP = {"PGA", "SCR"}
NO_LABEL = {"HKG", "MAC"}

# Archipelago boxes (west, south, east, north) for the Natural Earth land polygons.
GROUP_BOX = {
    "hoang_sa": (110.9, 15.5, 113.0, 17.3),
    "truong_sa": (111.5, 7.3, 116.2, 11.8),
}

# The principal islands (group, Vietnamese name, English chart name, lat, lon), coordinates to
# 0.01°. Reference: the Vietnamese Wikipedia article of each island (coordinates in the infobox,
# from the US NGA Sailing Directions Enroute 161, South China Sea) and the lists of features of
# the Paracel and Spratly Islands; each was checked against the Natural Earth land polygons
# (see PROVENANCE.md for which ones have one).
ISLANDS = [
    ("hoang_sa", "Đảo Hoàng Sa", "Pattle Island", 16.53, 111.61),
    ("hoang_sa", "Đảo Hữu Nhật", "Robert Island", 16.51, 111.59),
    ("hoang_sa", "Đảo Quang Ảnh", "Money Island", 16.45, 111.51),
    ("hoang_sa", "Đảo Quang Hòa", "Duncan Island", 16.45, 111.71),
    ("hoang_sa", "Đảo Duy Mộng", "Drummond Island", 16.46, 111.74),
    ("hoang_sa", "Đảo Bạch Quy", "Passu Keah", 16.05, 111.76),
    ("hoang_sa", "Đảo Tri Tôn", "Triton Island", 15.78, 111.20),
    ("hoang_sa", "Đảo Phú Lâm", "Woody Island", 16.83, 112.33),
    ("hoang_sa", "Hòn Đá", "Rocky Island", 16.85, 112.35),
    ("hoang_sa", "Đảo Linh Côn", "Lincoln Island", 16.67, 112.73),
    ("hoang_sa", "Đảo Cây", "Tree Island", 16.98, 112.26),
    ("hoang_sa", "Đảo Bắc", "North Island", 16.97, 112.30),
    ("hoang_sa", "Đảo Trung", "Middle Island", 16.95, 112.32),
    ("hoang_sa", "Đảo Nam", "South Island", 16.93, 112.33),
    ("hoang_sa", "Cồn Cát Tây", "West Sand", 16.97, 112.20),
    ("hoang_sa", "Đảo Đá Bắc", "North Reef", 17.10, 111.51),
    ("truong_sa", "Đảo Trường Sa", "Spratly Island", 8.64, 111.92),
    ("truong_sa", "Đảo Song Tử Tây", "Southwest Cay", 11.43, 114.33),
    ("truong_sa", "Đảo Song Tử Đông", "Northeast Cay", 11.45, 114.35),
    ("truong_sa", "Đảo Thị Tứ", "Thitu Island", 11.05, 114.28),
    ("truong_sa", "Đảo Loại Ta", "Loaita Island", 10.68, 114.42),
    ("truong_sa", "Đảo Ba Bình", "Itu Aba Island", 10.38, 114.36),
    ("truong_sa", "Đảo Sơn Ca", "Sand Cay", 10.38, 114.48),
    ("truong_sa", "Đảo Nam Yết", "Namyit Island", 10.18, 114.37),
    ("truong_sa", "Đảo Sinh Tồn", "Sin Cowe Island", 9.88, 114.33),
    ("truong_sa", "Đảo Sinh Tồn Đông", "Grierson Reef", 9.91, 114.56),
    ("truong_sa", "Đảo Phan Vinh", "Pearson Reef", 8.97, 113.69),
    ("truong_sa", "Đảo Trường Sa Đông", "Central London Reef", 8.93, 112.35),
    ("truong_sa", "Đảo An Bang", "Amboyna Cay", 7.89, 112.92),
    ("truong_sa", "Đảo Bến Lạc", "West York Island", 11.11, 115.02),
    ("truong_sa", "Đảo Bình Nguyên", "Flat Island", 10.82, 115.83),
    ("truong_sa", "Đảo Vĩnh Viễn", "Nanshan Island", 10.73, 115.82),
]
PLAUSIBLE = {"hoang_sa": (15.7, 17.1, 111.1, 112.8), "truong_sa": (7.5, 11.5, 111.9, 115.9)}

# One label point per archipelago, over the middle of its islands.
LABELS = [
    ("hoang_sa", "Quần đảo Hoàng Sa (Đà Nẵng)", "Hoang Sa Archipelago (Da Nang)", 16.38, 111.97),
    ("truong_sa", "Quần đảo Trường Sa (Khánh Hòa)", "Truong Sa Archipelago (Khanh Hoa)", 9.66, 113.88),
]


def rnd_ring(coords):
    out = []
    for x, y in coords:
        p = [round(x, ND), round(y, ND)]
        if not out or out[-1] != p:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def polys_of(geom):
    """The polygons of a (multi)polygon or collection, oriented (exterior counter-clockwise),
    rounded, without the ones that collapsed."""
    from shapely.geometry.polygon import orient

    parts = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    out = []
    for p in parts:
        if p.geom_type != "Polygon" or p.is_empty:
            if p.geom_type in ("MultiPolygon", "GeometryCollection"):
                out.extend(polys_of(p))
            continue
        p = orient(p, 1.0)
        rings = [rnd_ring(p.exterior.coords)] + [rnd_ring(i.coords) for i in p.interiors]
        rings = [r for r in rings if len(r) >= 4]
        if rings and len(rings[0]) >= 4:
            out.append(rings)
    return out


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def point(lon, lat):
    return {"type": "Point", "coordinates": [round(lon, ND), round(lat, ND)]}


def read_countries(zip_path):
    from shapely.geometry import box, shape

    clip = box(*BOX)
    out = {}
    for rec, geo in shapefile_records(zip_path):
        a3 = rec["ADM0_A3"]
        if a3 in SKIP:
            continue
        g = shape(geo)
        if not g.intersects(clip):
            continue
        name = NAME_VI.get(a3, rec["NAME_VI"])
        name_en = NAME_EN.get(a3, rec["NAME_EN"])
        out[a3] = (g.intersection(clip), name, name_en)
    return out


def shapefile_records(zip_path):
    """(record as a dict, geometry as GeoJSON) of every shape in the zipped shapefile."""
    import shapefile  # pyshp

    with zipfile.ZipFile(zip_path) as z:
        names = {n.rsplit(".", 1)[-1].lower(): n for n in z.namelist()}
        r = shapefile.Reader(
            shp=io.BytesIO(z.read(names["shp"])),
            shx=io.BytesIO(z.read(names["shx"])),
            dbf=io.BytesIO(z.read(names["dbf"])),
            encoding="utf-8",
        )
        fields = [f[0] for f in r.fields[1:]]
        for sr in r.iterShapeRecords():
            yield dict(zip(fields, sr.record)), sr.shape.__geo_interface__


def land_features(countries, outline):
    import shapely
    from shapely.geometry import shape

    codes = sorted(countries)
    geoms = [countries[c][0] for c in codes]
    simplified = dict(zip(codes, shapely.coverage_simplify(geoms, SIMPLIFY)))
    vn = shape(outline["features"][0]["geometry"])
    near = vn.boundary.buffer(NEAR_VN)
    feats = []
    for a3 in codes:
        g, name, name_en = countries[a3]
        props = {"layer": "land", "iso3": a3, "name": name, "name_en": name_en}
        if a3 == "VNM":
            geom = outline["features"][0]["geometry"]
        else:
            kept = simplified[a3].difference(near).union(g.intersection(near))
            geom = {"type": "MultiPolygon", "coordinates": polys_of(kept)}
        feats.append(feature(props, geom))
    return feats


def label_features(countries):
    from shapely.ops import polylabel

    feats = []
    for a3 in sorted(countries):
        if a3 == "VNM" or a3 in NO_LABEL:
            continue
        g, name, name_en = countries[a3]
        parts = [g] if g.geom_type == "Polygon" else [p for p in g.geoms if p.geom_type == "Polygon"]
        big = max(parts, key=lambda p: (p.area, p.bounds))
        at = polylabel(big, tolerance=0.01)
        props = {"layer": "country_label", "iso3": a3, "name": name, "name_en": name_en}
        feats.append(feature(props, point(at.x, at.y)))
    return feats


def island_features(land_shp, land_shx):
    import shapefile
    from shapely.geometry import Point, box, shape

    for group, name, _en, lat, lon in ISLANDS:
        s, n, w, e = PLAUSIBLE[group]
        assert s <= lat <= n and w <= lon <= e, f"{name}: {lat}, {lon} is outside {group}"
    r = shapefile.Reader(shp=open(land_shp, "rb"), shx=open(land_shx, "rb"))
    polys = []  # (group, centroid, polygon)
    for s in r.iterShapes():
        geo = s.__geo_interface__
        parts = geo["coordinates"] if geo["type"] == "MultiPolygon" else [geo["coordinates"]]
        for rings in parts:
            p = shape({"type": "Polygon", "coordinates": rings})
            for group, b in sorted(GROUP_BOX.items()):
                if box(*b).contains(p):
                    polys.append((group, p))
    polys.sort(key=lambda gp: (gp[0], round(gp[1].centroid.y, ND), round(gp[1].centroid.x, ND)))
    feats, named = [], set()
    for group, p in polys:
        c = p.centroid
        near = [
            (Point(lon, lat).distance(c), name)
            for g, name, _en, lat, lon in ISLANDS
            if g == group and Point(lon, lat).distance(c) <= NAME_RADIUS
        ]
        props = {"layer": "island", "group": group}
        if near:
            props["name"] = min(near)[1]
            named.add(props["name"])
        feats.append(feature(props, {"type": "Polygon", "coordinates": polys_of(p)[0]}))
    for group, name, name_en, lat, lon in ISLANDS:
        props = {"layer": "island", "group": group, "name": name, "name_en": name_en}
        feats.append(feature(props, point(lon, lat)))
    symbols = [name for _g, name, _en, _la, _lo in ISLANDS if name not in named]
    return feats, len(polys), symbols


def build(ne_zip, land_shp, land_shx, outline):
    """The context FeatureCollection and a few lines of statistics for PROVENANCE.md."""
    countries = read_countries(ne_zip)
    feats = land_features(countries, outline)
    feats += label_features(countries)
    islands, n_polys, symbols = island_features(land_shp, land_shx)
    feats += islands
    for group, name, name_en, lat, lon in LABELS:
        props = {"layer": "archipelago_label", "group": group, "name": name, "name_en": name_en}
        feats.append(feature(props, point(lon, lat)))
    n_coords = sum(
        len(r) for f in feats if f["properties"]["layer"] == "land" for p in f["geometry"]["coordinates"] for r in p
    )
    stats = [
        f"land: {len(countries)} countries ({', '.join(sorted(countries))}), {n_coords} coordinates",
        f"islands: {n_polys} Natural Earth polygons, {len(ISLANDS)} named points; "
        f"named islands without a polygon: {', '.join(symbols)}",
    ]
    return {"type": "FeatureCollection", "features": feats}, stats
