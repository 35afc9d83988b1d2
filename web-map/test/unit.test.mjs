// Unit tests of the web map's pure modules (node --test, no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, search } from '../src/assets/fold.js';
import { parse, format, parseCamera, locked } from '../src/assets/state.js';
import { changeClasses, rangeLabel } from '../src/assets/legend.js';
import { siblingRank, chartSVG, seriesNote, viewToggleHTML, periodKind } from '../src/assets/popup.js';

test('fold ignores Vietnamese diacritics like the server', () => {
  assert.equal(fold('Hà Nội'), 'ha noi');
  assert.equal(fold('  Thành phố   Hồ Chí Minh '), 'thanh pho ho chi minh');
  assert.equal(fold('Đắk Lắk'), 'dak lak');
  assert.equal(fold('Hà Nội'.normalize('NFD')), 'ha noi');
});

test('search finds by folded name and by code', () => {
  const mk = (code, name, depth) => ({ code, name, key: fold(name), depth });
  const units = [mk('01', 'Thành phố Hà Nội', 0), mk('00004', 'Phường Phúc Xá', 2), mk('79', 'Thành phố Hồ Chí Minh', 0), mk('001', 'Quận Ba Đình', 1)];
  assert.equal(search(units, 'ha noi')[0].code, '01');
  assert.equal(search(units, 'HÀ NỘI')[0].code, '01');
  assert.equal(search(units, 'phuc xa')[0].code, '00004');
  assert.deepEqual(search(units, '0000').map((u) => u.code), ['00004']);
  assert.equal(search(units, 'tp ho').length, 0);
  assert.equal(search(units, 'ho chi')[0].code, '79');
  assert.deepEqual(search(units, ''), []);
});

test('view state round-trips through the URL', () => {
  const s = parse('?ind=srb&period=2025-06&level=commune&cmp=2024-06&at=7.00/21.0000/105.8000&lang=en');
  assert.equal(s.ind, 'srb');
  assert.equal(s.method, '');
  assert.equal(parse(format(s)).at, s.at);
  assert.deepEqual(parse(format(s)), s);
  assert.equal(format(parse('')), '');
  assert.deepEqual(parseCamera('7/21/105.8'), { zoom: 7, center: [105.8, 21] });
  assert.equal(parseCamera('7/99/105'), null);
  assert.equal(parseCamera('x'), null);
  assert.ok(locked(parse('?lock=ind,period'), 'period'));
  assert.ok(!locked(parse('?lock=ind'), 'level'));
});

test('change classes are symmetric and count every value', () => {
  const v = [-10, -3, 0, 0.1, 4, 10, null];
  const c = changeClasses(v);
  assert.equal(c.classes.length, 7);
  assert.equal(c.classes.reduce((a, k) => a + k.count, 0), 6);
  assert.equal(c.no_data.count, 1);
  assert.deepEqual(c.thresholds.slice(0, 3).map((x) => -x), c.thresholds.slice(3).reverse());
  assert.equal(c.classes[3].count, 2); // 0 and 0.1 are in the neutral middle class
  assert.equal(rangeLabel('en', { min: null, max: 94 }, false), '< 94');
  assert.equal(rangeLabel('en', { min: 106, max: null }, true), '≥ 106');
  assert.equal(rangeLabel('en', { min: 1, max: 2 }, false), '1 – <2');
  assert.equal(rangeLabel('en', { min: 1, max: 2 }, true), '1 – 2');
});

test('rank among siblings counts only the same parent', () => {
  const parents = ['A', 'A', 'B', 'A'];
  const values = [5, 9, 100, null];
  assert.deepEqual(siblingRank(parents, values, 0), { rank: 2, n: 2 });
  assert.deepEqual(siblingRank(parents, values, 1), { rank: 1, n: 2 });
  assert.equal(siblingRank(parents, values, 3), null);
  assert.match(chartSVG([{ period: '2025-01', value: 1 }, { period: '2025-02', value: 3 }]), /<path d="M/);
  assert.equal(chartSVG([{ period: '2025-01', value: 1 }]), '');
});

test('the series chart marks estimated points and boundary changes; the toggle presses one view', () => {
  const pts = [
    { period: '2025-05', value: 10, version: 'vn-2019', estimated: false },
    { period: '2025-06', value: 11, version: 'vn-2019', estimated: true },
    { period: '2025-07', value: 40, version: 'vn-2025', estimated: false },
    { period: '2025-08', value: 41, version: 'vn-2025', estimated: false },
  ];
  const svg = chartSVG(pts);
  assert.equal((svg.match(/class="est"/g) || []).length, 1);
  assert.equal((svg.match(/class="vbreak"/g) || []).length, 1);
  // The break sits between 2025-06 and 2025-07 (x = 4 + 1.5 * 232 / 3).
  assert.match(svg, /<line class="vbreak" x1="120.0"/);
  assert.equal((chartSVG(pts.map((p) => ({ ...p, version: 'vn-2025', estimated: false }))).match(/vbreak|est/g) || []).length, 0);

  const html = viewToggleHTML('en', 'harmonised');
  assert.match(html, /data-view="harmonised" aria-pressed="true">Current boundaries/);
  assert.equal((html.match(/aria-pressed="false"/g) || []).length, 2);

  assert.equal(seriesNote('en', { view: 'as-reported', points: pts }), '○ estimated (1) · ┆ boundary change');
  assert.equal(seriesNote('en', { view: 'harmonised', target: 'vn-2025', points: [] }), 'on boundaries vn-2025');
  assert.equal(
    seriesNote('en', { view: 'h3', footprint: { cells: 12, resolution: 8, area_km2: 8.9 }, points: [pts[1]] }),
    '12 cells r8, 9 km² · ○ estimated (1)',
  );
  assert.equal(seriesNote('en', null), '');
  assert.deepEqual(['2025-07', '2025-Q3', '2025'].map(periodKind), ['month', 'quarter', 'year']);
});
