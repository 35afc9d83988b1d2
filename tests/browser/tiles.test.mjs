// The server's vector tiles decoded by an independent decoder (@mapbox/vector-tile, the parser
// MapLibre's ecosystem uses): layer names match the TileJSON, feature ids are unique per tile and
// follow `level depth × 10⁹ + code`, properties are typed, rings are wound as MVT 2.1 says
// (exterior clockwise in tile coordinates: positive by the spec's shoelace formula, holes
// negative) and coordinates stay within the extent plus the 64-unit buffer.
// Default admin tiles are compact (code and name); `fields=all` carries every public value.
// Runs against the demo server started by scripts/browser-test.sh (POPMAP_URL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VectorTile, classifyRings } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

const BASE = process.env.POPMAP_URL || 'http://127.0.0.1:18103';
const DEPTH = { province: 2, district: 3, commune: 4 };

function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [
    Math.floor(((lon + 180) / 360) * n),
    Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  ];
}

/** Twice the signed area by the MVT spec's formula: positive = clockwise with y down. */
function area2(ring) {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    s += a.x * b.y - b.x * a.y;
  }
  return s;
}

async function getJSON(path) {
  const r = await fetch(BASE + path);
  assert.equal(r.status, 200, `${path} answered ${r.status}`);
  return r.json();
}

/** Decodes one tile; checks everything that does not depend on the family; returns the layers. */
async function decode(url, expectedFields) {
  const r = await fetch(BASE + url, { headers: { 'Accept-Encoding': 'gzip, br' } });
  if (r.status === 204) return null;
  assert.equal(r.status, 200, `${url} answered ${r.status}`);
  assert.equal(r.headers.get('content-type'), 'application/vnd.mapbox-vector-tile');
  const tile = new VectorTile(new PbfReader(new Uint8Array(await r.arrayBuffer())));
  const names = Object.keys(tile.layers);
  assert.ok(names.length > 0, `${url}: a 200 tile has at least one layer`);
  let features = 0;
  for (const name of names) {
    const layer = tile.layers[name];
    assert.equal(layer.version, 2, `${url} ${name}: MVT version`);
    assert.equal(layer.extent, 4096);
    if (name.endsWith('_label')) {
      features += checkLabels(url, name, layer);
      continue;
    }
    const outline = name === 'province_outline';
    assert.ok(name in DEPTH || outline, `${url}: unexpected layer ${name}`);
    const ids = new Set();
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      features++;
      const what = `${url} ${name} #${i}`;
      assert.equal(f.type, 3, `${what}: polygon`);
      assert.equal(typeof f.properties.code, 'string', `${what}: code is a string`);
      assert.match(f.properties.code, /^\d+$/);
      if (outline) {
        // Province borders drawn over deeper levels: geometry and code only.
        assert.deepEqual(Object.keys(f.properties), ['code'], `${what}: outline carries only the code`);
        assert.equal(f.id, DEPTH.province * 1e9 + Number(f.properties.code), `${what}: id`);
        checkRings(what, f.loadGeometry());
        continue;
      }
      assert.equal(typeof f.properties.name, 'string');
      assert.ok(f.properties.name.length > 0);
      assert.equal(f.properties.name, f.properties.name.normalize('NFC'), `${what}: NFC name`);
      assert.equal(f.id, DEPTH[name] * 1e9 + Number(f.properties.code), `${what}: id`);
      assert.ok(!ids.has(f.id), `${what}: id ${f.id} repeated in the tile`);
      ids.add(f.id);
      for (const [k, v] of Object.entries(f.properties)) {
        if (k === 'code' || k === 'name') continue;
        assert.ok(expectedFields.has(k), `${what}: property ${k} not announced by the TileJSON`);
        if (k.endsWith('_unstable')) assert.equal(v, true, `${what}: ${k}`);
        else assert.equal(typeof v, 'number', `${what}: ${k} is a number`);
      }
      for (const k of ['population', 'males', 'females', 'households', 'births']) {
        if (k in f.properties) assert.ok(Number.isInteger(f.properties[k]), `${what}: ${k} integer`);
      }
      checkRings(what, f.loadGeometry());
    }
  }
  return { names, levels: names.filter((n) => n in DEPTH), features };
}

/** Polygon rings inside extent + buffer, exteriors clockwise, holes counter-clockwise. */
function checkRings(what, rings) {
  assert.ok(rings.length > 0, `${what}: no empty features`);
  for (const ring of rings) {
    assert.ok(ring.length >= 3, `${what}: ring of ${ring.length} points`);
    for (const p of ring) {
      assert.ok(p.x >= -64 && p.x <= 4160 && p.y >= -64 && p.y <= 4160, `${what}: (${p.x}, ${p.y}) outside extent + buffer`);
    }
  }
  assert.ok(area2(rings[0]) > 0, `${what}: first ring must be an exterior, clockwise`);
  for (const poly of classifyRings(rings)) {
    assert.ok(area2(poly[0]) > 0, `${what}: exterior clockwise`);
    for (const hole of poly.slice(1)) assert.ok(area2(hole) < 0, `${what}: hole counter-clockwise`);
  }
}

/** A `{level}_label` layer: one point per unit inside the tile proper, the unit's id, names in
 * NFC, a whole-number rank; returns the number of features. */
function checkLabels(url, name, layer) {
  const level = name.slice(0, -'_label'.length);
  assert.ok(level in DEPTH, `${url}: unexpected layer ${name}`);
  const ids = new Set();
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    const what = `${url} ${name} #${i}`;
    assert.equal(f.type, 1, `${what}: point`);
    const { code, name: full, label, label_en: en, rank } = f.properties;
    assert.match(code, /^\d+$/, `${what}: code`);
    assert.equal(f.id, DEPTH[level] * 1e9 + Number(code), `${what}: id`);
    assert.ok(!ids.has(f.id), `${what}: id ${f.id} repeated in the tile`);
    ids.add(f.id);
    for (const text of [full, label]) {
      assert.ok(typeof text === 'string' && text.length > 0, `${what}: names`);
      assert.equal(text, text.normalize('NFC'), `${what}: NFC`);
    }
    assert.ok(full.endsWith(label), `${what}: '${label}' is the short form of '${full}'`);
    if (en !== undefined) assert.match(en, /^[\x20-\x7e]+$/, `${what}: English form is ASCII`);
    assert.ok(Number.isInteger(rank) && rank >= 0, `${what}: rank`);
    const pts = f.loadGeometry();
    assert.equal(pts.length, 1, `${what}: one point`);
    const [p] = pts[0];
    assert.ok(p.x >= 0 && p.x <= 4096 && p.y >= 0 && p.y <= 4096, `${what}: (${p.x}, ${p.y}) in the tile proper`);
  }
  return layer.length;
}

const PLACES = [
  ['Hà Nội', 105.85, 21.03],
  ['TP. Hồ Chí Minh', 106.7, 10.78],
  ['Đà Nẵng', 108.22, 16.05],
];

test('admin tiles are compact by default and carry every public value with fields=all', async () => {
  const compact = await getJSON('/tiles/admin/latest.json');
  assert.deepEqual(Object.keys(compact.vector_layers[0].fields), ['code', 'name']);
  assert.doesNotMatch(compact.tiles[0], /fields=/);
  const all = await getJSON('/tiles/admin/latest.json?fields=all');
  assert.match(all.tiles[0], /\?fields=population,/);
  assert.ok('population' in all.vector_layers[0].fields && 'density' in all.vector_layers[0].fields);
  const [x, y] = tileOf(105.85, 21.03, 10);
  const keysOf = async (tj) => {
    const url = tj.tiles[0].replace(/^https?:\/\/[^/]+/, '').replace('{z}', 10).replace('{x}', x).replace('{y}', y);
    const r = await fetch(BASE + url, { headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(r.status, 200, url);
    const tile = new VectorTile(new PbfReader(new Uint8Array(await r.arrayBuffer())));
    const layer = tile.layers.commune;
    const keys = new Set();
    for (let i = 0; i < layer.length; i++) for (const k of Object.keys(layer.feature(i).properties)) keys.add(k);
    return keys;
  };
  assert.deepEqual([...await keysOf(compact)].sort(), ['code', 'name']);
  const full = await keysOf(all);
  assert.ok(full.has('population') && full.has('density'), [...full].join(','));
});

test('a join=props style gets from its compact-by-default tiles the values the web map joins', async () => {
  // A third-party MapLibre page given the style follows source → TileJSON → tiles; the fills
  // colour by ["get", indicator] with the style's classes, so the same values as the web map's
  // feature-state join (/api/v1/map/values) mean the same colours.
  for (const ind of ['density', 'sex_ratio']) {
    const style = await getJSON(`/styles/${ind}.json`);
    const tj = await getJSON(style.sources.popmap.url.replace(/^https?:\/\/[^/]+/, ''));
    assert.deepEqual(tj.popmap.fields, [ind], `${ind}: the style's TileJSON asks for its property`);
    const period = style.metadata['popmap:period'];
    const mv = await getJSON(`/api/v1/map/values?period=${encodeURIComponent(period)}&level=commune&indicators=${ind}`);
    const want = new Map(mv.codes.map((c, i) => [c, mv.values[ind][i]]));
    const [x, y] = tileOf(105.85, 21.03, 10);
    const url = tj.tiles[0].replace(/^https?:\/\/[^/]+/, '').replace('{z}', 10).replace('{x}', x).replace('{y}', y);
    const r = await fetch(BASE + url);
    assert.equal(r.status, 200, url);
    const layer = new VectorTile(new PbfReader(new Uint8Array(await r.arrayBuffer()))).layers.commune;
    assert.ok(layer.length >= 20, `${ind}: ${layer.length} communes in the Hà Nội tile`);
    let valued = 0;
    for (let i = 0; i < layer.length; i++) {
      const p = layer.feature(i).properties;
      assert.deepEqual(Object.keys(p).filter((k) => !k.startsWith(ind)).sort(), ['code', 'name'], `${ind} ${p.code}: only what the style uses`);
      const v = want.get(p.code);
      if (v === null || v === undefined) {
        assert.equal(p[ind], undefined, `${ind} ${p.code}: no value, none in the tile`);
        continue;
      }
      assert.ok(Math.abs(p[ind] - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${ind} ${p.code}: tile ${p[ind]} vs map values ${v}`);
      valued++;
    }
    assert.ok(valued >= 20, `${ind}: ${valued} communes with a value`);
  }
});

test('admin and boundary tiles decode with @mapbox/vector-tile and follow MVT 2.1', async () => {
  const periods = await getJSON('/api/v1/periods');
  assert.ok(periods.length > 0);
  // fields=all: every public value, each checked against the TileJSON's fields.
  const tj = await getJSON('/tiles/admin/latest.json?fields=all');
  assert.equal(tj.tilejson, '3.0.0');
  const layerZooms = Object.fromEntries(tj.vector_layers.map((l) => [l.id, [l.minzoom, l.maxzoom]]));
  const fields = new Set(Object.keys(tj.vector_layers[0].fields));
  // The tiles URL names one revision, so its tiles are immutable.
  assert.match(tj.tiles[0], /\/tiles\/admin\/\d{4}(-\d{2}|-Q\d)?@r\d+\/\{z\}\/\{x\}\/\{y\}\.mvt/);
  const template = tj.tiles[0].replace(/^https?:\/\/[^/]+/, '');
  let decoded = 0;
  for (const z of [4, 6, 8, 10, 12]) {
    for (const [place, lon, lat] of PLACES) {
      const [x, y] = tileOf(lon, lat, z);
      const url = template.replace('{z}', z).replace('{x}', x).replace('{y}', y);
      const got = await decode(url, fields);
      assert.ok(got, `${place} z${z}: land tile is not empty`);
      for (const name of got.names) {
        const [lo, hi] = layerZooms[name];
        assert.ok(z >= lo && z <= hi, `${place} z${z}: layer ${name} outside its TileJSON zooms ${lo}–${hi}`);
      }
      assert.equal(got.levels.length, 1, `${place} z${z}: one level per zoom`);
      assert.ok(got.names.includes(`${got.levels[0]}_label`), `${place} z${z}: the level's labels`);
      decoded += got.features;
    }
  }
  assert.ok(decoded > 100, `decoded ${decoded} features`);

  const version = periods[periods.length - 1].version;
  const btj = await getJSON(`/tiles/boundaries/${version}.json`);
  const bt = btj.tiles[0].replace(/^https?:\/\/[^/]+/, '');
  const [x, y] = tileOf(105.85, 21.03, 9);
  const b = await decode(bt.replace('{z}', 9).replace('{x}', x).replace('{y}', y), new Set());
  assert.ok(b && b.features > 0, 'boundary tile has features and no values');
});

test('an empty area answers 204 and bad tile addresses answer 4xx', async () => {
  // Mid-Pacific at z6: no unit there.
  const [x, y] = tileOf(-150, 0, 6);
  const r = await fetch(`${BASE}/tiles/admin/latest/6/${x}/${y}.mvt`);
  assert.equal(r.status, 204);
  for (const bad of ['99/0/0', '3/8/0', '3/-1/0', '3/a/0', '3/0/0.png']) {
    const s = (await fetch(`${BASE}/tiles/admin/latest/${bad}.mvt`)).status;
    assert.ok(s >= 400 && s < 500, `${bad} answered ${s}`);
  }
  const unknown = await fetch(`${BASE}/tiles/admin/1999-01/3/0/0.mvt`);
  assert.equal(unknown.status, 404);
});
