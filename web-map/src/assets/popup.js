// The click popup: the unit's name and value, then (visible without scrolling) a chart of its
// series from /api/v1/units/{code}/series in the map's granularity, in one of three views:
// harmonised onto the boundaries shown (the default), as reported, or on the H3 grid; then its
// rank among its siblings, its other indicators, and its age structure (the pyramid, the age
// indicators folded under it). The chart itself is chart.js.
import { t, tf, num } from './i18n.js';
import { versionWords, dateWords, periodWords } from './layout.js';
import { tryJSON, qs } from './api.js';
import { chartSVG, boundaryMarks, wireTooltip } from './chart.js';
import { unstableMarkHTML } from './unstable.js';
import { isPhone } from './sheet.js';
import { explainLinkHTML } from './explain.js';

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

/** The series views a popup offers, in toggle order (the first is the default). */
export const VIEWS = ['harmonised', 'as-reported', 'h3'];

/** The series toggle: one button per view, the current one pressed. */
export function viewToggleHTML(lang, view, views = VIEWS) {
  const names = { 'as-reported': 'viewAsReported', harmonised: 'viewHarmonised', h3: 'viewH3' };
  const buttons = views.map((v) =>
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
  return parts.join(' · ');
}

/**
 * The popup's HTML: `all` is a /api/v1/map/values answer with every public indicator for the
 * unit's level, `i` the unit's index in it, `indicators` the list from /api/v1/map/indicators.
 * In reading order: the name, the mapped value, its series, its rank; then the basics (the
 * mapped indicator, the population, the other indicators not by age) in one table; then the age
 * structure: the pyramid's slot and, folded under it, the other indicators of age groups, so
 * that the basics are not pushed below the pyramid and ten rows.
 */
export function popupHTML(lang, all, i, indicators, current) {
  const name = all.names[i];
  const row = (d) => {
    const v = all.values[d.id][i];
    const cls = d.id === current ? ' class="cur"' : '';
    return `<tr${cls}><th>${esc(lang === 'vi' ? d.name_vi : d.name_en)}</th><td>${num(lang, v)}${unstableMarkHTML(lang, all, d.id, i, true)}</td>` +
      `<td class="u">${esc(lang === 'vi' ? d.unit : d.unit_en)}</td></tr>`;
  };
  // Derived indicators, the population, and the mapped indicator (counts stay in the CSV).
  const shown = indicators
    .filter((d) => all.values[d.id] && (!d.base || d.id === 'population' || d.id === current))
    // Indicators of age groups are left out of periods without ages (the pyramid line says where).
    .filter((d) => !d.ages || d.id === current || all.values[d.id][i] !== null);
  // The mapped indicator first, then the population, then the rest in the catalog's order.
  const first = (d) => (d.id === current ? 0 : d.id === 'population' ? 1 : 2);
  const basics = shown.filter((d) => !d.ages || d.id === current).sort((a, b) => first(a) - first(b));
  const ages = shown.filter((d) => d.ages && d.id !== current);
  const ageRows = ages.length
    ? `<details class="agerows"><summary>${esc(tf(lang, 'ageRows', { n: ages.length }))}</summary>` +
      `<table>${ages.map(row).join('')}</table></details>` : '';
  const r = all.values[current] ? siblingRank(all.parents, all.values[current], i) : null;
  const label = t(lang, all.parents[i] ? 'rank' : 'rankNational');
  const rank = r ? `<p class="rank">${esc(label)}: <b>${r.rank}</b> / ${r.n}</p>` : '';
  // The mapped value and its series first: the chart is visible without scrolling.
  const cur = indicators.find((d) => d.id === current);
  const value = cur && all.values[current]
    ? `<p class="val"><b>${num(lang, all.values[current][i])}</b> ${esc(lang === 'vi' ? cur.unit : cur.unit_en)}` +
      ` <span>${esc(lang === 'vi' ? cur.name_vi : cur.name_en)}</span>${unstableMarkHTML(lang, all, current, i)}</p>` : '';
  return `<div class="pp"><h3>${esc(name)} <small>${esc(all.codes[i])}</small></h3>${value}` +
    `<div class="series" data-code="${esc(all.codes[i])}"></div>${rank}<table class="basics">${basics.map(row).join('')}</table>` +
    `<div class="pyramid"></div>${ageRows}${explainLinkHTML(lang, current)}</div>`;
}

/** The kind of a period name: `month` (2025-07), `quarter` (2025-Q3), `year` (2025) or a
 * projection's (`projection-medium` for 2030-medium). */
export function periodKind(period) {
  const v = /^\d{4}-(low|medium|high)$/.exec(period);
  if (v) return `projection-${v[1]}`;
  if (/^\d{4}-\d{2}$/.test(period)) return 'month';
  if (/^\d{4}-Q[1-4]$/.test(period)) return 'quarter';
  return 'year';
}

/** The series URLs to try for one view: with `granularity=` first, then (a server before the
 * parameter existed) without it, the months kept client-side. */
export function seriesURLs(code, { indicator, g = 'month', view, version = '', to = '' }) {
  const url = `/api/v1/units/${encodeURIComponent(code)}/series`;
  const onto = view === 'harmonised';
  const q = { indicator, view: view === 'as-reported' ? '' : view, version: onto ? version : '', to: onto ? to : '' };
  return [`${url}${qs({ ...q, granularity: g })}`, `${url}${qs(q)}`];
}

/** The labelled boundary marks of a series: "Sắp xếp lại 01/07/2025" at each change period
 * (`known`: [{period, version}] of the published periods; a version's date from `versions`). */
export function markLabels(lang, s, known, versions) {
  const versionAt = new Map(known.map((k) => [k.period, k.version]));
  return boundaryMarks(s, known.map((k) => k.period)).map((period) => {
    const id = versionAt.get(period) || (s.points || []).find((p) => p.period === period)?.version;
    const v = versions.find((x) => x.id === id);
    const date = v?.valid_from ? dateWords(v.valid_from) : '';
    return { period, label: `${t(lang, 'boundaryMarker')}${date ? ` ${date}` : ''}` };
  });
}

/**
 * Fills the popup's chart slot from the series API in `view` and the map's granularity `g`, with
 * the view toggle (`views`: the views this server offers). Harmonised means onto the map's
 * boundary version `version` (up to `to`, the last period on it, when newer boundaries exist).
 * `known` are the published boundary changes ([{period, version}]), marked on every view.
 * `onView(view)` is called when the reader picks another view; `onDrawn()` after each draw.
 */
export async function loadSeries(el, opts) {
  const { lang, code, indicator, g = 'month', view = 'harmonised', versions = [], known = [], unit = '',
    views = VIEWS, onView = () => {}, onDrawn = () => {} } = opts;
  const slot = el.querySelector('.series');
  if (!slot) return;
  const proj = /^projection-/.test(g);
  let s = null;
  for (const u of seriesURLs(code, { ...opts, g: proj ? 'year' : g, view })) {
    s = await tryJSON(u);
    if (s) break;
  }
  // Projection mode: the reported years, then the projected ones after a labelled break (the
  // chart does not join them: the projected line is dashed, a missing year left as a gap).
  let points = (s?.points || []).filter((p) => periodKind(p.period) === (proj ? 'year' : g));
  let breakAt = null;
  if (proj) {
    const ahead = await tryJSON(seriesURLs(code, { ...opts, g, view: 'as-reported' })[0]);
    const future = (ahead?.points || []).filter((p) => periodKind(p.period) === g).map((p) => ({ ...p, projected: true }));
    breakAt = future[0]?.period || null;
    points = [...points, ...future];
  }
  const series = s && { ...s, points };
  const marks = series ? markLabels(lang, series, known, versions) : [];
  if (breakAt) marks.push({ period: breakAt, label: t(lang, 'projBreak') });
  const svg = chartSVG(points, { lang, marks });
  slot.dataset.view = view;
  slot.innerHTML = `<div class="lbl">${esc(t(lang, 'series'))}</div>${viewToggleHTML(lang, view, views)}` +
    (svg || `<p class="lbl">${esc(t(lang, 'noSeries'))}</p>`) +
    `<div class="lbl note">${esc(seriesNote(lang, series, versions))}</div>`;
  // The chart's name for screen readers: its first and last values (the table below has the rest).
  const ends = points.filter((p) => Number.isFinite(p.value));
  slot.querySelector('svg.chart')?.setAttribute('aria-label', ends.length ? `${t(lang, 'series')}: ` +
    `${periodWords(ends[0].period, lang)} ${num(lang, ends[0].value)} → ${periodWords(ends[ends.length - 1].period, lang)} ${num(lang, ends[ends.length - 1].value)} ${unit}`.trim() : t(lang, 'series'));
  wireTooltip(slot, points, lang, unit);
  for (const b of slot.querySelectorAll('.sview button')) {
    b.addEventListener('click', () => {
      onView(b.dataset.view);
      loadSeries(el, { ...opts, view: b.dataset.view });
    });
  }
  onDrawn();
}

/** Pans `map` so that popup `p` (its chart drawn) lies inside the map, 8 px from its edges. On a
 * phone the popup is a sheet at the bottom (phone.css): the unit's point is kept above it. */
export function keepInside(p, map) {
  if (!p?.isOpen()) return;
  const r = p.getElement().getBoundingClientRect();
  const m = map.getContainer().getBoundingClientRect();
  if (isPhone()) {
    const above = Math.min(r.top, m.bottom) - m.top; // the map's height left above the sheet
    const y = map.project(p.getLngLat()).y;
    if (above > 40 && (y < 20 || y > above - 20)) map.panBy([0, y - above / 2], { duration: 0 });
    return;
  }
  const pad = 8;
  const dx = r.left < m.left + pad ? r.left - m.left - pad : r.right > m.right - pad ? r.right - m.right + pad : 0;
  const dy = r.top < m.top + pad ? r.top - m.top - pad : r.bottom > m.bottom - pad ? r.bottom - m.bottom + pad : 0;
  if (dx || dy) map.panBy([dx, dy], { duration: 0 });
}
