// The click popup: the unit's values, its rank among its siblings and a small chart of its
// series (from /api/v1/units/{code}/series when the server has it; hidden otherwise) in one of
// three views: as reported, harmonised onto the newest boundaries, or on the H3 grid.
import { t, num } from './i18n.js';
import { versionWords } from './layout.js';
import { tryJSON, qs } from './api.js';

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/** Rank (1 = highest) of unit `i` by `values` among units with the same parent. */
export function siblingRank(parents, values, i) {
  if (!Number.isFinite(values[i])) return null;
  const mine = parents[i];
  let rank = 1;
  let n = 0;
  for (let j = 0; j < values.length; j++) {
    if (parents[j] !== mine || !Number.isFinite(values[j])) continue;
    n += 1;
    if (values[j] > values[i]) rank += 1;
  }
  return { rank, n };
}

/** The series views a popup offers, in toggle order. */
export const VIEWS = ['as-reported', 'harmonised', 'h3'];

/**
 * An SVG line chart of `points` ([{period, value, version?, estimated?}]): estimated points are
 * hollow circles and a dashed line marks where the boundary version changes between points.
 */
export function chartSVG(points, w = 240, h = 70) {
  const vals = points.map((p) => p.value).filter(Number.isFinite);
  if (vals.length < 2) return '';
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const span = hi - lo || 1;
  const xy = points.map((p, i) => [
    4 + (i * (w - 8)) / (points.length - 1),
    h - 14 - ((p.value - lo) / span) * (h - 22),
  ]);
  const d = xy.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
  const breaks = points
    .map((p, i) => (i && p.version && points[i - 1].version && p.version !== points[i - 1].version ? i : -1))
    .filter((i) => i > 0)
    .map((i) => {
      const x = ((xy[i - 1][0] + xy[i][0]) / 2).toFixed(1);
      return `<line class="vbreak" x1="${x}" x2="${x}" y1="2" y2="${h - 12}" stroke="#555" stroke-dasharray="3,2"/>`;
    });
  const marks = points
    .map((p, i) => (p.estimated && Number.isFinite(p.value)
      ? `<circle class="est" cx="${xy[i][0].toFixed(1)}" cy="${xy[i][1].toFixed(1)}" r="2.2" fill="#fff" stroke="#b2182b"/>`
      : ''))
    .join('');
  return `<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">` +
    breaks.join('') +
    `<path d="${d}" fill="none" stroke="#b2182b" stroke-width="1.5"/>${marks}` +
    `<text x="4" y="${h - 2}" font-size="9">${esc(points[0].period)}</text>` +
    `<text x="${w - 4}" y="${h - 2}" font-size="9" text-anchor="end">${esc(points[points.length - 1].period)}</text>` +
    `<text x="${w - 4}" y="9" font-size="9" text-anchor="end">${num('en', hi)}</text></svg>`;
}

/** The series toggle: one button per view, the current one pressed. */
export function viewToggleHTML(lang, view) {
  const names = { 'as-reported': 'viewAsReported', harmonised: 'viewHarmonised', h3: 'viewH3' };
  const buttons = VIEWS.map((v) =>
    `<button type="button" data-view="${v}" aria-pressed="${v === view}">${esc(t(lang, names[v]))}</button>`);
  return `<div class="sview" role="group" aria-label="${esc(t(lang, 'seriesView'))}">${buttons.join('')}</div>`;
}

/** The line under a chart: what the view shows and which of its points are estimates. */
export function seriesNote(lang, s, versions = []) {
  if (!s) return '';
  const parts = [];
  if (s.view === 'harmonised' && s.target) {
    parts.push(`${t(lang, 'onto')} ${versionWords(versions.find((v) => v.id === s.target) || { id: s.target }, lang)}`);
  }
  if (s.view === 'h3' && s.footprint) {
    parts.push(`${s.footprint.cells} ${t(lang, 'cells')} r${s.footprint.resolution}, ${num(lang, s.footprint.area_km2, 0)} km²`);
  }
  const est = (s.points || []).filter((p) => p.estimated).length;
  if (est) parts.push(`○ ${t(lang, 'estimated')} (${est})`);
  if (s.view === 'as-reported' && new Set((s.points || []).map((p) => p.version)).size > 1) {
    parts.push(`┆ ${t(lang, 'boundaryChange')}`);
  }
  return parts.join(' · ');
}

/**
 * The popup's HTML: `all` is a /api/v1/map/values answer with every public indicator for the
 * unit's level, `i` the unit's index in it, `indicators` the list from /api/v1/map/indicators.
 */
export function popupHTML(lang, all, i, indicators, current) {
  const name = all.names[i];
  // Derived indicators, the population, and the mapped indicator (counts stay in the CSV).
  const rows = indicators
    .filter((d) => all.values[d.id] && (!d.base || d.id === 'population' || d.id === current))
    .map((d) => {
      const v = all.values[d.id][i];
      const cls = d.id === current ? ' class="cur"' : '';
      return `<tr${cls}><th>${esc(lang === 'vi' ? d.name_vi : d.name_en)}</th><td>${num(lang, v)}</td>` +
        `<td class="u">${esc(lang === 'vi' ? d.unit : d.unit_en)}</td></tr>`;
    });
  const r = all.values[current] ? siblingRank(all.parents, all.values[current], i) : null;
  const label = t(lang, all.parents[i] ? 'rank' : 'rankNational');
  const rank = r ? `<p class="rank">${esc(label)}: <b>${r.rank}</b> / ${r.n}</p>` : '';
  return `<div class="pp"><h3>${esc(name)} <small>${esc(all.codes[i])}</small></h3>${rank}` +
    `<table>${rows.join('')}</table><div class="series" data-code="${esc(all.codes[i])}"></div></div>`;
}

/** The kind of a period name: `month` (2025-07), `quarter` (2025-Q3) or `year` (2025). */
export function periodKind(period) {
  if (/^\d{4}-\d{2}$/.test(period)) return 'month';
  if (/^\d{4}-Q[1-4]$/.test(period)) return 'quarter';
  return 'year';
}

/**
 * Fills the popup's chart slot from the series API in `view`, with the view toggle: only
 * periods of the same kind as `period` (months with a month: a quarter's births would spike a
 * monthly line). `onView(view)` is called when the reader picks another view. The slot stays
 * empty when the server has no series endpoint; a view the unit has no series in says so.
 */
export async function loadSeries(el, { lang, code, indicator, period, view = 'as-reported', versions = [], onView = () => {} }) {
  const slot = el.querySelector('.series');
  if (!slot) return;
  const url = `/api/v1/units/${encodeURIComponent(code)}/series`;
  const s = await tryJSON(`${url}${qs({ indicator, view: view === 'as-reported' ? '' : view })}`);
  if (!s && view === 'as-reported') {
    slot.innerHTML = '';
    return;
  }
  const kind = periodKind(period || '');
  const points = (s?.points || []).filter((p) => Number.isFinite(p.value) && (!period || periodKind(p.period) === kind));
  const svg = chartSVG(points);
  slot.dataset.view = view;
  slot.innerHTML = `<div class="lbl">${esc(t(lang, 'series'))}</div>${viewToggleHTML(lang, view)}` +
    (svg || `<p class="lbl">${esc(t(lang, 'noSeries'))}</p>`) +
    `<div class="lbl note">${esc(seriesNote(lang, s && { ...s, points }, versions))}</div>`;
  for (const b of slot.querySelectorAll('.sview button')) {
    b.addEventListener('click', () => {
      onView(b.dataset.view);
      loadSeries(el, { lang, code, indicator, period, view: b.dataset.view, onView });
    });
  }
}
