#!/usr/bin/env python3
"""Compares what two running popmap servers serve from the same database, byte for byte.

Used by scripts/compare_served.sh (which prepares the demo database and starts the two
servers); it can also be run on its own against any two servers of one database:

    python3 scripts/compare_served.py --old http://127.0.0.1:P1 --new http://127.0.0.1:P2 \
        --out target/compare [--token-file F] [--expected /api/openapi.json,/api/docs]

It builds a fixed list of requests from what the OLD server publishes (versions, periods,
styles, unit codes, one H3 cell read from an H3 tile), fetches every request from both servers
(one thread per server, same order, so both caches see the same sequence), then repeats a
sample with `If-None-Match`, and compares per request:

- `full`:   status, SHA-256 of the body bytes as sent (compressed when Content-Encoding says so)
            and the headers in COMPARED_HEADERS;
- `status`: the status only (error messages may legitimately change wording; /metrics counts
            requests and timings);
- expected: paths listed with --expected are compared like `full` but reported apart, never as
            failures (the refactor may add routes to the OpenAPI document).

The list is deterministic for a given database: it depends only on what the OLD server answers,
never on time or randomness. Every request carries the same `Host` header (TileJSON and style
URLs are built from it, and the two servers listen on different ports) and the same `Origin`.
Headers that legitimately vary between two runs of one binary are not compared: `Date` (the
clock), and `Content-Length`/`Transfer-Encoding`/`Connection` (framing, implied by the body hash).

Prints `compare_served: N URLs, N identical, N differ`, then each difference; writes the request
list to OUT/urls.txt, the per-request results to OUT/results.tsv and both bodies of (at most 40)
differing requests to OUT/diff/. Exit status 1 when anything unexpected differs.
"""

import argparse
import hashlib
import http.client
import json
import math
import os
import re
import sys
import threading
import time
import urllib.parse

# Response headers compared on every `full` check (case-insensitive). Not compared: Date,
# Content-Length, Transfer-Encoding, Connection (see the module documentation).
COMPARED_HEADERS = [
    "Content-Type",
    "ETag",
    "Cache-Control",
    "Vary",
    "Content-Location",
    "Content-Encoding",
    "Content-Disposition",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Retry-After",
    "WWW-Authenticate",
    "Allow",
]
NOT_COMPARED = {"date", "content-length", "transfer-encoding", "connection"}

HOST = "popmap.compare:8080"  # the Host header of every request
ORIGIN = "http://portal.compare"  # the Origin header of every request (CORS answers)

# Cities the tiles are sampled around (lon, lat).
HANOI = (105.85, 21.03)
HCMC = (106.7, 10.78)
DANANG = (108.2, 16.05)

TIMEOUT = 1800  # seconds per request: a cold tile source of a debug build takes a while


def tile_of(lon, lat, z):
    """The slippy-map tile (x, y) holding lon/lat at zoom z."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.log(math.tan(r) + 1.0 / math.cos(r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles(zooms, dense):
    """Tiles per zoom around the three cities, deduplicated, in a fixed order.

    dense: a 3x3 block around Hà Nội, the tile of Hồ Chí Minh City and its east neighbour, the
    tile of Đà Nẵng and its south neighbour. Sparse: the tile of each city."""
    out = []
    for z in zooms:
        n = 2**z
        seen = set()
        cand = []
        hx, hy = tile_of(*HANOI, z)
        sx, sy = tile_of(*HCMC, z)
        dx, dy = tile_of(*DANANG, z)
        if dense:
            cand += [(hx + i, hy + j) for j in (-1, 0, 1) for i in (-1, 0, 1)]
            cand += [(sx, sy), (sx + 1, sy), (dx, dy), (dx, dy + 1)]
        else:
            cand += [(hx, hy), (sx, sy), (dx, dy)]
        for x, y in cand:
            if 0 <= x < n and 0 <= y < n and (x, y) not in seen:
                seen.add((x, y))
                out.append((z, x, y))
    return out


class Check:
    """One request, sent identically to both servers."""

    def __init__(self, path, mode="full", headers=None, method="GET", label=""):
        self.path = path
        self.mode = mode  # full | status | expected
        self.headers = dict(headers or {})
        self.method = method
        self.label = label

    def name(self):
        extra = []
        if self.method != "GET":
            extra.append(self.method)
        if self.label:
            extra.append(self.label)
        return self.path + (f"  [{', '.join(extra)}]" if extra else "")


class Client:
    """A keep-alive HTTP/1.1 client of one server."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def request(self, method, path, headers):
        hdrs = {"Host": HOST, "Origin": ORIGIN, "Accept-Encoding": "identity"}
        hdrs.update(headers)
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
                self.conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                for k, v in hdrs.items():
                    self.conn.putheader(k, v)
                self.conn.endheaders()
                resp = self.conn.getresponse()
                body = resp.read()
                headers = {}
                for k, v in resp.getheaders():
                    k = k.lower()
                    headers[k] = headers[k] + ", " + v if k in headers else v
                if resp.will_close:
                    self.conn.close()
                    self.conn = None
                return resp.status, headers, body
            except (http.client.HTTPException, ConnectionError, OSError):
                if self.conn is not None:
                    self.conn.close()
                    self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def summarise(status, headers, body):
    return {
        "status": status,
        "sha": hashlib.sha256(body).hexdigest(),
        "len": len(body),
        "headers": {h.lower(): headers.get(h.lower()) for h in COMPARED_HEADERS},
        "others": sorted(k for k in headers if k not in NOT_COMPARED
                         and k not in {h.lower() for h in COMPARED_HEADERS}),
    }


def run_all(base, checks, results, errors):
    client = Client(base)
    for i, c in enumerate(checks):
        try:
            status, headers, body = client.request(c.method, c.path, c.headers)
            results[i] = summarise(status, headers, body)
        except Exception as e:  # noqa: BLE001 - reported as a difference
            results[i] = {"status": None, "error": f"{type(e).__name__}: {e}"}
            errors.append((c.name(), str(e)))


def fetch_both(old, new, checks):
    """Fetches every check from both servers at once (one thread per server)."""
    r_old, r_new = [None] * len(checks), [None] * len(checks)
    e_old, e_new = [], []
    t = threading.Thread(target=run_all, args=(old, checks, r_old, e_old))
    t.start()
    run_all(new, checks, r_new, e_new)
    t.join()
    return r_old, r_new


def differences(check, a, b):
    """What differs between two results of `check` (empty when identical as compared)."""
    if a.get("error") or b.get("error"):
        return [f"request failed: old {a.get('error', 'ok')}; new {b.get('error', 'ok')}"]
    out = []
    if a["status"] != b["status"]:
        out.append(f"status {a['status']} != {b['status']}")
    if check.mode == "status":
        return out
    if a["sha"] != b["sha"]:
        out.append(f"body sha256 {a['sha'][:16]}… ({a['len']} B) != {b['sha'][:16]}… ({b['len']} B)")
    for h in COMPARED_HEADERS:
        va, vb = a["headers"][h.lower()], b["headers"][h.lower()]
        if va != vb:
            out.append(f"{h}: {va!r} != {vb!r}")
    return out


# ---------------------------------------------------------------------------------------------
# MVT: just enough protobuf to read the string values of a tile's layers.


def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def _fields(buf):
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(buf, i)
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield field, wire, v


def mvt_strings(tile):
    """Every string value of every layer of an MVT tile (Tile.layers=3, Layer.values=4,
    Value.string_value=1)."""
    out = []
    for f, w, layer in _fields(tile):
        if f == 3 and w == 2:
            for lf, lw, value in _fields(layer):
                if lf == 4 and lw == 2:
                    for vf, vw, s in _fields(value):
                        if vf == 1 and vw == 2:
                            out.append(s.decode("utf-8", "replace"))
    return out


# ---------------------------------------------------------------------------------------------
# Discovery: what the list is built from, read from the OLD server.


def get_json(client, path):
    status, _, body = client.request("GET", path, {})
    if status != 200:
        raise SystemExit(f"compare_served: discovery: GET {path} answered {status}: {body[:300]!r}")
    doc = json.loads(body)
    if isinstance(doc, dict) and "items" in doc:
        return doc["items"]
    return doc


def q(path, **params):
    """path?params with the values percent-encoded (in the given order)."""
    if not params:
        return path
    return path + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote, safe=",@")


def discover(old):
    c = Client(old)
    d = {}
    versions = get_json(c, "/api/v1/versions")
    versions.sort(key=lambda v: v["valid_from"])
    d["versions"] = [v["id"] for v in versions]
    d["levels"] = {v["id"]: v["levels"] for v in versions}
    periods = get_json(c, "/api/v1/periods")
    d["periods"] = periods
    d["styles"] = [s["name"] for s in get_json(c, "/styles/index.json")]
    old_v, new_v = d["versions"][0], d["versions"][-1]

    def of(version, gran):
        return [p for p in periods if p["version"] == version and p["granularity"] == gran]

    months_old, months_new = of(old_v, "month"), of(new_v, "month")
    quarters = of(old_v, "quarter") + of(new_v, "quarter")
    years = of(old_v, "year") + of(new_v, "year")
    pick = {}
    pick["month_old"] = months_old[-1] if months_old else periods[0]
    pick["month_new"] = months_new[len(months_new) // 2] if months_new else periods[-1]
    pick["quarter"] = quarters[0] if quarters else None
    pick["quarter_new"] = of(new_v, "quarter")[0] if of(new_v, "quarter") else None
    pick["year"] = years[0] if years else None
    # A period with several revisions, if any, gives an older revision URL as well.
    multi = [p for p in periods if len(p["revisions"]) > 1]
    pick["multi"] = multi[0] if multi else None
    d["pick"] = pick
    d["old_v"], d["new_v"] = old_v, new_v

    # Unit codes: the three cities' provinces on each version, a district and communes.
    codes = {}
    for v in (old_v, new_v):
        for key, query in (("hanoi", "ha noi"), ("hcmc", "ho chi minh"), ("danang", "da nang")):
            items = get_json(c, q("/api/v1/units", version=v, level="province", q=query, limit=5))
            if items:
                codes[(v, key)] = items[0]["code"]
        hn = codes.get((v, "hanoi"))
        parent = hn
        if "district" in d["levels"][v] and hn:
            ds = get_json(c, q("/api/v1/units", version=v, level="district", parent=hn, limit=3))
            if ds:
                codes[(v, "district")] = ds[0]["code"]
                parent = ds[0]["code"]
        cs = get_json(c, q("/api/v1/units", version=v, level="commune", parent=parent, limit=3))
        if cs:
            codes[(v, "commune")] = cs[0]["code"]
    d["codes"] = codes

    # H3 cells: read from the H3 tiles of `latest` at Hà Nội (z12: finest cells, z8: r5).
    cells = []
    for z in (12, 8):
        x, y = tile_of(*HANOI, z)
        status, _, body = c.request("GET", f"/tiles/h3/latest/{z}/{x}/{y}.mvt", {})
        if status == 200:
            found = sorted(s for s in mvt_strings(body) if re.fullmatch(r"8[0-9a-f]{14}", s))
            if found:
                cells.append(found[len(found) // 2])
    d["cells"] = cells
    return d


# ---------------------------------------------------------------------------------------------
# The list.


def build(d, token, expected):
    checks = []
    add = checks.append
    old_v, new_v = d["old_v"], d["new_v"]
    pick = d["pick"]
    codes = d["codes"]
    auth = {"Authorization": f"Bearer {token}"} if token else None
    gz = {"Accept-Encoding": "gzip"}

    def tile_checks(prefix, tset, query="", encodings=("gzip", "identity")):
        for z, x, y in tset:
            for enc in encodings:
                add(Check(f"{prefix}/{z}/{x}/{y}.mvt{query}", headers={"Accept-Encoding": enc},
                          label=enc))

    zooms = range(0, 13)
    dense, sparse = tiles(zooms, True), tiles(zooms, False)
    deep = [(z, *tile_of(*HANOI, z)) for z in (13, 14)]

    def rev(p):
        return f"{p['period']}@r{p['revision']}"

    # Boundary tiles of every version; admin tiles of latest (dense), of a named month, a
    # quarter, a year and one revision (sparse); harmonised; fields; H3.
    for v in d["versions"]:
        tile_checks(f"/tiles/boundaries/{v}", dense + deep)
    tile_checks("/tiles/admin/latest", dense + deep)
    tile_checks(f"/tiles/admin/{pick['month_old']['period']}", sparse)
    tile_checks(f"/tiles/admin/{rev(pick['month_old'])}", sparse)
    others = [pick["month_new"]["period"]]
    others += [p["period"] for p in (pick["quarter"], pick["quarter_new"], pick["year"]) if p]
    if pick["multi"]:
        others.append(f"{pick['multi']['period']}@r{pick['multi']['revisions'][0]}")
    for p in others:
        tile_checks(f"/tiles/admin/{p}", sparse[::2])
    if old_v != new_v:
        tile_checks(f"/tiles/admin/{pick['month_old']['period']}", sparse, f"?version={new_v}")
        tile_checks(f"/tiles/admin/{rev(pick['month_old'])}", sparse[::3], f"?version={new_v}")
        # version= naming the period's own version: served as reported.
        tile_checks(f"/tiles/admin/{pick['month_old']['period']}", sparse[::4], f"?version={old_v}")
    tile_checks("/tiles/admin/latest", sparse, "?fields=population,density")
    tile_checks("/tiles/admin/latest", sparse[::2], "?fields=sex_ratio")
    tile_checks(f"/tiles/admin/{pick['month_old']['period']}", sparse[::2],
                "?fields=density,population&version=" + new_v)
    tile_checks("/tiles/h3/latest", sparse + deep)
    tile_checks(f"/tiles/h3/{pick['month_old']['period']}", sparse[::2])
    tile_checks(f"/tiles/h3/{rev(pick['month_new'])}", sparse[::3])
    # Brotli, and the default negotiation of a browser.
    for z, x, y in sparse[::4]:
        add(Check(f"/tiles/admin/latest/{z}/{x}/{y}.mvt", headers={"Accept-Encoding": "br"}, label="br"))
        add(Check(f"/tiles/boundaries/{new_v}/{z}/{x}/{y}.mvt",
                  headers={"Accept-Encoding": "gzip, deflate, br, zstd"}, label="gzip, deflate, br, zstd"))
    # A restricted reader (the admin token unlocks restricted indicators): private tiles.
    if auth:
        for z, x, y in sparse[::4]:
            add(Check(f"/tiles/admin/latest/{z}/{x}/{y}.mvt", headers={**auth, **gz}, label="token, gzip"))
        add(Check(f"/tiles/admin/{rev(pick['month_old'])}/8/{tile_of(*HANOI, 8)[0]}/{tile_of(*HANOI, 8)[1]}.mvt",
                  headers={**auth, "Accept-Encoding": "identity"}, label="token"))
        x6, y6 = tile_of(*HANOI, 6)
        add(Check(f"/tiles/admin/latest/6/{x6}/{y6}.mvt?fields=population,cpr", headers=auth, label="token"))
    # HEAD of a tile.
    hz, hx, hy = 10, *tile_of(*HANOI, 10)
    add(Check(f"/tiles/admin/latest/{hz}/{hx}/{hy}.mvt", method="HEAD", headers=gz, label="gzip"))

    # TileJSON: every version, every period (newest and revision URL), admin and H3.
    for v in d["versions"]:
        add(Check(f"/tiles/boundaries/{v}.json"))
    add(Check("/tiles/admin/latest.json"))
    add(Check("/tiles/h3/latest.json"))
    for p in d["periods"]:
        for name in (p["period"], rev(p)):
            add(Check(f"/tiles/admin/{name}.json"))
            add(Check(f"/tiles/h3/{name}.json"))
        if p["version"] != new_v:
            add(Check(f"/tiles/admin/{p['period']}.json?version={new_v}"))
    add(Check("/tiles/admin/latest.json?fields=population,density"))
    add(Check(f"/tiles/admin/{pick['month_old']['period']}.json?fields=density&version={new_v}"))
    add(Check("/tiles/admin/latest.json", headers=gz, label="gzip"))
    if auth:
        add(Check("/tiles/admin/latest.json", headers=auth, label="token"))

    # Styles: every style with both joins; method/k/period/version variants; by indicator id.
    add(Check("/styles/index.json"))
    add(Check("/styles/index.json", headers=gz, label="gzip"))
    for s in d["styles"]:
        for join in ("props", "state"):
            add(Check(q(f"/styles/{s}.json", join=join)))
    for s in d["styles"][:1]:
        add(Check(f"/styles/{s}.json"))
    for s, extra in (
        ("population-density", dict(method="quantile", k="5")),
        ("population-density", dict(method="equal_interval", k="7", join="state")),
        ("population-density", dict(method="jenks", k="4")),
        ("population", dict(method="jenks", k="6", join="state")),
        ("sex-ratio", dict(method="fixed")),
        ("sex-ratio", dict(method="quantile", k="3")),
        ("population-density", dict(period=pick["month_old"]["period"])),
        ("population-density", dict(period=rev(pick["month_old"]), join="state")),
        ("population-density", dict(period=pick["month_old"]["period"], version=new_v)),
        ("population-density", dict(period=pick["month_old"]["period"], version=new_v, join="state")),
        ("crude-birth-rate", dict(period=pick["year"]["period"] if pick["year"] else "latest")),
        ("h3-density", dict(period=pick["month_old"]["period"])),
        ("household_size", dict()),
        ("net_migration_rate", dict(join="state")),
    ):
        add(Check(q(f"/styles/{s}.json", **extra)))

    # Classes.
    indicators = ["density", "population", "sex_ratio", "srb", "cbr", "cdr", "urban_share",
                  "net_migration_rate", "household_size"]
    for ind in indicators:
        for level in ("province", "commune"):
            add(Check(q("/api/v1/classes", indicator=ind, level=level)))
    for method, k in (("quantile", "5"), ("equal_interval", "4"), ("jenks", "6"), ("jenks", "9"),
                      ("quantile", "2")):
        add(Check(q("/api/v1/classes", indicator="density", level="commune", method=method, k=k)))
        add(Check(q("/api/v1/classes", indicator="population", period=pick["month_old"]["period"],
                    level="district" if "district" in d["levels"][old_v] else "province",
                    method=method, k=k)))
    for ind in ("sex_ratio", "srb", "net_migration_rate"):
        add(Check(q("/api/v1/classes", indicator=ind, level="commune", method="fixed")))
    add(Check(q("/api/v1/classes", indicator="sex_ratio", level="province", method="quantile", k="7")))
    add(Check(q("/api/v1/classes", indicator="density", period=pick["month_old"]["period"],
                level="commune", version=new_v)))
    add(Check(q("/api/v1/classes", indicator="sex_ratio", period=rev(pick["month_new"]))))
    if pick["quarter"]:
        add(Check(q("/api/v1/classes", indicator="cbr", period=pick["quarter"]["period"], level="province")))

    # Map values and indicators.
    add(Check("/api/v1/map/indicators"))
    add(Check("/api/v1/map/indicators", headers=gz, label="gzip"))
    add(Check(q("/api/v1/map/values", indicators="density")))
    add(Check(q("/api/v1/map/values", level="commune", indicators="density,population,sex_ratio")))
    add(Check(q("/api/v1/map/values", level="province", indicators="population", bbox="1")))
    add(Check(q("/api/v1/map/values", level="commune", indicators="population", bbox="1"), headers=gz, label="gzip"))
    add(Check(q("/api/v1/map/values", period=pick["month_old"]["period"], level="district"
                if "district" in d["levels"][old_v] else "province", indicators="density,cbr")))
    add(Check(q("/api/v1/map/values", period=pick["month_old"]["period"], level="commune",
                indicators="density", version=new_v)))
    add(Check(q("/api/v1/map/values", period=rev(pick["month_new"]), indicators="urban_share,household_size")))
    if pick["year"]:
        add(Check(q("/api/v1/map/values", period=pick["year"]["period"], level="province",
                    indicators="cbr,cdr,net_migration_rate")))

    # Downloads: province and commune, three formats, of latest and a month on the old version.
    for p in ("latest", pick["month_old"]["period"]):
        for level in ("province", "commune"):
            for ext in ("csv", "geojson", "fgb"):
                add(Check(f"/api/v1/download/{p}/{level}.{ext}"))
    if "district" in d["levels"][old_v]:
        add(Check(f"/api/v1/download/{rev(pick['month_old'])}/district.csv"))
    if pick["year"]:
        add(Check(f"/api/v1/download/{pick['year']['period']}/province.geojson"))
    add(Check("/api/v1/download/latest/province.csv?indicator=population,density"))
    add(Check("/api/v1/download/latest/province.geojson", headers=gz, label="gzip"))
    if auth:
        add(Check("/api/v1/download/latest/province.csv", headers=auth, label="token"))
        add(Check(f"/api/v1/download/{pick['month_old']['period']}/province.fgb", headers=auth, label="token"))

    # Data API.
    for path in ("/api/v1/periods", "/api/v1/versions", "/api/v1/indicators"):
        add(Check(path))
        add(Check(path + "?format=csv"))
    add(Check("/api/v1/periods", headers={"Accept": "text/csv"}, label="Accept: text/csv"))
    add(Check("/api/v1/indicators", headers=gz, label="gzip"))
    if auth:
        add(Check("/api/v1/indicators", headers=auth, label="token"))
    add(Check("/api/v1/units"))
    add(Check(q("/api/v1/units", version=old_v)))
    add(Check(q("/api/v1/units", version=new_v, level="commune", limit="50", offset="100")))
    add(Check(q("/api/v1/units", q="ha noi")))
    add(Check(q("/api/v1/units", q="Hà Nội", version=old_v)))
    add(Check(q("/api/v1/units", q="HO CHI MINH", level="commune", limit="20")))
    add(Check(q("/api/v1/units", q="79")))
    add(Check(q("/api/v1/units", q="da nang", version=old_v, format="csv")))
    hn_new = codes.get((new_v, "hanoi"))
    if hn_new:
        add(Check(q("/api/v1/units", version=new_v, parent=hn_new, limit="1000")))
    # Units: each code with a period of its own version (latest and a month on the newest
    # version, a month on the old one); lineage; series in every view.
    seen_codes = set()
    for v in d["versions"]:
        periods_of_v = ["latest", pick["month_new"]["period"]] if v == new_v else [
            pick["month_old"]["period"], rev(pick["month_old"])]
        for key in ("hanoi", "hcmc", "danang", "district", "commune"):
            code = codes.get((v, key))
            if not code or (v, code) in seen_codes:
                continue
            seen_codes.add((v, code))
            for p in periods_of_v:
                add(Check(q(f"/api/v1/units/{code}", period=p)))
            add(Check(f"/api/v1/units/{code}/lineage"))
            add(Check(q(f"/api/v1/units/{code}/series", indicator="population")))
            add(Check(q(f"/api/v1/units/{code}/series", indicator="population", view="h3", version=v)))
    add(Check(f"/api/v1/units/{codes.get((new_v, 'hanoi'), '01')}"))
    for code in [codes.get((new_v, "hanoi")), codes.get((new_v, "commune"))]:
        if not code:
            continue
        for view in ("as-reported", "harmonised", "h3"):
            add(Check(q(f"/api/v1/units/{code}/series", indicator="population", view=view)))
            add(Check(q(f"/api/v1/units/{code}/series", indicator="density", view=view,
                        **{"from": "2025-01", "to": "2026-03"})))
        add(Check(q(f"/api/v1/units/{code}/series", indicator="sex_ratio", view="harmonised",
                    version=new_v, format="csv")))
        add(Check(q(f"/api/v1/units/{code}/series", indicator="urban_share", view="h3",
                    **{"from": "2024-06", "to": "2025-09"})))
    if codes.get((old_v, "hanoi")):
        add(Check(q(f"/api/v1/units/{codes[(old_v, 'hanoi')]}/series", indicator="cbr",
                    view="h3", version=old_v, format="csv")))
    if auth and hn_new:
        add(Check(f"/api/v1/units/{hn_new}", headers=auth, label="token"))
        add(Check(q(f"/api/v1/units/{hn_new}/series", indicator="cpr"), headers=auth, label="token"))
    add(Check(q("/api/v1/values")))
    add(Check(q("/api/v1/values", level="commune", indicator="population,density", limit="20000")))
    add(Check(q("/api/v1/values", level="commune", limit="100", offset="250")))
    add(Check(q("/api/v1/values", period=pick["month_old"]["period"], level="province",
                indicator="population,sex_ratio,srb")))
    if codes.get((old_v, "hanoi")) and "district" in d["levels"][old_v]:
        add(Check(q("/api/v1/values", period=rev(pick["month_old"]), level="district",
                    parent=codes[(old_v, "hanoi")])))
    add(Check(q("/api/v1/values", code=",".join(c for c in (codes.get((new_v, k)) for k in
                                                       ("hanoi", "hcmc", "danang")) if c))))
    add(Check(q("/api/v1/values", format="csv")))
    add(Check(q("/api/v1/values", level="commune"), headers={"Accept": "text/csv"}, label="Accept: text/csv"))
    add(Check(q("/api/v1/values", level="commune"), headers=gz, label="gzip"))
    if pick["quarter"]:
        add(Check(q("/api/v1/values", period=pick["quarter"]["period"], indicator="births,cbr")))
    if auth:
        add(Check(q("/api/v1/values", indicator="population,cpr,divorces"), headers=auth, label="token"))
    add(Check(q("/api/v1/rankings", indicator="density")))
    add(Check(q("/api/v1/rankings", indicator="population", level="commune", limit="50")))
    add(Check(q("/api/v1/rankings", indicator="sex_ratio", period=pick["month_old"]["period"])))
    add(Check(q("/api/v1/rankings", indicator="cbr", period=pick["month_new"]["period"], format="csv")))
    if pick["year"]:
        add(Check(q("/api/v1/rankings", indicator="cdr", period=pick["year"]["period"], level="province")))
    for i, cell in enumerate(d["cells"]):
        add(Check(f"/api/v1/h3/latest/{cell}"))
        if i == 0:
            add(Check(f"/api/v1/h3/{pick['month_new']['period']}/{cell}"))
            add(Check(f"/api/v1/h3/{rev(pick['month_new'])}/{cell}"))
            if auth:
                add(Check(f"/api/v1/h3/latest/{cell}", headers=auth, label="token"))

    # Pages.
    add(Check("/"))
    add(Check("/embed"))
    add(Check("/embed?lock=ind,period,level&controls=0&at=6/16/106"))
    add(Check("/", headers=gz, label="gzip"))
    add(Check("/assets/app.js"))
    add(Check("/assets/app.css"))
    add(Check("/status"))
    add(Check("/healthz"))
    add(Check("/readyz"))
    add(Check(f"/tiles/admin/latest/{hz}/{hx}/{hy}.mvt", method="OPTIONS",
              headers={"Access-Control-Request-Method": "GET",
                       "Access-Control-Request-Headers": "if-none-match"}, label="CORS preflight"))
    if auth:
        add(Check("/admin/reload", method="POST", headers=auth, label="token"))
    # Odd but answered requests (full comparison): a zoom beyond the layers' maxzoom, a repeated
    # tile parameter (tiles keep the last one), version= naming the period's own version.
    add(Check("/tiles/admin/latest/15/0/0.mvt"))
    add(Check("/tiles/admin/latest/0/0/0.mvt?fields=population&fields=density", headers=gz, label="gzip"))
    add(Check("/styles/h3-density.json?version=" + new_v))
    for path in expected:
        add(Check(path, mode="expected"))

    # Status only: bad requests (their message text may change) and /metrics (counts requests
    # and timings, so its body differs between any two runs).
    m = pick["month_old"]["period"]
    cell = d["cells"][0] if d["cells"] else "8865a3a8d9fffff"
    for path in (
        "/metrics",
        "/tiles/admin/latest/99/0/0.mvt",
        "/tiles/admin/latest/2/4/0.mvt",
        "/tiles/admin/latest/2/0/x.mvt",
        "/tiles/admin/latest/2/0/0.png",
        "/tiles/admin/latest/-1/0/0.mvt",
        "/tiles/boundaries/vn-1999/0/0/0.mvt",
        "/tiles/boundaries/vn-1999.json",
        f"/tiles/boundaries/{new_v}/3/6/3.mvt?fields=population",
        "/tiles/admin/2019-13/0/0/0.mvt",
        "/tiles/admin/2031-01/0/0/0.mvt",
        f"/tiles/admin/{m}@r0/0/0/0.mvt",
        f"/tiles/admin/{m}@r99/0/0/0.mvt",
        "/tiles/admin/nonsense.json",
        "/tiles/admin/2031-01.json",
        "/tiles/admin/latest/0/0/0.mvt?foo=1",
        "/tiles/admin/latest/0/0/0.mvt?fields=nope",
        "/tiles/admin/latest/0/0/0.mvt?fields=cpr",
        "/tiles/admin/latest/0/0/0.mvt?version=vn-1999",
        "/tiles/h3/2031-01/0/0/0.mvt",
        "/tiles/h3/latest/0/0/0.mvt?fields=population",
        "/tiles/h3/latest/99/0/0.mvt",
        "/styles/nope.json",
        "/styles/population",
        "/styles/population.json?join=x",
        "/styles/population.json?method=magic",
        "/styles/population.json?k=99",
        "/styles/population.json?period=2031-01",
        "/styles/population.json?foo=1",
        f"/styles/h3-density.json?period={m}&version={new_v}",
        "/styles/population.json?period=latest&period=latest",
        "/styles/cpr.json",
        "/api/v1/classes",
        "/api/v1/classes?indicator=cpr",
        "/api/v1/classes?indicator=density&level=planet",
        "/api/v1/classes?indicator=density&k=0",
        "/api/v1/map/values?indicators=density&bbox=2",
        "/api/v1/map/values?indicators=nope",
        "/api/v1/values?period=latest&period=latest",
        "/api/v1/values?foo=1",
        "/api/v1/values?level=planet",
        "/api/v1/values?limit=0",
        "/api/v1/values?limit=999999",
        "/api/v1/values?period=2025-13",
        "/api/v1/values?period=2031-01",
        "/api/v1/values?indicator=cpr",
        "/api/v1/values?format=xml",
        "/api/v1/rankings",
        "/api/v1/rankings?indicator=density&indicator=population",
        "/api/v1/units?limit=1001",
        "/api/v1/units?version=vn-1999",
        "/api/v1/units?q=" + "x" * 101,
        "/api/v1/units/99999999",
        "/api/v1/units/99999999/lineage",
        "/api/v1/units/01/series",
        "/api/v1/units/01/series?indicator=population&view=sideways",
        "/api/v1/units/01/series?indicator=population&version=" + new_v,
        "/api/v1/periods?foo=1",
        "/api/v1/download/latest/province.xls",
        "/api/v1/download/latest/planet.csv",
        "/api/v1/download/latest/province",
        "/api/v1/download/2031-01/province.csv",
        f"/api/v1/download/latest/district.csv",
        "/api/v1/download/latest/province.csv?indicator=cpr",
        "/api/v1/h3/latest/zzzz",
        "/api/v1/h3/latest/8f65a3a8d9fffff",
        f"/api/v1/h3/2031-01/{cell}",
        f"/api/v1/h3/latest/{cell}?foo=1",
        "/assets/missing.js",
        "/assets/.hidden",
        "/nonexistent",
    ):
        add(Check(path, mode="status"))
    add(Check("/api/v1/periods", mode="status", headers={"Authorization": "Bearer wrong"}, label="bad key"))
    add(Check("/api/v1/periods", mode="status", headers={"Authorization": "Basic x"}, label="bad scheme"))
    add(Check("/admin/reload", mode="status", method="POST", label="no token"))
    add(Check("/admin/cache/purge", mode="status", method="GET", label="wrong method"))
    return checks


def conditional(checks, r_old):
    """Revalidation of a sample: the same request with If-None-Match set to the ETag the OLD
    server gave (304 expected from both)."""
    out = []
    taken = {}
    for c, r in zip(checks, r_old):
        if c.mode != "full" or c.method != "GET" or not r or r.get("status") != 200:
            continue
        etag = r["headers"].get("etag")
        if not etag:
            continue
        family = c.path.split("/")[1] + "/" + (c.path.split("/")[2] if c.path.count("/") > 1 else "")
        if taken.get(family, 0) >= 4:
            continue
        taken[family] = taken.get(family, 0) + 1
        out.append(Check(c.path, headers={**c.headers, "If-None-Match": etag},
                         label=(c.label + ", " if c.label else "") + "If-None-Match"))
    return out


def save_diff(old, new, out_dir, n, check):
    os.makedirs(out_dir, exist_ok=True)
    for side, base in (("old", old), ("new", new)):
        try:
            status, headers, body = Client(base).request(check.method, check.path, check.headers)
        except Exception as e:  # noqa: BLE001
            status, headers, body = None, {}, str(e).encode()
        with open(os.path.join(out_dir, f"{n:03d}.{side}.body"), "wb") as f:
            f.write(body)
        with open(os.path.join(out_dir, f"{n:03d}.{side}.headers"), "w") as f:
            f.write(f"{check.method} {check.path}\n{json.dumps(check.headers)}\nstatus {status}\n")
            for k, v in sorted(headers.items()):
                f.write(f"{k}: {v}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True, help="base URL of the OLD server")
    ap.add_argument("--new", required=True, help="base URL of the NEW server")
    ap.add_argument("--out", required=True, help="folder for urls.txt, results.tsv, diff/")
    ap.add_argument("--token-file", help="admin token both servers accept (restricted reads)")
    ap.add_argument("--expected", default="", help="comma-separated paths expected to differ")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    token = open(args.token_file).read().strip() if args.token_file else None
    expected = [p for p in args.expected.split(",") if p]

    t0 = time.time()
    d = discover(args.old)
    checks = build(d, token, expected)
    print(f"compare_served: {len(checks)} requests per server (versions {', '.join(d['versions'])}; "
          f"{len(d['periods'])} periods; {len(d['styles'])} styles; H3 cells {', '.join(d['cells']) or 'none'})",
          file=sys.stderr, flush=True)
    r_old, r_new = fetch_both(args.old, args.new, checks)
    cond = conditional(checks, r_old)
    c_old, c_new = fetch_both(args.old, args.new, cond)
    checks, r_old, r_new = checks + cond, r_old + c_old, r_new + c_new

    with open(os.path.join(args.out, "urls.txt"), "w") as f:
        for c in checks:
            f.write(f"{c.mode}\t{c.method}\t{c.path}\t{json.dumps(c.headers, sort_keys=True)}\n")
    identical, differ, expected_rows, others = 0, [], [], set()
    with open(os.path.join(args.out, "results.tsv"), "w") as f:
        f.write("mode\tmethod\tpath\tlabel\told_status\tnew_status\told_sha256\tnew_sha256\tlength\n")
        for c, a, b in zip(checks, r_old, r_new):
            f.write(f"{c.mode}\t{c.method}\t{c.path}\t{c.label}\t{a.get('status')}\t{b.get('status')}\t"
                    f"{a.get('sha', '')}\t{b.get('sha', '')}\t{a.get('len', '')}\n")
            for r in (a, b):
                others.update(r.get("others", []))
            diff = differences(c, a, b)
            if c.mode == "expected":
                expected_rows.append((c, diff))
            elif diff:
                differ.append((c, diff))
            else:
                identical += 1
    counted = len(checks) - len(expected_rows)
    print(f"compare_served: {counted} URLs, {identical} identical, {len(differ)} differ")
    print(f"  ({len(set(c.path for c in checks))} distinct URLs; tiles with gzip and identity; "
          f"{sum(c.mode == 'status' for c in checks)} compared by status only; "
          f"{len(cond)} If-None-Match revalidations; {time.time() - t0:.0f} s; list in "
          f"{os.path.join(args.out, 'urls.txt')})")
    if others:
        print(f"  headers seen but not compared: {', '.join(sorted(others))}")
    for c, diff in expected_rows:
        what = "; ".join(diff) if diff else "identical"
        print(f"  expected to differ (not a failure): {c.name()}: {what}")
    for n, (c, diff) in enumerate(differ):
        print(f"DIFFER {c.name()}")
        for line in diff:
            print(f"    {line}")
        if n < 40:
            save_diff(args.old, args.new, os.path.join(args.out, "diff"), n, c)
    if differ:
        print(f"  both answers of the first {min(len(differ), 40)} differences: {os.path.join(args.out, 'diff')}/")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
