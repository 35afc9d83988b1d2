// Small numbers shown as such: a hatch (the sprite's `hatch`, dark diagonal lines that survive
// greyscale print and colour-blind reading) over every unit whose value the catalog's min_*
// rule flags as unstable, a legend row counting them with a one-line reason, a mark in the
// popup; the stable level × granularity noisy ratios open on (map/indicators `stable`) and the
// note when a reader picks a finer one; and the national value (level=country) under the
// legend.
import { t, tf, num } from './i18n.js';
import { tryJSON, qs } from './api.js';
import { explainButtonHTML } from './explain.js';

/** The image the hatch layers repeat (tileserver/src/routes/sprite.rs). */
export const HATCH = 'hatch';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/**
 * The unstable flags of a values answer aligned with its codes: /api/v1/map/values carries
 * `unstable: {indicator: [bool…]}`, /api/v1/map/change `unstable: [bool…]`; null when absent.
 */
export function unstableOf(r, ind) {
  const u = r?.unstable;
  if (Array.isArray(u)) return u;
  return u && Array.isArray(u[ind]) ? u[ind] : null;
}

/** How many values of `r` are flagged unstable (0 when the answer has no flags). */
export function unstableCount(r, ind) {
  const u = unstableOf(r, ind);
  return u ? u.filter(Boolean).length : 0;
}

/**
 * Adds to the client style `doc` one hatch layer above each data fill: the pattern is shown
 * (fill-opacity 1) where the unit's feature state says `unstable` (admin levels, values joined
 * by state) or, on tiles that carry their values (H3; admin tiles of a `join=props` style),
 * where the feature's `{ind}_unstable` is true.
 */
export function addHatchLayers(doc, ind) {
  const out = [];
  // Styles whose tiles carry the values (H3, and admin tiles with `join=props` as the print
  // layout uses) carry the flags too.
  const props = doc.metadata?.['popmap:join'] !== 'state';
  for (const layer of doc.layers) {
    out.push(layer);
    if (layer.type !== 'fill' || layer.source !== 'popmap' || layer.metadata?.['popmap:hatch']) continue;
    const h3 = layer['source-layer'] === 'h3';
    const flag = h3 || props
      ? ['boolean', ['get', `${ind}_unstable`], false]
      : ['boolean', ['feature-state', 'unstable'], false];
    const hatch = {
      id: `${layer.id}-hatch`,
      type: 'fill',
      source: layer.source,
      'source-layer': layer['source-layer'],
      metadata: { 'popmap:hatch': true },
      paint: { 'fill-pattern': HATCH, 'fill-opacity': ['case', flag, 1, 0] },
    };
    for (const k of ['minzoom', 'maxzoom', 'filter']) if (layer[k] !== undefined) hatch[k] = layer[k];
    out.push(hatch);
  }
  doc.layers = out;
  return doc;
}

/** The legend swatch of the hatch: the sprite's lines ("/", 8 px apart) on white. */
const HATCH_CSS = 'background:#fff repeating-linear-gradient(135deg, #282828 0 1.4px, transparent 1.4px 5.66px)';

/** Legend notes: smaller than the rows they explain. */
const SMALL = 'font-size:12px;line-height:1.35;color:#444;margin:4px 0';

const LEVEL_ORDER = ['country', 'region', 'province', 'district', 'commune', 'h3'];
const G_ORDER = ['year', 'quarter', 'month'];

/** The granularity of a period name: month (2025-07), quarter (2025-Q3) or year (2025). */
export function granularityOf(period) {
  const p = String(period || '').replace(/@r\d+$/, '');
  if (/^\d{4}-\d{2}$/.test(p)) return 'month';
  if (/^\d{4}-Q[1-4]$/.test(p)) return 'quarter';
  return 'year';
}

/**
 * The view an indicator opens on from granularity `g`: its stable level and granularity
 * (map/indicators `stable`, e.g. SRB by province and year) with the newest period of that
 * granularity. {} when any view is stable or the stable granularity is `g` already (CBR by
 * month: the automatic level draws provinces at the national view, and a reader zoomed into
 * communes keeps them, hatched where unstable and with the note of finerNote).
 */
export function stableView(ind, periods, g) {
  const st = ind?.stable;
  if (!st || !st.granularity || st.granularity === g) return {};
  const out = {};
  if (st.level && st.level !== 'country') out.level = st.level;
  if (st.granularity) {
    out.g = st.granularity;
    const list = periods.filter((p) => (p.granularity || granularityOf(p.period)) === st.granularity);
    if (list.length) out.period = list[list.length - 1].period;
  }
  return out;
}

/** The note for a view finer than the indicator's stable one ('' when not finer). */
export function finerNote(lang, ind, level, period) {
  const st = ind?.stable;
  if (!st) return '';
  const parts = [];
  if (st.level && LEVEL_ORDER.indexOf(level) > LEVEL_ORDER.indexOf(st.level)) parts.push(t(lang, `finer_${level}`)); // the level drawn: xã, huyện or ô lục giác
  const g = granularityOf(period);
  if (st.granularity && G_ORDER.indexOf(g) > G_ORDER.indexOf(st.granularity)) {
    parts.push(t(lang, g === 'month' ? 'finerMonth' : 'finerQuarter'));
  }
  return parts.length ? tf(lang, 'unstableFiner', { what: parts.join(t(lang, 'finerAnd')) }) : '';
}

/**
 * The popup's mark after an unstable value ('' for a stable one): the words on their own line
 * ("⚠ số nhỏ — không ổn định"), or with `short` (a table cell) the ⚠ alone with the words as
 * its tooltip and accessible name.
 */
export function unstableMarkHTML(lang, all, id, i, short = false) {
  return unstableOf(all, id)?.[i] ? markHTML(lang, short) : '';
}

/** The small-numbers mark (see unstableMarkHTML). */
export function markHTML(lang, short = false) {
  const words = esc(t(lang, 'unstableMark'));
  return short
    ? ` <span class="unstable-mark" title="${words}" aria-label="${words}" style="color:#8a4b00">⚠</span>`
    : `<br><span class="unstable-mark" style="font-size:12px;color:#8a4b00;white-space:nowrap">${words}</span>`;
}

const national = new Map(); // url -> Promise of the national value
let countryServed = false;

/** The national value of `ind` in `period` (level=country), or null where the server has none. */
export function nationalValue(period, ind, version) {
  const url = `/api/v1/map/values${qs({ period, level: 'country', indicators: ind, version })}`;
  if (!national.has(url)) national.set(url, tryJSON(url).then((r) => r?.values?.[ind]?.[0] ?? null));
  return national.get(url);
}

/** Flagged H3 cells (by cell index) in the tiles `map` has loaded for the view. */
export function h3UnstableCount(map, ind) {
  if (!map.getSource('popmap')) return 0;
  const seen = new Set();
  for (const f of map.querySourceFeatures('popmap', { sourceLayer: 'h3' })) {
    if (f.properties[`${ind}_unstable`]) seen.add(f.properties.cell);
  }
  return seen.size;
}

/**
 * Adds to the rendered legend in `el`: the ⓘ button after the title, the hatched row with the
 * count of unstable values and why they are marked, the note for a view finer than the stable
 * one, and "Toàn quốc: 1.234,5". `c`: {lang, ind (map/indicators entry), level drawn, values
 * (the level's answer, or null), map (H3: the flagged cells loaded are counted), period,
 * version, change (a change map: no national value)}.
 */
export function decorateLegend(el, c) {
  if (!el || !el.firstChild || !c.ind) return;
  const { lang } = c;
  const title = el.querySelector('.lg-title');
  if (title && !title.querySelector('[data-explain]')) title.insertAdjacentHTML('beforeend', explainButtonHTML(lang, c.ind));
  const rows = el.querySelector('.lg-rows');
  const addRow = (count) => {
    if (!rows?.isConnected || count <= 0 || el.querySelector('[data-class="unstable"]')) return;
    rows.insertAdjacentHTML('beforeend', `<li data-class="unstable"><span class="sw hatch" style="${HATCH_CSS}"></span>` +
      `<span class="rg">${esc(t(lang, 'unstable'))}</span><span class="ct">${count}</span></li>`);
    rows.insertAdjacentHTML('afterend', `<p class="lg-unstable" style="${SMALL}">${esc(t(lang, 'unstableWhy'))}</p>`);
  };
  if (c.level === 'h3' && c.map) {
    // H3 cells carry their flags in the tiles: count the flagged cells loaded once drawn.
    c.map.once('idle', () => addRow(h3UnstableCount(c.map, c.ind.id)));
  } else {
    addRow(unstableCount(c.values, c.ind.id));
  }
  const note = finerNote(lang, c.ind, c.level, c.period);
  if (note) el.insertAdjacentHTML('beforeend', `<p class="lg-finer" role="note" style="${SMALL};color:#8a4b00">${esc(note)}</p>`);
  if (c.change) return;
  // Servers that answer level=country also flag unstable values (contract 3 brought both):
  // without the flags the national row is not asked for, so no request fails.
  if (c.values && 'unstable' in c.values) countryServed = true;
  if (!countryServed) return;
  const line = document.createElement('p');
  line.className = 'lg-national';
  line.style.cssText = 'margin:6px 0 0;font-weight:600';
  line.hidden = true;
  // Right under the classes (and their small-numbers note), before the notes on the breaks.
  const anchor = el.querySelector('.lg-unstable') || el.querySelector('.lg-foot') || rows;
  if (anchor) anchor.after(line);
  else el.append(line);
  nationalValue(c.period, c.ind.id, c.version).then((v) => {
    if (v === null || v === undefined || !line.isConnected) return;
    const unit = lang === 'vi' ? c.ind.unit : c.ind.unit_en;
    line.textContent = `${t(lang, 'national')}: ${num(lang, v, 1)}${unit ? ` ${unit}` : ''}`;
    line.hidden = false;
  });
}
