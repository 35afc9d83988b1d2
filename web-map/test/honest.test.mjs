// Unit tests (node --test, no browser) of issue 15's pure web-map rules: no dead ends (valid.js
// corrects a view the server cannot serve, and the pickers offer only what it serves), errors in
// the UI language only (i18n.js errorText never echoes the server's text), the small-number flags
// and hatch layers (unstable.js) and the explanation dialog's text (explain.js). The demo-shaped
// metadata below mirrors /api/v1/versions, /api/v1/periods and /api/v1/map/indicators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctView, boundaryChoices, levelChoices, methodsOf, kRange } from '../src/assets/valid.js';
import { errorText, t, tf } from '../src/assets/i18n.js';
import { unstableOf, unstableCount, addHatchLayers, granularityOf, finerNote } from '../src/assets/unstable.js';
import { explainHTML } from '../src/assets/explain.js';

const VERSIONS = [
  { id: 'vn-2019', valid_from: '2019-01-01', valid_to: '2025-06-30', levels: ['province', 'district', 'commune'], onto: ['vn-2025'], h3: true },
  { id: 'vn-2025', valid_from: '2025-07-01', valid_to: null, levels: ['province', 'commune'], onto: [], h3: true },
];
const PERIODS = [
  { period: '2024-03', granularity: 'month', version: 'vn-2019' },
  { period: '2026-09', granularity: 'month', version: 'vn-2025' },
  { period: '2024', granularity: 'year', version: 'vn-2019' },
];
const INDICATORS = [
  { id: 'density', methods: ['quantile', 'equal_interval', 'jenks'], k_range: [2, 9], h3: true, stable: null },
  { id: 'srb', methods: ['quantile', 'equal_interval', 'jenks', 'fixed'], k_range: [2, 9], h3: true, stable: { level: 'province', granularity: 'year' } },
];
const meta = (over = {}) => ({ versions: VERSIONS, periods: PERIODS, indicators: INDICATORS, ...over });
const view = (over) => ({ ind: 'density', period: '2026-09', level: 'auto', method: '', k: '', bv: '', ...over });

test('the three dead ends of issue 15 are corrected to the nearest valid view with a UI-language notice', () => {
  const cases = [
    [{ bv: 'vn-2019' }, 'bv', '', t('vi', 'fixedBv')],
    [{ method: 'fixed' }, 'method', '', t('vi', 'fixedMethod')],
    [{ k: '12' }, 'k', '', tf('vi', 'fixedK', { min: 2, max: 9 })],
  ];
  for (const [asked, key, fixed, notice] of cases) {
    const s = view(asked);
    const notes = correctView(s, meta(), 'vi');
    assert.equal(s[key], fixed, JSON.stringify(asked));
    assert.deepEqual(notes, [notice], JSON.stringify(asked));
    // The rest of the view is kept.
    assert.equal(s.ind, 'density');
    assert.equal(s.period, '2026-09');
  }
  // In English too, and all three at once give three notes.
  const s = view({ bv: 'vn-2019', method: 'fixed', k: '12' });
  assert.equal(correctView(s, meta(), 'en').length, 3);
  assert.deepEqual([s.bv, s.method, s.k], ['', '', '']);
});

test('a view the server serves is left alone', () => {
  for (const asked of [
    { bv: 'vn-2025', period: '2024-03', level: 'commune' }, // harmonised onto the new boundaries
    { ind: 'srb', method: 'fixed', k: '7', level: 'province' },
    { k: '2' }, { k: '9' }, { level: 'h3' }, { period: '2024-03', level: 'district' },
  ]) {
    const s = view(asked);
    const before = { ...s };
    assert.deepEqual(correctView(s, meta(), 'vi'), [], JSON.stringify(asked));
    assert.deepEqual(s, before);
  }
});

test('levels the boundaries lack and H3 without an operator fall back to the automatic level', () => {
  let s = view({ level: 'district' }); // vn-2025 has no districts
  assert.deepEqual(correctView(s, meta(), 'vi'), [t('vi', 'fixedLevel')]);
  assert.equal(s.level, 'auto');
  const noH3 = meta({ versions: VERSIONS.map((v) => ({ ...v, h3: false })) });
  s = view({ level: 'h3' });
  assert.deepEqual(correctView(s, noH3, 'vi'), [t('vi', 'h3Missing')]);
  assert.equal(s.level, 'auto');
  assert.ok(!levelChoices(noH3, '2026-09', INDICATORS[0]).includes('h3'));
  assert.ok(levelChoices(meta(), '2026-09', INDICATORS[0]).includes('h3'));
  assert.ok(!levelChoices(meta(), '2026-09', { ...INDICATORS[0], h3: false }).includes('h3'), 'an indicator without H3 values');
});

test('the pickers offer only what the server serves: crosswalk targets, listed methods, k_range', () => {
  assert.deepEqual(boundaryChoices(meta(), '2024-03').map((v) => v.id), ['vn-2019', 'vn-2025']);
  assert.deepEqual(boundaryChoices(meta(), '2026-09').map((v) => v.id), ['vn-2025'], 'no vn-2019 for a 2026 period');
  assert.deepEqual(methodsOf(INDICATORS[0]), ['quantile', 'equal_interval', 'jenks']);
  assert.ok(methodsOf(INDICATORS[1]).includes('fixed'));
  assert.deepEqual(kRange(INDICATORS[0]), [2, 9]);
  assert.deepEqual(kRange({ k_range: [3, 7] }), [3, 7]);
});

test("errors are UI-language sentences by status and parameter, never the server's text", () => {
  const server = "no crosswalk leads from vn-2025 to vn-2019 (run `popmap crosswalk build --from vn-2025 --to vn-2019`)";
  const e = Object.assign(new Error(server), { status: 400, code: 'bad_request', parameter: 'version' });
  for (const lang of ['vi', 'en']) {
    const text = errorText(lang, e);
    assert.ok(!/crosswalk|popmap|bad_request|400/.test(text), text);
    assert.ok(text.includes(t(lang, 'errBadRequest')), text);
  }
  assert.match(errorText('vi', { status: 400, parameter: 'k' }), /số lớp/);
  assert.equal(errorText('vi', { status: 404 }), t('vi', 'errNotFound'));
  assert.equal(errorText('vi', { status: 0, code: 'network' }), t('vi', 'errNetwork'));
  assert.equal(errorText('vi', { status: 503 }), t('vi', 'errServer'));
  // Anything that is not a server answer (a TypeError, a string) is the generic sentence.
  assert.equal(errorText('vi', new TypeError("Cannot read properties of undefined (reading 'x')")), t('vi', 'errGeneric'));
  assert.equal(errorText('en', 'boom'), t('en', 'errGeneric'));
});

test('unstable flags are read aligned with the codes of map/values and of a change answer', () => {
  const values = { codes: ['a', 'b', 'c'], unstable: { srb: [true, false, true], density: [false, false, false] } };
  assert.deepEqual(unstableOf(values, 'srb'), [true, false, true]);
  assert.equal(unstableCount(values, 'srb'), 2);
  assert.equal(unstableCount(values, 'density'), 0);
  assert.deepEqual(unstableOf({ unstable: [false, true] }, 'srb'), [false, true], 'a change answer: one list');
  assert.equal(unstableOf({ codes: ['a'] }, 'srb'), null, 'an older server: no flags');
  assert.equal(unstableCount(null, 'srb'), 0);
});

test('a hatch layer sits right above each data fill: feature state for joined values, tile flags otherwise', () => {
  const doc = () => ({
    metadata: { 'popmap:join': 'state' },
    layers: [
      { id: 'context-land', type: 'fill', source: 'context', 'source-layer': 'land' },
      { id: 'province-fill', type: 'fill', source: 'popmap', 'source-layer': 'province', minzoom: 0, maxzoom: 7 },
      { id: 'province-line', type: 'line', source: 'popmap', 'source-layer': 'province' },
      { id: 'commune-fill', type: 'fill', source: 'popmap', 'source-layer': 'commune', minzoom: 7 },
    ],
  });
  const out = addHatchLayers(doc(), 'srb');
  assert.deepEqual(out.layers.map((l) => l.id),
    ['context-land', 'province-fill', 'province-fill-hatch', 'province-line', 'commune-fill', 'commune-fill-hatch']);
  const hatch = out.layers.find((l) => l.id === 'province-fill-hatch');
  assert.equal(hatch.paint['fill-pattern'], 'hatch');
  assert.deepEqual(hatch.paint['fill-opacity'], ['case', ['boolean', ['feature-state', 'unstable'], false], 1, 0]);
  assert.deepEqual([hatch.minzoom, hatch.maxzoom], [0, 7]);
  // Tiles that carry their values (H3, print's join=props) carry the flag `{ind}_unstable`.
  const h3 = addHatchLayers({ metadata: { 'popmap:join': 'props' }, layers: [{ id: 'h3-fill', type: 'fill', source: 'popmap', 'source-layer': 'h3' }] }, 'cbr');
  assert.deepEqual(h3.layers[1].paint['fill-opacity'], ['case', ['boolean', ['get', 'cbr_unstable'], false], 1, 0]);
  // Applying twice adds no second hatch.
  assert.equal(addHatchLayers(out, 'srb').layers.length, out.layers.length);
});

test('a view finer than the stable one is noted; the stable one is not', () => {
  const srb = INDICATORS[1];
  assert.equal(granularityOf('2026-09@r1'), 'month');
  assert.equal(granularityOf('2026-Q3'), 'quarter');
  assert.equal(granularityOf('2024'), 'year');
  assert.equal(finerNote('vi', srb, 'province', '2024'), '');
  assert.equal(finerNote('vi', INDICATORS[0], 'commune', '2026-09'), '', 'density is stable anywhere');
  const note = finerNote('vi', srb, 'commune', '2026-09');
  assert.equal(note, 'Số liệu theo xã/tháng dựa trên số nhỏ: nhiều giá trị không ổn định.');
  assert.match(finerNote('vi', srb, 'province', '2026-Q3'), /quý/);
  assert.match(finerNote('vi', srb, 'h3', '2024'), /theo ô lục giác H3/, 'the level drawn is named');
  assert.doesNotMatch(finerNote('vi', srb, 'h3', '2024'), /xã/);
  assert.match(finerNote('vi', srb, 'district', '2024'), /theo huyện/);
  assert.match(finerNote('en', srb, 'h3', '2024'), /by H3 cell/);
});

test('the explanation names definition, formula, unit, source and caveats in the UI language, escaped', () => {
  const ind = {
    id: 'srb', name_vi: 'Tỷ số giới tính khi sinh', name_en: 'Sex ratio at birth', unit: 'bé trai/100 bé gái', unit_en: 'boys per 100 girls',
    about: {
      definition: { vi: 'Số bé trai <b>sinh</b> trên 100 bé gái', en: 'Boys born per 100 girls' },
      formula: { vi: 'nam / nữ × 100', en: 'male / female × 100' },
      source: { vi: 'Báo cáo thống kê', en: 'Statistical reports' },
      caveats: null,
    },
  };
  const vi = explainHTML('vi', ind);
  for (const s of ['Tỷ số giới tính khi sinh', 'nam / nữ × 100', 'bé trai/100 bé gái', 'Báo cáo thống kê', t('vi', 'definition'), t('vi', 'formula')]) {
    assert.ok(vi.includes(s), s);
  }
  assert.ok(vi.includes('&lt;b&gt;sinh&lt;/b&gt;') && !vi.includes('<b>sinh'), 'catalog text is escaped');
  assert.ok(!vi.includes(t('vi', 'caveats')), 'no caveats row without caveats');
  const en = explainHTML('en', ind);
  assert.ok(en.includes('Boys born per 100 girls') && en.includes('boys per 100 girls') && !en.includes('Báo cáo'));
  // An indicator the catalog does not explain yet says so instead of an empty dialog.
  assert.ok(explainHTML('vi', { id: 'x', name_vi: 'X', unit: '' }).includes(t('vi', 'noAbout')));
});
