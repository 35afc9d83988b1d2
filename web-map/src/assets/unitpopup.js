// The unit popup (issue 16, contract 1): one way to open a unit's popup, called by the map
// click, the keyboard navigation (keynav.js) and the table view (table.js). It selects the
// unit, fetches every indicator's value of its level, shows popup.js's content in a MapLibre
// popup (`.maplibregl-popup` holding `.pp`) and loads its series chart.
import * as maplibregl from './vendor/maplibre-gl.mjs';
import { getJSON } from './api.js';
import { popupHTML, loadSeries, keepInside, VIEWS } from './popup.js';
import { periodsOf, boundaryChanges } from './timeline.js';
import { tf } from './i18n.js';
import { loadPyramid } from './pyramid.js';

// The one popup on the map (a unit's or an H3 cell's): opening another replaces it.
let current = null;

/** The popup on the map, or null. */
export function currentPopup() {
  return current;
}

/** Replaces the popup on the map by `p` (an H3 cell's popup, say), removing the old one. */
export function replacePopup(p) {
  if (current && current !== p) current.remove();
  current = p;
  if (p) asDialog(p);
  return p;
}

/**
 * Makes popup `p` a dialog for assistive technology: role=dialog named "Số liệu: <its
 * heading>", Escape inside it closes it, and focus goes back to the map's canvas when it
 * closes with focus inside it (its close button, Escape), so a keyboard user is not lost.
 */
function asDialog(p) {
  const el = p.getElement();
  if (!el) return;
  const lang = document.documentElement.lang === 'en' ? 'en' : 'vi';
  const heading = el.querySelector('h3, h4, b');
  const name = heading ? (heading.firstChild?.textContent || heading.textContent).trim() : '';
  // MapLibre focuses the popup's first focusable control on opening, which for a unit is the
  // explanation link at the bottom of a long popup: start at the heading instead, so the reader
  // sees the heading and the chart first and Tab walks the popup's controls in order.
  const top = el.querySelector('.pp h3');
  if (top && el.contains(document.activeElement)) {
    top.tabIndex = -1;
    top.focus({ preventScroll: true });
  }
  const pp = el.querySelector('.pp');
  if (pp) pp.scrollTop = 0;
  el.setAttribute('role', 'dialog');
  el.setAttribute('aria-label', name ? tf(lang, 'popupOf', { name }) : tf(lang, 'popupOf', { name: '' }).replace(/[:\s]+$/, ''));
  el.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation(); // where.js's Escape clears the selection: here only the popup closes
    p.remove();
  });
  const canvas = p._map?.getCanvas();
  p.on('close', () => {
    const a = document.activeElement;
    if (canvas && (!a || a === document.body || el.contains(a))) canvas.focus();
  });
}

/** The centre of unit `code`: its box's centre from the unit index, else the centre of its
 * features drawn on the map, else null. */
export function unitCentre(ctx, code, level) {
  const u = ctx.index?.()?.byCode.get(code);
  if (u?.bbox) return [(u.bbox[0] + u.bbox[2]) / 2, (u.bbox[1] + u.bbox[3]) / 2];
  const fs = ctx.map.querySourceFeatures('popmap', { sourceLayer: level, filter: ['==', ['get', 'code'], code] });
  let box = null;
  for (const f of fs) {
    const walk = (c) => {
      if (typeof c[0] === 'number') {
        box = box ? [Math.min(box[0], c[0]), Math.min(box[1], c[1]), Math.max(box[2], c[0]), Math.max(box[3], c[1])] : [c[0], c[1], c[0], c[1]];
      } else c.forEach(walk);
    };
    walk(f.geometry.coordinates);
  }
  return box ? [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] : null;
}

/**
 * Opens the popup of unit `code` of admin level `level` at `lngLat` (default: the unit's
 * centre, see unitCentre). `ctx` carries main.js's pieces: map, state() (the URL state S),
 * meta ({indicators, periods, versions, h3}), lang(), valuesURL(period, level, ids, bbox,
 * version), shownVersion(), writeURL(push), where (the selection), index() (the unit index),
 * indicatorMeta(id), periodEntry(period). Resolves to the popup, or null when the unit has
 * no row in the values.
 */
export async function openUnitPopup(ctx, { code, level, lngLat }) {
  const { map, meta, lang, where } = ctx;
  where?.select(code);
  const ids = meta.indicators.map((d) => d.id).join(',');
  const all = await getJSON(ctx.valuesURL(ctx.state().period, level, ids, false, ctx.shownVersion()));
  const S = ctx.state();
  const i = all.codes.indexOf(code);
  if (i < 0) return null;
  const at = lngLat || unitCentre(ctx, code, level) || map.getCenter();
  const popup = replacePopup(new maplibregl.Popup({ maxWidth: '320px' })
    .setLngLat(at)
    .setHTML(popupHTML(lang(), all, i, meta.indicators, S.ind))
    .addTo(map));
  const shownOn = all.version;
  const newest = meta.versions[meta.versions.length - 1]?.id;
  const onIt = periodsOf(meta.periods.filter((p) => p.version === shownOn), S.g);
  const views = VIEWS.filter((v) => v !== 'h3' || meta.h3);
  const ind = ctx.indicatorMeta(S.ind);
  loadSeries(popup.getElement(), {
    lang: lang(),
    code: all.codes[i],
    indicator: S.ind,
    g: S.g,
    view: views.includes(S.sv) ? S.sv : views[0],
    views,
    // Harmonised onto the boundaries shown, up to their last period when newer ones exist.
    version: shownOn,
    to: shownOn !== newest ? onIt[onIt.length - 1] : '',
    versions: meta.versions,
    known: boundaryChanges(meta.periods, S.g).map((p) => ({ period: p, version: ctx.periodEntry(p)?.version })),
    unit: ind ? (lang() === 'vi' ? ind.unit : ind.unit_en) : '',
    onView: (v) => {
      // The series view is part of the link, without redrawing the map.
      ctx.state().sv = v;
      ctx.writeURL(false);
    },
    onDrawn: () => keepInside(popup, map),
  });
  // The pyramid of the period shown (or the line naming the newest period with age groups).
  // No request for a period known to carry no ages (monthly reports), nor at all when none does.
  const shownPeriod = String(all.period || S.period || '').split('@')[0];
  loadPyramid(popup.getElement(), {
    lang: lang(),
    code: all.codes[i],
    period: all.period || S.period,
    version: shownOn,
    hasAges: ctx.periodEntry(shownPeriod)?.ages,
    anyAges: meta.periods.some((p) => p.ages !== false),
    onDrawn: () => keepInside(popup, map),
  });
  return popup;
}
