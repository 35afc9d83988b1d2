// The H3 level: its style (/styles/{indicator}.json?level=h3&period=, classes from H3 cell
// values in metadata["popmap:classes"].h3) and the popup of a clicked cell from the cell API
// (/api/v1/h3/{period}/{cell}), with the disclosure flags shown: a suppressed cell shows its
// total only, unstable values carry the small-numbers mark; in a period with age groups, the
// cell's pyramid (pyramid.js `loadCellPyramid`).
import * as maplibregl from './vendor/maplibre-gl.mjs';
import { getJSON, qs } from './api.js';
import { t, num, errorText } from './i18n.js';
import { explainLinkHTML } from './explain.js';
import { markHTML } from './unstable.js';
import { loadCellPyramid } from './pyramid.js';

/** The data fill of the H3 style. */
export const H3_FILL = 'h3-fill';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** The style of indicator `ind` on the H3 grid in `period`. */
export function h3StyleURL(ind, period) {
  return `/styles/${encodeURIComponent(ind)}.json${qs({ level: 'h3', period })}`;
}

/** The cell popup's HTML from a cell API answer `c`; `indicators` from map/indicators; `ages`:
 * the period has age groups (a slot for the cell's pyramid). */
export function cellHTML(lang, c, indicators, current, ages = false) {
  const unstable = new Set(c.flags?.unstable || []);
  const rows = indicators
    // The age indicators: the one shown only (the cell's pyramid below gives the structure).
    .filter((d) => c.values[d.id] !== undefined && ((!d.base && !d.ages) || d.id === 'population' || d.id === current))
    .map((d) => {
      const mark = unstable.has(d.id) ? markHTML(lang, d.id !== current) : '';
      const cls = d.id === current ? ' class="cur"' : '';
      return `<tr${cls} data-ind="${esc(d.id)}"><th>${esc(lang === 'vi' ? d.name_vi : d.name_en)}</th>` +
        `<td>${num(lang, c.values[d.id])}${mark}</td><td class="u">${esc(lang === 'vi' ? d.unit : d.unit_en)}</td></tr>`;
    });
  const suppressed = c.flags?.suppressed ? `<p class="suppressed">${esc(t(lang, 'suppressed'))}</p>` : '';
  const communes = (c.communes || []).slice().sort((a, b) => b.share - a.share).slice(0, 4)
    .map((u) => esc(u.name)).join(', ');
  const flagged = [...unstable].some((id) => id !== current) ? `<p class="lbl">${markHTML(lang, true)} ${esc(t(lang, 'unstableMark').replace(/^⚠\s*/, ''))}</p>` : '';
  return `<div class="pp pp-h3"><h3>${esc(t(lang, 'cellOf'))} <small>${esc(t(lang, 'cellRes'))} ${c.resolution}</small></h3>${suppressed}` +
    `<table>${rows.join('')}</table>${flagged}` + (ages ? '<div class="pyramid"></div>' : '') +
    (communes ? `<p class="lbl">${esc(t(lang, 'communesOfCell'))}: ${communes}</p>` : '') +
    explainLinkHTML(lang, current) + '</div>';
}

/**
 * Opens the popup of the H3 cell under `e` (a MapLibre click) on `map`, or returns null when no
 * cell is there. `o`: {lang, period (as the style names it), ind, indicators}. A failed answer
 * shows the UI-language error in the popup.
 */
export async function openCellPopup(map, e, o) {
  if (!map.getLayer(H3_FILL)) return null;
  const f = map.queryRenderedFeatures(e.point, { layers: [H3_FILL] })[0];
  const cell = f?.properties?.cell;
  if (!cell) return null;
  let html;
  try {
    const c = await getJSON(`/api/v1/h3/${encodeURIComponent(o.period)}/${encodeURIComponent(cell)}`);
    html = cellHTML(o.lang, c, o.indicators, o.ind, !!o.ages);
  } catch (err) {
    html = `<div class="pp pp-h3"><p class="status">${esc(errorText(o.lang, err))}</p></div>`;
  }
  const popup = new maplibregl.Popup({ maxWidth: '320px' }).setLngLat(e.lngLat).setHTML(html).addTo(map);
  // A period with age groups: the cell's pyramid, drawn by pyramid.js like a unit's.
  const el = popup.getElement();
  if (o.ages && el?.querySelector('.pyramid')) {
    loadCellPyramid(el, { lang: o.lang, period: o.period, cell });
  }
  return popup;
}
