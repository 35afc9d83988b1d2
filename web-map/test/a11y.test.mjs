// Unit tests of the keyboard and screen-reader helpers (node --test, no browser): the reading
// order and the directional step of keynav.js, the legend's one-line summary, MapLibre's locale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readingOrder, nearestInDirection } from '../src/assets/keynav.js';
import { legendSummary } from '../src/assets/legend.js';
import { mapLocale } from '../src/assets/maplocale.js';
import { readFileSync } from 'node:fs';

test('units in view are read in rows from the top, left to right in a row', () => {
  const pts = [{ code: 'c', x: 50, y: 300 }, { code: 'b', x: 400, y: 20 }, { code: 'a', x: 10, y: 60 }, { code: 'd', x: 5, y: 590 }];
  // Rows of 100 px on a 600 px map: a and b share the first row (a is further left).
  assert.deepEqual(readingOrder(pts, 600).map((p) => p.code), ['a', 'b', 'c', 'd']);
});

test('Alt + arrow goes to the nearest unit in that direction, none when nothing lies there', () => {
  const from = { code: 'o', x: 100, y: 100 };
  const units = [from, { code: 'right', x: 160, y: 110 }, { code: 'far-right', x: 300, y: 100 }, { code: 'up', x: 100, y: 20 },
    { code: 'diag', x: 140, y: 180 }];
  assert.equal(nearestInDirection(units, from, [1, 0]).code, 'right');
  assert.equal(nearestInDirection(units, from, [0, -1]).code, 'up');
  assert.equal(nearestInDirection(units, from, [0, 1]).code, 'diag');
  assert.equal(nearestInDirection(units, from, [-1, 0]), null);
});

test('the legend is summed up in one line in the UI language', () => {
  const legend = { title: 'Mật độ dân số', subtitle: 'Tháng 9/2026 · Tỉnh', classes: [{}, {}, {}, {}, {}] };
  assert.equal(legendSummary('vi', legend), 'Chú giải: Mật độ dân số, Tháng 9/2026, Tỉnh, 5 lớp');
  assert.equal(legendSummary('en', { ...legend, title: 'Population density', subtitle: 'September 2026 · Province' }),
    'Legend: Population density, September 2026, Province, 5 classes');
});

test("MapLibre's own texts are Vietnamese in vi and English in en, for every key it has", () => {
  const vi = mapLocale('vi');
  const en = mapLocale('en');
  assert.equal(vi['Map.Title'], 'Bản đồ');
  assert.equal(vi['NavigationControl.ZoomIn'], 'Phóng to');
  assert.equal(vi['Popup.Close'], 'Đóng thông tin');
  assert.equal(en['NavigationControl.ZoomIn'], 'Zoom in');
  assert.deepEqual(Object.keys(vi), Object.keys(en));
  for (const [k, v] of Object.entries(vi)) assert.notEqual(v, en[k], `${k} is translated`);
  // Every text of the MapLibre installed (its scale units, m and km, read the same in Vietnamese).
  const src = readFileSync(new URL('../node_modules/maplibre-gl/src/ui/default_locale.ts', import.meta.url), 'utf8');
  const theirs = [...src.matchAll(/'([A-Za-z]+\.[A-Za-z]+)':/g)].map((m) => m[1]).filter((k) => !k.startsWith('ScaleControl.'));
  assert.ok(theirs.length >= 15);
  assert.deepEqual(theirs.filter((k) => !(k in vi)), []);
});
