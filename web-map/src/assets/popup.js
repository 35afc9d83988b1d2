// The click popup: the unit's values, its rank among its siblings and a small chart of its
// series (from /api/v1/units/{code}/series when the server has it; hidden otherwise).
import { t, num } from './i18n.js';
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

/** An SVG line chart of `points` ([{period, value}]). */
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
  return `<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">` +
    `<path d="${d}" fill="none" stroke="#b2182b" stroke-width="1.5"/>` +
    `<text x="4" y="${h - 2}" font-size="9">${esc(points[0].period)}</text>` +
    `<text x="${w - 4}" y="${h - 2}" font-size="9" text-anchor="end">${esc(points[points.length - 1].period)}</text>` +
    `<text x="${w - 4}" y="9" font-size="9" text-anchor="end">${num('en', hi)}</text></svg>`;
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

/** Fills the popup's chart slot from the series API; leaves it empty when absent. */
export async function loadSeries(el, lang, code, indicator) {
  const slot = el.querySelector('.series');
  if (!slot) return;
  const s = await tryJSON(`/api/v1/units/${encodeURIComponent(code)}/series${qs({ indicator })}`);
  const points = (s?.points || []).filter((p) => Number.isFinite(p.value));
  const svg = chartSVG(points);
  slot.innerHTML = svg ? `<div class="lbl">${esc(t(lang, 'series'))}</div>${svg}` : '';
}
