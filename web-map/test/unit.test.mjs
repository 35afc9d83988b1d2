// Unit tests of the web map's pure modules (node --test, no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold } from '../src/assets/fold.js';
import { searchURL, distinct, detail } from '../src/assets/search.js';
import { parse, format, parseCamera, locked, DEFAULTS } from '../src/assets/state.js';
import { rangeLabel, breaksHTML, timelineSpan } from '../src/assets/legend.js';
import { siblingRank, seriesNote, viewToggleHTML, periodKind, seriesURLs, markLabels, VIEWS, popupHTML } from '../src/assets/popup.js';
import { chartSVG, niceTicks, boundaryMarks, tooltipText, nearestIndex, timeLayout, dayOf } from '../src/assets/chart.js';
import {
  granularityOf, periodsOf, periodsFor, granularitiesOf, newestOf, resolvePeriods, nextPeriod, boundaryChanges, periodLabel,
} from '../src/assets/timeline.js';
import { changeURL, changeLegend } from '../src/assets/change.js';

test('fold ignores Vietnamese diacritics like the server', () => {
  assert.equal(fold('Hà Nội'), 'ha noi');
  assert.equal(fold('  Thành phố   Hồ Chí Minh '), 'thanh pho ho chi minh');
  assert.equal(fold('Đắk Lắk'), 'dak lak');
  assert.equal(fold('Hà Nội'.normalize('NFD')), 'ha noi');
});

test('the search box asks the server once and lists each unit once', () => {
  assert.equal(searchURL(' hà nội ', ''), '/api/v1/units?q=h%C3%A0+n%E1%BB%99i&versions=all&limit=12');
  assert.match(searchURL('sa pa', '15'), /&within=15$/);
  const hn = (version) => ({ code: '01', name: 'Thành phố Hà Nội', version });
  const bd = { code: '74', name: 'Tỉnh Bình Dương', version: 'vn-2019' };
  assert.deepEqual(distinct([hn('vn-2025'), hn('vn-2019'), bd]), [hn('vn-2025'), bd]);
  const old = { ...bd, level: 'province', type: { vi: 'Tỉnh', en: 'Province' }, now_part_of: [{ code: '79', name: 'Thành phố Hồ Chí Minh' }] };
  assert.equal(detail(old, 'vi', false), 'Tỉnh · nay thuộc Thành phố Hồ Chí Minh');
  assert.equal(detail(old, 'en', false), 'Province · now part of Thành phố Hồ Chí Minh');
  const ward = { code: '26068', name: 'Phường Biên Hòa', level: 'commune', type: { vi: 'Phường', en: 'Ward' }, parent_name: 'Tỉnh Đồng Nai' };
  assert.equal(detail(ward, 'vi', true), 'Phường · Tỉnh Đồng Nai · 26068');
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

test('range labels: open-ended classes, the last closed, a single class says so', () => {
  assert.equal(rangeLabel('en', { min: null, max: 94 }, false), '< 94');
  assert.equal(rangeLabel('en', { min: 106, max: null }, true), '≥ 106');
  assert.equal(rangeLabel('en', { min: 1, max: 2 }, false), '1 – <2');
  assert.equal(rangeLabel('en', { min: 1, max: 2 }, true), '1 – 2');
  assert.equal(rangeLabel('vi', { min: -2.5, max: 2.5 }, false), '-2,5 – <2,5');
  assert.equal(rangeLabel('vi', { min: null, max: null }, true), 'mọi giá trị');
});

// ---------- issue 15: one period model, stable legend, change maps, series ----------

const ENTRIES = [
  ...['2025-05', '2025-06'].map((period) => ({ period, granularity: 'month', revision: 1, version: 'vn-2019' })),
  { period: '2025-Q2', granularity: 'quarter', revision: 1, version: 'vn-2019' },
  ...['2025-07', '2025-08', '2025-09'].map((period) => ({ period, granularity: 'month', revision: 1, version: 'vn-2025' })),
  { period: '2025-Q3', granularity: 'quarter', revision: 2, version: 'vn-2025' },
];

test('an age indicator plays and compares only the periods that carry ages', () => {
  const entries = [
    ...['2024-12', '2025-11', '2025-12', '2026-01'].map((period) => ({ period, granularity: 'month', ages: period.endsWith('-12') })),
    { period: '2025-Q4', granularity: 'quarter' }, // a server that does not say: taken to have them
  ];
  assert.deepEqual(periodsFor(entries, 'month', true), ['2024-12', '2025-12']);
  assert.deepEqual(periodsFor(entries, 'month', false), ['2024-12', '2025-11', '2025-12', '2026-01']);
  assert.deepEqual(periodsFor(entries, 'quarter', true), ['2025-Q4']);
  assert.equal(nextPeriod(periodsFor(entries, 'month', true), '2024-12', false), '2025-12');
});

test('the period model: one granularity, newest month by default, same-length comparisons only', () => {
  assert.deepEqual(['2025-07', '2025-Q3', '2025', '2025-07@r2'].map(granularityOf), ['month', 'quarter', 'year', 'month']);
  assert.deepEqual(periodsOf(ENTRIES, 'month'), ['2025-05', '2025-06', '2025-07', '2025-08', '2025-09']);
  assert.deepEqual(granularitiesOf(ENTRIES), ['month', 'quarter'], 'no year published: not offered');
  assert.equal(newestOf(ENTRIES, 'quarter'), '2025-Q3');
  assert.equal(newestOf(ENTRIES, 'year'), '');
  const S = parse('');
  assert.equal(S.g, 'month');
  assert.deepEqual(resolvePeriods(S, ENTRIES), { g: 'month', period: '2025-09', cmp: '', refused: false });
  assert.deepEqual(resolvePeriods(parse('?period=2025-Q2'), ENTRIES), { g: 'quarter', period: '2025-Q2', cmp: '', refused: false });
  assert.deepEqual(resolvePeriods(parse('?g=quarter'), ENTRIES).period, '2025-Q3');
  assert.deepEqual(resolvePeriods(parse('?g=year'), ENTRIES).g, 'month', 'a granularity without periods falls back');
  assert.deepEqual(resolvePeriods(parse('?period=2025-09&cmp=2025-Q2'), ENTRIES), { g: 'month', period: '2025-09', cmp: '', refused: true });
  assert.equal(resolvePeriods(parse('?period=2025-09&cmp=2025-05'), ENTRIES).cmp, '2025-05');
  assert.equal(resolvePeriods(parse('?period=2025-09&cmp=2019-01'), ENTRIES).cmp, '');
  const months = periodsOf(ENTRIES, 'month');
  assert.equal(nextPeriod(months, '2025-06', false), '2025-07');
  assert.equal(nextPeriod(months, '2025-09', false), null);
  assert.equal(nextPeriod(months, '2025-09', true), '2025-05');
  assert.deepEqual(boundaryChanges(ENTRIES, 'month'), ['2025-07']);
  assert.deepEqual(boundaryChanges(ENTRIES, 'quarter'), ['2025-Q3']);
  assert.equal(periodLabel(ENTRIES[0], 'vi'), 'Tháng 5/2025');
  assert.equal(periodLabel(ENTRIES[6], 'vi'), 'Quý III/2025 (bản sửa 2)');
});

test('view state: granularity, change measure, breaks and the harmonised series are URL keys', () => {
  assert.equal(DEFAULTS.sv, 'harmonised');
  const s = parse('?g=quarter&cm=pct&br=period&sv=as-reported');
  assert.deepEqual([s.g, s.cm, s.br, s.sv], ['quarter', 'pct', 'period', 'as-reported']);
  assert.equal(format(s), '?sv=as-reported&g=quarter&cm=pct&br=period');
  assert.equal(format(parse('?g=month&cm=abs&sv=harmonised')), '');
});

test('the legend states its notes, the timeline it serves and the this-period-only switch', () => {
  const legend = { breaks: 'timeline', periods: ['2024-02', '2024-01', '2026-09'], notes: [{ code: 'merged', text: 'Hai lớp được gộp.' }] };
  const html = breaksHTML('vi', legend);
  assert.match(html, /<li data-note="merged">Hai lớp được gộp.<\/li>/);
  assert.match(html, /Cùng ngưỡng cho 3 kỳ, Tháng 1\/2024 – Tháng 9\/2026/);
  assert.match(html, /<input type="checkbox" data-breaks> Chỉ kỳ này/);
  assert.match(breaksHTML('en', { ...legend, breaks: 'period' }), /data-breaks checked> This period only/);
  assert.doesNotMatch(breaksHTML('vi', { ...legend, change: true }), /data-breaks/, 'no switch on a change map');
  assert.equal(timelineSpan('vi', ['2026-09']), '');
});

test('change maps: the server URL and a legend titled from … to … in the answer\'s unit', () => {
  assert.equal(changeURL({ indicator: 'sex_ratio', period: '2026-06', base: '2024-06', level: 'commune', version: '', measure: 'abs' }),
    '/api/v1/map/change?indicator=sex_ratio&period=2026-06&base=2024-06&level=commune');
  assert.match(changeURL({ indicator: 'cbr', period: '2026-06', base: '2024-06', level: 'province', measure: 'pct' }), /&measure=pct$/);
  const r = {
    period: '2026-06', base: '2024-06', measure: 'abs', unit: 'điểm %', unit_en: 'pp', harmonised_from: 'vn-2019',
    thresholds: [-1, 1], neutral: [-1, 1], classes: [{ min: null, max: -1 }, { min: -1, max: 1 }, { min: 1, max: null }],
    no_data: { count: 0, color: '#d9d9d9' }, notes: [{ code: 'neutral', vi: 'Trong ±1 điểm %.', en: 'Within ±1 pp.' }],
  };
  const vi = changeLegend('vi', r, { name: 'Tỷ số giới tính', ontoWords: 'ranh giới từ 01/07/2025' });
  assert.equal(vi.title, 'Tỷ số giới tính — thay đổi từ Tháng 6/2024 đến Tháng 6/2026 (quy đổi về ranh giới từ 01/07/2025)');
  assert.equal(vi.unit, 'điểm %');
  assert.deepEqual(vi.notes, [{ code: 'neutral', text: 'Trong ±1 điểm %.' }]);
  const en = changeLegend('en', { ...r, harmonised_from: null }, { name: 'Sex ratio', ontoWords: 'x' });
  assert.equal(en.title, 'Sex ratio — change from June 2024 to June 2026');
  assert.equal(en.unit, 'pp');
});

test('rank among siblings counts only the same parent', () => {
  const parents = ['A', 'A', 'B', 'A'];
  const values = [5, 9, 100, null];
  assert.deepEqual(siblingRank(parents, values, 0), { rank: 2, n: 2 });
  assert.deepEqual(siblingRank(parents, values, 1), { rank: 1, n: 2 });
  assert.equal(siblingRank(parents, values, 3), null);
});

test('the series chart: y-axis in Vietnamese numbers, labelled boundary marks, estimated points, tooltips', () => {
  const pts = [
    { period: '2025-05', start: '2025-05-01', end: '2025-05-31', value: 1000, version: 'vn-2019', estimated: false },
    { period: '2025-06', start: '2025-06-01', end: '2025-06-30', value: 1100.5, version: 'vn-2019', estimated: true },
    { period: '2025-07', start: '2025-07-01', end: '2025-07-31', value: 4000, version: 'vn-2025', estimated: false },
    { period: '2025-08', start: '2025-08-01', end: '2025-08-31', value: 4100, version: 'vn-2025', estimated: false },
  ];
  assert.equal(chartSVG([{ period: '2025-01', value: 1 }]), '');
  assert.deepEqual(niceTicks(1000, 4100, 3), [0, 2000, 4000, 6000]);
  assert.deepEqual(niceTicks(5, 5, 3).length >= 2, true);
  const marks = [{ period: '2025-07', label: 'Sắp xếp lại 01/07/2025' }];
  const svg = chartSVG(pts, { lang: 'vi', marks });
  assert.equal((svg.match(/class="pt est"/g) || []).length, 1);
  assert.equal((svg.match(/class="vbreak"/g) || []).length, 1);
  assert.match(svg, />Sắp xếp lại 01\/07\/2025<\/text>/);
  assert.match(svg, /class="ytick"[^>]*>2\.000<\/text>/, 'y ticks in Vietnamese numbers');
  // Four months of one year: the first and last in words under their points; one line, no gap.
  assert.deepEqual([...svg.matchAll(/class="xtick"[^>]*>([^<]*)</g)].map((m) => m[1]), ['Tháng 5/2025', 'Tháng 8/2025']);
  assert.equal((svg.match(/<path class="line/g) || []).length, 1);
  assert.equal((svg.match(/class="gap"/g) || []).length, 0);
  assert.doesNotMatch(svg, /vn-20|@r/, 'no internal ids');
  // The boundary change, from the answer's field, a point's flag, a version change or the
  // published periods (a harmonised line sits on one version but the reorganisation is marked).
  const flat = pts.map((p) => ({ ...p, version: 'vn-2025' }));
  assert.deepEqual(boundaryMarks({ points: pts }), ['2025-07']);
  assert.deepEqual(boundaryMarks({ points: flat }), []);
  assert.deepEqual(boundaryMarks({ points: flat }, ['2025-07']), ['2025-07']);
  assert.deepEqual(boundaryMarks({ points: flat, boundary_changes: ['2025-07'] }), ['2025-07']);
  assert.deepEqual(boundaryMarks({ points: flat.map((p, i) => ({ ...p, boundary_change: i === 2 })) }), ['2025-07']);
  assert.deepEqual(boundaryMarks({ points: flat }, ['2025-05']), [], 'not before the first point');
  const versions = [{ id: 'vn-2019', valid_from: '2019-01-01' }, { id: 'vn-2025', valid_from: '2025-07-01' }];
  assert.deepEqual(markLabels('vi', { points: flat }, [{ period: '2025-07', version: 'vn-2025' }], versions),
    [{ period: '2025-07', label: 'Sắp xếp lại 01/07/2025' }]);
  assert.equal(tooltipText('vi', pts[1], 'người/km²'), 'Tháng 6/2025: 1.100,5 người/km² (ước tính)');
  assert.equal(tooltipText('en', pts[0]), 'May 2025: 1,000');
  assert.equal(nearestIndex([10, 20, 30], 24), 1);
  assert.equal(nearestIndex([], 24), null);

  assert.equal(VIEWS[0], 'harmonised');
  const html = viewToggleHTML('en', 'harmonised');
  assert.match(html, /data-view="harmonised" aria-pressed="true">Map boundaries/);
  assert.equal((html.match(/aria-pressed="false"/g) || []).length, 2);
  assert.equal((viewToggleHTML('vi', 'harmonised', ['harmonised', 'as-reported']).match(/<button/g) || []).length, 2);
  const urls = seriesURLs('26041', { indicator: 'density', g: 'quarter', view: 'harmonised', version: 'vn-2019', to: '2025-Q2' });
  assert.equal(urls[0], '/api/v1/units/26041/series?indicator=density&view=harmonised&version=vn-2019&to=2025-Q2&granularity=quarter');
  assert.equal(seriesURLs('26041', { indicator: 'density', view: 'as-reported', version: 'vn-2025' })[0],
    '/api/v1/units/26041/series?indicator=density&granularity=month');

  assert.equal(seriesNote('en', { view: 'as-reported', points: pts }), '○ estimated (1)');
  assert.equal(seriesNote('en', { view: 'harmonised', target: 'vn-2025', points: [] }, versions), 'on boundaries from 01/07/2025');
  assert.equal(seriesNote('vi', { view: 'harmonised', target: 'vn-2025', points: [] }, versions), 'quy đổi về ranh giới từ 01/07/2025');
  assert.equal(
    seriesNote('en', { view: 'h3', footprint: { cells: 12, resolution: 8, area_km2: 8.9 }, points: [pts[1]] }),
    '12 cells r8, 9 km² · ○ estimated (1)',
  );
  assert.equal(seriesNote('en', null), '');
  assert.deepEqual(['2025-07', '2025-Q3', '2025'].map(periodKind), ['month', 'quarter', 'year']);
});

test('the unit popup: the mapped indicator and the basics first, the age indicators folded under the pyramid', () => {
  const ind = (id, extra = {}) => ({ id, name_vi: `vi ${id}`, name_en: id, unit: 'u', unit_en: 'u', ...extra });
  const indicators = [ind('population', { base: true }), ind('males', { base: true }), ind('density'), ind('sex_ratio'),
    ind('dependency_total', { ages: true }), ind('median_age', { ages: true }), ind('share_65p', { ages: true })];
  const all = { names: ['Hà Nội'], codes: ['01'], parents: [null], values: {
    population: [8000000], males: [3900000], density: [2400], sex_ratio: [98], dependency_total: [45.1], median_age: [33.2], share_65p: [9.5] } };
  const html = popupHTML('vi', all, 0, indicators, 'density');
  const basics = html.slice(html.indexOf('<table class="basics">'), html.indexOf('</table>'));
  const rows = (part) => [...part.matchAll(/<th>vi (\w+)<\/th>/g)].map((m) => m[1]);
  // The mapped indicator first, then the population, then the rest; counts other than the
  // population stay out; no age indicator among the basics.
  assert.deepEqual(rows(basics), ['density', 'population', 'sex_ratio']);
  assert.ok(html.indexOf('class="pyramid"') > html.indexOf('class="basics"'), 'the pyramid after the basics');
  const fold = html.slice(html.indexOf('<details class="agerows">'));
  assert.match(fold, /^<details class="agerows"><summary>Chỉ tiêu cơ cấu tuổi \(3\)<\/summary>/, 'folded (closed), counted');
  assert.deepEqual(rows(fold), ['dependency_total', 'median_age', 'share_65p']);
  assert.ok(html.indexOf('<details') > html.indexOf('class="pyramid"'), 'the fold under the pyramid');
  // An age indicator mapped: its row leads the basics, the fold holds the others.
  const dep = popupHTML('vi', all, 0, indicators, 'dependency_total');
  assert.deepEqual(rows(dep.slice(dep.indexOf('<table class="basics">'), dep.indexOf('</table>'))), ['dependency_total', 'population', 'density', 'sex_ratio']);
  assert.match(dep, /Chỉ tiêu cơ cấu tuổi \(2\)/);
  assert.match(dep, /<tr class="cur"><th>vi dependency_total/);
  // A period without ages: no fold at all.
  const none = { ...all, values: { ...all.values, dependency_total: [null], median_age: [null], share_65p: [null] } };
  assert.doesNotMatch(popupHTML('vi', none, 0, indicators, 'density'), /<details/);
});

test('the series chart\'s time axis: points at their periods\' end dates, gaps where periods are missing, years named', () => {
  const year = (y, projected = false) => ({ period: projected ? `${y}-medium` : String(y), start: `${y}-01-01`, end: `${y}-12-31`, value: y - 2000, projected });
  assert.equal(dayOf('1970-01-02'), 1);
  assert.equal(dayOf('2025-01-01') - dayOf('2024-12-31'), 1);
  assert.ok(Number.isNaN(dayOf('2025')));
  // The demo's projection series: 2024 reported, no 2025, then 2026–2035 projected.
  const proj = [year(2024), ...Array.from({ length: 10 }, (_, k) => year(2026 + k, true))];
  const L = timeLayout(proj, { left: 40, right: 274, w: 280 });
  // Placed by date: 2024 at the left end, 2035 at the right, one year = (270 − 44) / 11 px,
  // so 2024 → 2026 is two years wide, not one step.
  const yearPx = (270 - 44) / 11;
  assert.equal(L.xs[0], 44);
  assert.equal(L.xs[10], 270);
  assert.ok(Math.abs(L.xs[1] - L.xs[0] - 2 * yearPx) < 0.2, `2024 → 2026 spans two years: ${L.xs[1] - L.xs[0]}`);
  assert.ok(Math.abs(L.xs[2] - L.xs[1] - yearPx) < 0.2, 'consecutive years one year apart');
  // The missing 2025: no line across it (2024 alone, then the projected run), one gap over 2025.
  assert.deepEqual(L.runs, [[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
  assert.equal(L.gaps.length, 1);
  assert.deepEqual([L.gaps[0].after, L.gaps[0].before], ['2024', '2026-medium']);
  assert.ok(L.gaps[0].x0 > L.xs[0] && L.gaps[0].x1 < L.xs[1] && L.gaps[0].x1 - L.gaps[0].x0 > yearPx * 0.9);
  // Eleven years do not fit one label each in 280 px: every second year, under its point.
  assert.deepEqual(L.ticks.map((k) => k.label), ['2024', '2026', '2028', '2030', '2032', '2034']);
  assert.equal(L.ticks[1].x, L.xs[1]);
  // Reported 2025 present: no gap, but the line still breaks where the projection starts.
  const joined = timeLayout([year(2024), year(2025), year(2026, true), year(2027, true)], { left: 40, right: 274 });
  assert.deepEqual(joined.gaps, []);
  assert.deepEqual(joined.runs, [[0, 1], [2, 3]]);
  assert.deepEqual(joined.ticks.map((k) => k.label), ['2024', '2025', '2026', '2027']);
  // Months over three years: the years named in the middle of their part of the axis, the year
  // boundaries marked; a missing month (2025-03) breaks the line.
  const months = [];
  for (let y = 2024; y <= 2026; y++) {
    for (let m = 1; m <= 12 && !(y === 2026 && m > 9); m++) {
      if (y === 2025 && m === 3) continue;
      const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
      months.push({ period: `${y}-${String(m).padStart(2, '0')}`, start: `${end.slice(0, 8)}01`, end, value: m });
    }
  }
  const M = timeLayout(months, { left: 40, right: 274, w: 280 });
  assert.deepEqual(M.ticks.map((k) => k.label), ['2024', '2025', '2026']);
  assert.equal(M.bounds.length, 2, 'the boundaries 1/1/2025 and 1/1/2026');
  assert.ok(M.ticks[0].x < M.bounds[0] && M.bounds[0] < M.ticks[1].x && M.ticks[1].x < M.bounds[1] && M.bounds[1] < M.ticks[2].x);
  assert.equal(M.gaps.length, 1);
  assert.deepEqual([M.gaps[0].after, M.gaps[0].before], ['2025-02', '2025-04']);
  assert.equal(M.runs.length, 2);
  assert.equal(M.runs[0][M.runs[0].length - 1], months.findIndex((p) => p.period === '2025-02'));
  // A month is placed at its end: 2025-02 (28 days) and 2025-04 two months apart by date.
  const i2 = months.findIndex((p) => p.period === '2025-02');
  const i1 = months.findIndex((p) => p.period === '2025-01');
  assert.ok(M.xs[i2 + 1] - M.xs[i2] > 1.9 * (M.xs[i2] - M.xs[i1]));
  // Quarters of one year fit in words: "Quý I/2026" …, kept inside the chart.
  const q = [['2026-Q1', '2026-01-01', '2026-03-31'], ['2026-Q2', '2026-04-01', '2026-06-30'], ['2026-Q3', '2026-07-01', '2026-09-30']]
    .map(([period, start, end], k) => ({ period, start, end, value: k }));
  const Q = timeLayout(q, { left: 40, right: 274, w: 280 });
  assert.deepEqual(Q.ticks.map((k) => k.label), ['Quý I/2026', 'Quý II/2026', 'Quý III/2026']);
  assert.ok(Q.ticks.every((k) => k.x - 5.2 * k.label.length / 2 >= 1 && k.x + 5.2 * k.label.length / 2 <= 279));
  // A point without a value breaks the line too; points without dates are spaced evenly.
  assert.deepEqual(timeLayout([year(2024), { ...year(2025), value: null }, year(2026)], {}).runs, [[0], [2]]);
  const old = timeLayout([{ period: '2025-05', value: 1 }, { period: '2025-07', value: 2 }, { period: '2025-08', value: 3 }], { left: 0, right: 100 });
  assert.deepEqual(old.xs, [4, 50, 96]);
  assert.deepEqual(old.gaps, []);
  // Drawn: the gap's band, two paths (the projected one dashed), the years under the axis.
  const svg = chartSVG(proj, { lang: 'vi', marks: [{ period: '2026-medium', label: 'Dự báo' }] });
  assert.equal((svg.match(/<rect class="gap"/g) || []).length, 1);
  assert.match(svg, /<rect class="gap"[^>]*><title>Không có số liệu<\/title>/);
  assert.equal((svg.match(/<path class="line"/g) || []).length, 1);
  assert.equal((svg.match(/<path class="line proj"[^>]*stroke-dasharray/g) || []).length, 1);
  assert.deepEqual([...svg.matchAll(/class="xtick"[^>]*>([^<]*)</g)].map((m) => m[1]), ['2024', '2026', '2028', '2030', '2032', '2034']);
  assert.doesNotMatch(svg.replace(/<[^>]*>/g, ' '), /medium|@r/, 'no internal ids in the text shown');
});

// ---------- where am I ----------
import { NATIONAL, VIETNAM_BBOX, CAPITAL, fitZoom, inBBox, levelSwitchCamera } from '../src/assets/camera.js';
import { buildIndex, chain, provinceOf } from '../src/assets/units.js';
import { outlineLayers, englishName, crumbs } from '../src/assets/selection.js';
import { localiseTextField, localiseStyle, valueLabels } from '../src/assets/labels.js';

const VIEW = { width: 1066, height: 768 };
const ROWS = { province: { min: 0, max: 8 }, commune: { min: 8 } };
const DONG_NAI = { bbox: [106.4117, 10.5788, 107.5909, 12.3036], anchor: [107.1, 11.2] };

test('fitZoom frames a box: the world at zoom 0 in 512 px, twice the size one zoom up', () => {
  assert.ok(Math.abs(fitZoom([-180, -85, 180, 85], 512, 512, 0) - 0) < 0.01);
  const a = fitZoom([105, 20, 106, 21], 800, 800, 0);
  const b = fitZoom([105, 20, 106, 21], 1600, 1600, 0);
  assert.ok(Math.abs(b - a - 1) < 1e-9);
  // The national view (mainland and both archipelagos) fits a laptop's map at about zoom 5.
  const z = fitZoom(VIETNAM_BBOX, VIEW.width, VIEW.height);
  assert.ok(z > 4.5 && z < 5.5, `national zoom ${z}`);
  assert.deepEqual(VIETNAM_BBOX, [...NATIONAL[0], ...NATIONAL[1]]);
  assert.ok(inBBox([112.3, 16.5], VIETNAM_BBOX), 'Hoàng Sa is in the national view');
  assert.ok(inBBox([114.3, 10.4], VIETNAM_BBOX), 'Trường Sa is in the national view');
});

test('a level switch from the national view lands on land where the level is drawn', () => {
  const national = fitZoom(VIETNAM_BBOX, VIEW.width, VIEW.height);
  // Already drawn at this zoom: the camera stays.
  assert.equal(levelSwitchCamera({ row: ROWS.province, zoom: national, view: VIEW }), null);
  assert.equal(levelSwitchCamera({ row: undefined, zoom: national, view: VIEW }), null);
  // Nothing selected and the centre at sea: the capital, at a zoom where communes are drawn —
  // not the centre of the country's box (in Laos, or at sea with the archipelagos).
  const capital = { bbox: [105.2881, 20.5575, 106.0163, 21.3684], anchor: CAPITAL.anchor };
  const cam = levelSwitchCamera({ row: ROWS.commune, zoom: national, view: VIEW, fallback: capital });
  assert.ok(cam.zoom >= 8 && cam.zoom < 10, `zoom ${cam.zoom}`);
  assert.ok(inBBox(cam.center, capital.bbox), `centre ${cam.center} in Hà Nội`);
  // Without even the capital's box: its point on land, at the level's first zoom.
  const bare = levelSwitchCamera({ row: ROWS.commune, zoom: national, view: VIEW });
  assert.deepEqual(bare.center, CAPITAL.anchor);
  assert.ok(bare.zoom >= 8 && bare.zoom < 8.1);
  // A selected (or centred) province: its box when the level's zoom shows it whole, else its
  // label point, which is inside the polygon.
  const dn = levelSwitchCamera({ row: ROWS.commune, zoom: national, view: VIEW, focus: DONG_NAI });
  assert.ok(dn.zoom >= 8, `zoom ${dn.zoom}`);
  assert.ok(inBBox(dn.center, DONG_NAI.bbox));
  const big = { bbox: [107.15, 14.94, 112.14, 16.57], anchor: [108.0, 15.8] }; // Đà Nẵng with Hoàng Sa
  assert.deepEqual(levelSwitchCamera({ row: ROWS.commune, zoom: 5, view: VIEW, focus: big }).center, big.anchor);
  // From communes back to provinces: the province framed within the provinces' zooms.
  const back = levelSwitchCamera({ row: ROWS.province, zoom: 10, view: VIEW, focus: DONG_NAI });
  assert.ok(back.zoom < 8 && back.zoom > 6, `zoom ${back.zoom}`);
  // No focus: the whole country, where it fits.
  const whole = levelSwitchCamera({ row: ROWS.province, zoom: 10, view: VIEW });
  assert.ok(Math.abs(whole.zoom - national) < 1e-9 && inBBox(whole.center, VIETNAM_BBOX));
});

const LISTS = [
  { level: 'province', codes: ['01', '75'], names: ['Thành phố Hà Nội', 'Tỉnh Đồng Nai'], parents: [null, null], bbox: [[105.3, 20.6, 106, 21.4], DONG_NAI.bbox] },
  { level: 'district', codes: ['001'], names: ['Quận Ba Đình'], parents: ['01'], bbox: [[105.8, 21, 105.85, 21.05]] },
  { level: 'commune', codes: ['00004', '26122'], names: ['Phường Phúc Xá', 'Xã Nam Cát Tiên'], parents: ['001', '75'], bbox: [[105.84, 21.04, 105.85, 21.05], [107.3, 11.3, 107.5, 11.5]] },
];

test('the unit index links each unit to its parents', () => {
  const idx = buildIndex('vn-x', LISTS);
  assert.equal(idx.units.length, 5);
  assert.deepEqual(chain(idx, '00004').map((u) => u.code), ['01', '001', '00004']);
  assert.deepEqual(chain(idx, '26122').map((u) => u.code), ['75', '26122']);
  assert.equal(idx.byCode.get('26122').parent, 'Tỉnh Đồng Nai');
  assert.equal(provinceOf(idx, '00004').code, '01');
  assert.equal(provinceOf(idx, '75').code, '75');
  assert.deepEqual(chain(idx, '99999'), []);
  assert.equal(provinceOf(idx, '99999'), null);
});

test('the breadcrumb names the chain in the UI language, without codes', () => {
  const idx = buildIndex('vn-x', LISTS);
  assert.deepEqual(crumbs(idx, '00004', 'vi').map((c) => c.text), ['Việt Nam', 'Thành phố Hà Nội', 'Quận Ba Đình', 'Phường Phúc Xá']);
  assert.deepEqual(crumbs(idx, '26122', 'en').map((c) => c.text), ['Vietnam', 'Dong Nai Province', 'Nam Cat Tien Commune']);
  assert.deepEqual(crumbs(idx, '75', 'vi').map((c) => c.code), ['', '75']);
  assert.deepEqual(crumbs(idx, 'x', 'vi').map((c) => c.text), ['Việt Nam']);
  assert.equal(englishName('Thành phố Hồ Chí Minh'), 'Ho Chi Minh City');
  assert.equal(englishName('Đặc khu Hoàng Sa'), 'Hoang Sa Special Zone');
  assert.equal(englishName('Thị xã Sơn Tây'), 'Son Tay Town');
  assert.equal(englishName('Phường Đống Đa'.normalize('NFD')), 'Dong Da Ward');
});

test('the selected outline: its own level, and province_outline where communes are drawn', () => {
  const levels = [{ level: 'province', min: 0, max: 8 }, { level: 'commune', min: 8 }];
  const p = outlineLayers({ code: '75', level: 'province' }, levels);
  assert.deepEqual(p.map((l) => [l.id, l['source-layer'], l.minzoom ?? 0, l.maxzoom]), [
    ['selected-outline-halo', 'province', 0, 8], ['selected-outline', 'province', 0, 8],
    ['selected-province-halo', 'province_outline', 8, undefined], ['selected-province-outline', 'province_outline', 8, undefined],
  ]);
  assert.deepEqual(p[1].filter, ['==', ['get', 'code'], '75']);
  assert.ok(p[0].paint['line-width'] > p[1].paint['line-width'], 'the halo is wider than the line');
  const c = outlineLayers({ code: '26122', level: 'commune' }, levels);
  assert.deepEqual(c.map((l) => [l.id, l['source-layer'], l.minzoom]), [['selected-outline-halo', 'commune', 8], ['selected-outline', 'commune', 8]]);
  assert.deepEqual(outlineLayers(null, levels), []);
});

test('labels read label_en / name_en in English and stay Vietnamese otherwise', () => {
  const vi = ['get', 'label'];
  assert.equal(localiseTextField(vi, 'vi'), vi);
  assert.deepEqual(localiseTextField(vi, 'en'), ['coalesce', ['get', 'label_en'], ['get', 'label']]);
  assert.deepEqual(localiseTextField('{name}', 'en'), ['coalesce', ['get', 'name_en'], ['get', 'name']]);
  assert.deepEqual(localiseTextField(['to-string', ['get', 'name']], 'en'), ['to-string', ['coalesce', ['get', 'name_en'], ['get', 'name']]]);
  const done = ['coalesce', ['get', 'label_en'], ['get', 'label']];
  assert.deepEqual(localiseTextField(done, 'en'), done, 'a localised field is left alone');
  assert.equal(localiseTextField(['get', 'code'], 'en')[1], 'code');
  const doc = { layers: [{ id: 'province-label', type: 'symbol', layout: { 'text-field': vi } }, { id: 'f', type: 'fill' }] };
  assert.deepEqual(localiseStyle(doc, 'en').layers[0].layout['text-field'], ['coalesce', ['get', 'label_en'], ['get', 'label']]);
});

test('value labels join label points to the values, once per unit, in Vietnamese numbers', () => {
  const pt = (code, label, lon, lat) => ({ properties: { code, label, rank: 1 }, geometry: { type: 'Point', coordinates: [lon, lat] } });
  const feats = [pt('01', 'Hà Nội', 105.8, 21.0), pt('01', 'Hà Nội', 105.8, 21.0), pt('75', 'Đồng Nai', 107.1, 11.2), pt('99', 'X', 106, 15), pt('79', 'Hồ Chí Minh', 106.7, 10.8)];
  const shown = { index: new Map([['01', 0], ['75', 1], ['79', 2]]), column: [1234567, 216.74, null] };
  const gj = valueLabels(feats, shown, 'vi', [100, 5, 120, 25]);
  assert.deepEqual(gj.features.map((f) => f.properties.text), ['Hà Nội\n1.234.567', 'Đồng Nai\n216,7']);
  assert.equal(valueLabels(feats, shown, 'en', null).features[1].properties.text, 'Đồng Nai\n216.7');
  assert.equal(valueLabels(feats, shown, 'vi', [105, 20, 106, 22]).features.length, 1, 'only the view');
});

// ---------- print layout (layout.js) ----------
import { pagePixels, pageSize, periodWords, dateWords, niceLength, scaleBar, metresPerPixel, frames, compose, overlaps, textBox, numWords } from '../src/assets/layout.js';

test('print pages at 300 dpi have the ISO sizes in pixels', () => {
  assert.deepEqual(pagePixels('a4', 'landscape', 300), { w: 3508, h: 2480 });
  assert.deepEqual(pagePixels('a4', 'portrait', 300), { w: 2480, h: 3508 });
  assert.deepEqual(pagePixels('a3', 'landscape', 300), { w: 4961, h: 3508 });
  assert.deepEqual(pagePixels('a3', 'portrait', 300), { w: 3508, h: 4961 });
  assert.deepEqual(pageSize('a3', 'portrait'), { w: 297, h: 420 });
});

test('periods are printed in words, never with their revision id', () => {
  assert.equal(periodWords('2026-09'), 'Tháng 9/2026');
  assert.equal(periodWords('2026-09@r1'), 'Tháng 9/2026');
  assert.equal(periodWords('2026-Q3'), 'Quý III/2026');
  assert.equal(periodWords('2026-Q4@r2'), 'Quý IV/2026');
  assert.equal(periodWords('2026'), 'Năm 2026');
  assert.equal(periodWords('2026-09', 'en'), 'September 2026');
  assert.equal(periodWords('2026-Q1', 'en'), 'Q1 2026');
  assert.equal(dateWords('2026-11-28T01:11:31Z'), '28/11/2026');
  // 20:00 UTC is the next day in Vietnam (UTC+7).
  assert.equal(dateWords('2025-06-30T20:00:00Z'), '01/07/2025');
  assert.equal(numWords(1234.5), '1.234,5');
});

test('scale bars have round lengths that fit', () => {
  assert.equal(niceLength(7.3), 5);
  assert.equal(niceLength(2), 2);
  assert.equal(niceLength(199), 100);
  assert.equal(niceLength(0.34), 0.2);
  assert.equal(niceLength(0), 0);
  // At the equator, zoom 0: one 512 px tile spans the circumference.
  assert.ok(Math.abs(metresPerPixel(0, 0) * 512 - 40075016.686) < 1e-6);
  assert.ok(Math.abs(metresPerPixel(60, 3) - metresPerPixel(0, 3) / 2) < 1e-6);
  for (const [lat, zoom] of [[16, 5.3], [21, 9.2], [10.8, 12]]) {
    const b = scaleBar(lat, zoom, 35);
    assert.ok(b.mm <= 35 + 1e-9 && b.mm > 35 / 2.5 - 1e-9, `${b.mm} mm`);
    assert.match(b.label, /^\d+(\.\d{3})* (km|m)$/);
    assert.ok([1, 2, 5].includes(b.metres / 10 ** Math.floor(Math.log10(b.metres))));
  }
  assert.equal(scaleBar(16, 5.3, 35).label, '200 km');
  assert.equal(scaleBar(21, 14, 35).label, '500 m');
});

test('the print layout keeps every frame and text on the page, without overlaps', () => {
  // A measure that overestimates Noto Sans (0.6 em per character).
  const measure = (text, pt) => String(text).length * pt * 0.6 * (25.4 / 72);
  const strings = { legend: 'Chú giải', rangeHead: 'Khoảng giá trị', countHead: 'Số đơn vị', north: 'B', inset: 'Quần đảo Hoàng Sa (Đà Nẵng) và Trường Sa (Khánh Hòa)' };
  for (const paper of ['a4', 'a3']) {
    for (const orient of ['landscape', 'portrait']) {
      for (const inset of [false, true]) {
        const rows = Array.from({ length: 10 }, (_, i) => ({ color: '#ff0000', label: `${numWords(i * 1234.5)} – <${numWords((i + 1) * 1234.5)}`, count: numWords(i * 3) }));
        const spec = {
          paper, orient, inset, strings,
          title: 'Mật độ dân số (người/km²) '.repeat(6), subtitle: 'Thành phố Hà Nội · Tháng 9/2026 · cấp xã',
          legend: { unitLine: 'Đơn vị tính: người/km²', rows }, bar: scaleBar(16, 5.3, 35),
          source: 'Nguồn: popmap (127.0.0.1:18240) — bản đồ dân số điện tử; ranh giới hành chính áp dụng từ 01/07/2025',
          dates: 'Ngày công bố: 28/11/2026 · Ngày in: 28/11/2026', synthetic: 'Dữ liệu minh hoạ tổng hợp (không phải số liệu chính thức); mã và tên đơn vị là thật.',
        };
        const { frames: f, prims } = compose(spec, measure);
        const page = { x: 0, y: 0, w: f.page.w, h: f.page.h };
        const inside = (r) => r.x >= -1e-9 && r.y >= -1e-9 && r.x + r.w <= page.w + 1e-9 && r.y + r.h <= page.h + 1e-9;
        const texts = prims.filter((p) => p.type === 'text').map((p) => ({ p, box: textBox(p, measure) }));
        for (const { p, box } of texts) assert.ok(inside(box), `${paper} ${orient}: "${p.text}" on the page`);
        for (const r of prims.filter((p) => p.type === 'image')) assert.ok(inside(r), `${r.key} on the page`);
        assert.ok(!overlaps(f.map, f.panel) && !overlaps(f.map, f.header) && !overlaps(f.map, f.footer));
        // Texts outside the map frame do not overlap one another.
        const outside = texts.filter(({ box }) => !overlaps(box, f.map));
        for (let i = 0; i < outside.length; i++) {
          for (let j = i + 1; j < outside.length; j++) {
            assert.ok(!overlaps(outside[i].box, outside[j].box), `${paper} ${orient}: "${outside[i].p.text}" overlaps "${outside[j].p.text}"`);
          }
        }
        const images = prims.filter((p) => p.type === 'image');
        if (inset) assert.ok(!overlaps(images[1], f.map) && !texts.some(({ box, p }) => p.text !== strings.inset && overlaps(box, images[1])), 'the inset is clear');
        assert.ok(texts.some(({ p }) => p.text.endsWith('…')), 'the long title is shortened');
      }
    }
  }
  assert.ok(frames('a3', 'landscape').scale > 1.41);
});

// A pyramid answer of /api/v1/units/{code}/pyramid: 17 groups, shares of 10,000 people.
function pyramidFixture({ compare = false, parent = true } = {}) {
  const ages = ['0–4', '5–9', '10–14', '15–19', '20–24', '25–29', '30–34', '35–39', '40–44', '45–49', '50–54',
    '55–59', '60–64', '65–69', '70–74', '75–79', '80+'];
  const groups = (k) => ages.map((age, i) => ({
    age, males: (400 - 20 * i) * k, females: (410 - 20 * i) * k, males_share: (400 - 20 * i) / 100, females_share: (410 - 20 * i) / 100,
  }));
  const shares = ages.map((age, i) => ({ age, males_share: 3 - i * 0.1, females_share: 3.2 - i * 0.1 }));
  return {
    unit: { code: '00004', name: 'Phường Ba Đình', level: 'commune', parent_code: '01' },
    version: 'vn-2025',
    period: { period: '2025-12', revision: 1, reference: '2025-12@r1', words_vi: 'Tháng 12/2025', words_en: 'December 2025' },
    groups: groups(1),
    totals: { males: 4080, females: 4250, population: 8330 },
    outline: { parent: parent ? { code: '01', name: 'Thành phố Hà Nội', groups: shares } : null, national: { code: 'VN', name: 'Việt Nam', groups: shares } },
    ...(compare ? { compare: { period: { period: '2024-12' }, groups: groups(0.5), totals: {} } } : {}),
  };
}

test('pyramid: URLs, the year before and round axis ends', async () => {
  const { yearBefore, pyramidURL, axisMax } = await import('../src/assets/pyramid.js');
  assert.equal(yearBefore('2025-12'), '2024-12');
  assert.equal(yearBefore('2025-Q4@r2'), '2024-Q4');
  assert.equal(yearBefore('2025'), '2024');
  assert.equal(pyramidURL('01', { period: '2025-12', compare: '2024-12', version: 'vn-2025' }),
    '/api/v1/units/01/pyramid?period=2025-12&compare=2024-12&version=vn-2025');
  assert.equal(pyramidURL('VN'), '/api/v1/units/VN/pyramid');
  assert.equal(axisMax(410), 500);
  assert.equal(axisMax(4.1), 5);
  assert.equal(axisMax(1.9), 2);
  assert.equal(axisMax(0), 1);
});

test('pyramid: bars males left, females right, lengths proportional to the values', async () => {
  const { pyramidSVG, COLOURS } = await import('../src/assets/pyramid.js');
  const p = pyramidFixture();
  for (const mode of ['counts', 'shares']) {
    const svg = pyramidSVG(p, { mode, w: 280 });
    const rects = [...svg.matchAll(/<rect class="([mf])" data-age="([^"]+)" data-v="([^"]+)" x="([^"]+)" y="([^"]+)" width="([^"]+)"[^>]*fill="([^"]+)"/g)]
      .map((m) => ({ sex: m[1], age: m[2], v: +m[3], x: +m[4], y: +m[5], w: +m[6], fill: m[7] }));
    assert.equal(rects.length, 34);
    const half = (280 - 34) / 2 - 2;
    const max = mode === 'counts' ? 500 : 5;
    for (const r of rects) {
      assert.ok(Math.abs(r.w - (r.v / max) * half) <= 0.05, `${mode} ${r.age} ${r.sex}`);
      if (r.sex === 'm') assert.ok(Math.abs(r.x + r.w - (140 - 17)) <= 0.05);
      else assert.equal(r.x, 140 + 17);
      assert.equal(r.fill, r.sex === 'm' ? COLOURS.males : COLOURS.females);
    }
    const first = rects.find((r) => r.age === '0–4' && r.sex === 'm');
    const last = rects.find((r) => r.age === '80+' && r.sex === 'm');
    assert.ok(first.y > last.y, 'the youngest group at the bottom');
    assert.equal(first.v, mode === 'counts' ? 400 : 4);
  }
  assert.equal((pyramidSVG(p).match(/class="outline"/g) || []).length, 2);
  assert.equal((pyramidSVG(pyramidFixture({ compare: true })).match(/class="c[mf]"/g) || []).length, 34);
  assert.equal(pyramidSVG({ groups: [] }), '');
});

test('pyramid: Vietnamese labels, numbers and a table for screen readers', async () => {
  const { pyramidHTML, pyramidTableHTML, elsewhereHTML, outlineOf } = await import('../src/assets/pyramid.js');
  const p = pyramidFixture({ compare: true });
  const html = pyramidHTML('vi', p, 'shares');
  assert.match(html, /Tháp dân số · Tháng 12\/2025/);
  assert.match(html, /data-pmode="shares" aria-pressed="true"/);
  assert.match(html, />Nam</);
  assert.match(html, />Nữ</);
  assert.match(html, /Đường viền: Thành phố Hà Nội/);
  assert.match(html, /Khung đen: Tháng 12\/2024/);
  assert.match(html, /aria-label="Tháp dân số Phường Ba Đình, Tháng 12\/2025: nam 4\.080, nữ 4\.250"/);
  assert.doesNotMatch(html, /@r1|vn-2025/);
  const table = pyramidTableHTML('vi', p);
  assert.equal((table.match(/<tr>/g) || []).length, 19); // header, 17 groups, total
  assert.match(table, /<th scope="row">80\+<\/th><td>80<\/td><td>0,8 %<\/td><td>90<\/td>/);
  assert.match(table, /<th scope="row">Tổng<\/th><td>4\.080<\/td>/);
  assert.match(elsewhereHTML('vi', '2025-12'), /Kỳ này không có số liệu theo tuổi\. Tháng 12\/2025 có số liệu theo tuổi\./);
  assert.match(elsewhereHTML('vi', '2025-12'), /data-period="2025-12">Xem tháp Tháng 12\/2025</);
  assert.equal(outlineOf(pyramidFixture({ parent: false })).code, 'VN');
});

test('projection mode: projected years are their own granularity per variant, worded as projections', async () => {
  const tl = await import('../src/assets/timeline.js');
  const { periodWords } = await import('../src/assets/layout.js');
  const entries = [
    { period: '2025-12', granularity: 'month' }, { period: '2025', granularity: 'year' },
    { period: '2026-medium', granularity: 'projection-medium', kind: 'projection' },
    { period: '2030-medium', granularity: 'projection-medium', kind: 'projection' },
    { period: '2030-high', granularity: 'projection-high', kind: 'projection' },
  ];
  assert.equal(tl.granularityOf('2030-medium'), 'projection-medium');
  assert.equal(tl.granularityOf('2030-high@r2'), 'projection-high');
  assert.equal(tl.granularityOf('2030'), 'year');
  assert.ok(tl.isProjection('projection-low') && !tl.isProjection('year'));
  assert.deepEqual(tl.variantsOf(entries), ['medium', 'high']);
  assert.deepEqual(tl.granularityButtons(entries, 'month'), ['month', 'year', 'projection-medium']);
  assert.deepEqual(tl.granularityButtons(entries, 'projection-high'), ['month', 'year', 'projection-high']);
  assert.deepEqual(tl.granularityButtons(entries.slice(0, 2), 'month'), ['month', 'year']);
  assert.deepEqual(tl.periodsOf(entries, 'projection-medium'), ['2026-medium', '2030-medium']);
  assert.equal(tl.withVariant('2030-medium', 'high'), '2030-high');
  // Play in the projection mode steps through the variant's years only.
  assert.equal(tl.nextPeriod(tl.periodsOf(entries, 'projection-medium'), '2026-medium', false), '2030-medium');
  // A projected period in the URL sets the projection mode; reported comparisons are dropped.
  const r = tl.resolvePeriods({ g: 'month', period: '2030-medium', cmp: '2025-12' }, entries);
  assert.deepEqual([r.g, r.period, r.cmp, r.refused], ['projection-medium', '2030-medium', '', true]);
  assert.equal(periodWords('2030-medium', 'vi'), 'Dự báo 2030 (phương án trung bình)');
  assert.equal(periodWords('2030-low@r1', 'en'), 'Projection 2030 (low variant)');
  assert.equal(periodKind('2030-high'), 'projection-high');
  assert.equal(periodKind('2030'), 'year');
});

import { columns, fixed, row, sortedItems, statusFill, uncertainCodes, targetShort, nowWords, modelledNote, valueClasses, valueFill, STATUS_COLOURS, MODELLED_COLOURS } from '../src/assets/targetview.js';

test('targets: one colour per status, uncertain hatched apart, rows the Vietnamese way', () => {
  const items = [
    { code: '79', name: 'Thành phố Hồ Chí Minh', value: 111.4, low: 109.9, high: 112.8, estimate: 111.4, method: 'latest', status: 'off_track', trend_points: 5 },
    { code: '01', name: 'Thành phố Hà Nội', value: 110.3, low: 108.81, high: 111.73, estimate: 110.3, method: 'latest', status: 'uncertain', trend_points: 5 },
    { code: '42', name: 'Tỉnh Hà Tĩnh', value: 106, low: 104, high: 108, estimate: 105.2, method: 'trend', status: 'on_track', trend_points: 5 },
  ];
  assert.deepEqual(statusFill(items), ['match', ['get', 'code'], '79', STATUS_COLOURS.off_track, '01', STATUS_COLOURS.uncertain, '42', STATUS_COLOURS.on_track, STATUS_COLOURS.no_data]);
  assert.equal(new Set(Object.values(STATUS_COLOURS)).size, 5, 'five statuses, five colours');
  assert.deepEqual(uncertainCodes(items), ['01']);
  assert.deepEqual(sortedItems(items).map((i) => i.code), ['79', '01', '42'], 'off track first, then uncertain, then on track');
  const report = { target: { value: 109, year: 2030 }, now_from: '2025-Q4', now_to: '2026-Q3' };
  const r = row(items[1], report, 'vi');
  assert.deepEqual([r.now, r.interval, r.estimate, r.statusWords], ['110,3', '108,8 – 111,7', '110,3', 'Chưa đủ số liệu để kết luận']);
  assert.equal(row(items[2], report, 'vi').method, 'theo xu hướng của 5 quý');
  assert.equal(row(items[2], report, 'en').statusWords, 'On track');
  assert.equal(fixed('vi', 102758387, 0), '102.758.387');
  assert.equal(fixed('vi', 111, 1), '111,0');
  assert.equal(fixed('vi', null, 1), '—');
  assert.equal(nowWords(report, 'vi'), '12 tháng gần nhất (Quý IV/2025 – Quý III/2026)');
  assert.equal(nowWords({ now_from: '2026-Q3', now_to: '2026-Q3' }, 'vi'), 'Quý III/2026');
  // A modelled target (TFR): two decimals, the model's words, no standing.
  const tfr = { target: { value: 2.1, year: 2030 }, now_from: '2025-Q4', now_to: '2025-Q4' };
  const m = row({ code: '01', name: 'Thành phố Hà Nội', value: 2.1034, low: null, high: null, estimate: null, method: 'modelled', status: 'not_judged', trend_points: 0 }, tfr, 'vi');
  assert.deepEqual([m.now, m.interval, m.estimate, m.statusWords], ['2,10', '—', '—', 'Ước tính của mô hình, không đánh giá']);
  assert.equal(m.method, 'mô hình dự báo dân số ước tính, không phải số liệu báo cáo');
  assert.match(modelledNote(tfr, 'vi'), /kỳ gốc \(Quý IV\/2025\).*không phải số liệu báo cáo\. Không đánh giá đạt hay chưa đạt: ước tính này không có khoảng tin cậy/);
  assert.deepEqual(sortedItems([{ code: 'a', name: 'B', status: 'no_data' }, { code: 'b', name: 'A', status: 'not_judged' }]).map((i) => i.code), ['b', 'a']);
  // Its map: the values in classes of about equal count, lightest lowest, ties kept together.
  const vals = [1.9, 1.92, 1.92, 1.95, 2.0, 2.1, 2.2, 2.3, 2.4, 2.5];
  const its = vals.map((value, k) => ({ code: String(k), value }));
  const cls = valueClasses(its);
  assert.deepEqual(cls.map((c) => [c.lo, c.hi, c.n]), [[1.9, 1.92, 3], [1.95, 1.95, 1], [2.0, 2.1, 2], [2.2, 2.3, 2], [2.4, 2.5, 2]]);
  assert.deepEqual(cls.map((c) => c.colour), MODELLED_COLOURS);
  const fillM = valueFill([...its, { code: 'x', value: null }], cls);
  assert.equal(fillM[fillM.indexOf('0') + 1], MODELLED_COLOURS[0]);
  assert.equal(fillM[fillM.indexOf('9') + 1], MODELLED_COLOURS[4]);
  assert.equal(fillM[fillM.indexOf('x') + 1], STATUS_COLOURS.no_data);
  // Two distinct values: two classes, the lightest and the darkest.
  assert.deepEqual(valueClasses([{ value: 1 }, { value: 2 }, { value: 2 }]).map((c) => [c.lo, c.hi, c.n, c.colour]), [[1, 1, 1, MODELLED_COLOURS[0]], [2, 2, 2, MODELLED_COLOURS[4]]]);
  assert.deepEqual(valueClasses([{ value: null }]), []);
  assert.equal(targetShort({ text_vi: 'Quy mô dân số khoảng 104 triệu người (popmap đọc "khoảng" là trong vòng ±1 triệu người).' }, 'vi'), 'Quy mô dân số khoảng 104 triệu người');
});

test('targets table: a modelled target\'s value is headed as a model estimate, a measured one as now', () => {
  assert.deepEqual(columns({ year: 2030 }, 'vi').slice(1, 4), ['Hiện nay', 'Khoảng tin cậy 95%', 'Ước tính năm 2030']);
  assert.equal(columns({ year: 2030, modelled: 'tfr' }, 'vi')[1], 'Ước tính của mô hình');
  assert.equal(columns({ year: 2030, modelled: 'tfr' }, 'en')[1], 'Model estimate');
});
