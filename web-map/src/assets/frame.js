// Embeds for portals (issue 16): the unit a portal frames (`area=`: outlined, the rest of the
// world dimmed, the camera fitted; resolved on the boundary version of the period shown, since
// codes were reused in July 2025), the strict check of an embed's parameters (an unknown
// indicator, period or unit is an error shown over the map, never silently replaced), the
// page title in words, the compact legend of `controls=0`, and `/` opened inside a frame.
import { getJSON } from './api.js';
import { t, tf } from './i18n.js';
import { periodWords } from './layout.js';
import { strictProblems as problems, showNotice } from './valid.js';
import { format } from './state.js';

export { problems };

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const MASK = 'area-mask';
const OUTLINE = 'area-outline';
const CASING = 'area-casing';

/** The indicator's name in `lang` ('' when unknown). */
export function indicatorName(meta, id, lang) {
  const d = meta.indicators.find((x) => x.id === id);
  return d ? (lang === 'en' ? d.name_en : d.name_vi) : '';
}

/** "Mật độ dân số — Tỉnh Lào Cai — Tháng 9/2026": what a frame shows, in words. */
export function viewTitle(meta, s, areaName, lang) {
  const period = s.period && s.period !== 'latest' ? s.period : meta.periods[meta.periods.length - 1]?.period;
  return [indicatorName(meta, s.ind, lang) || s.ind, areaName || t(lang, 'country'), periodWords(period, lang)].join(' — ');
}

/**
 * The unit `code` with its full geometry on the boundary version of `period` (or `version`,
 * when the map draws the period harmonised onto another one): a GeoJSON Feature, or null when
 * that version has no such code. Other failures throw.
 */
export async function fetchArea(code, period, version) {
  const q = version ? `version=${encodeURIComponent(version)}` : `period=${encodeURIComponent(period || 'latest')}`;
  try {
    return await getJSON(`/api/v1/units/${encodeURIComponent(code)}/geometry?${q}`);
  } catch (e) {
    if (e?.status === 404) return null;
    throw e;
  }
}

/** Shows `list` (problems) over the map as the embed's error: no map, no legend, no colours. */
export function showError(list, lang) {
  let el = document.getElementById('embed-error');
  if (!el) {
    el = document.createElement('div');
    el.id = 'embed-error';
    el.setAttribute('role', 'alert');
    document.getElementById('map').append(el);
  }
  el.innerHTML = `<h2>${esc(t(lang, 'embedErrorTitle'))}</h2><ul>${list.map((p) =>
    `<li data-param="${esc(p.param)}">${esc(p.text)}</li>`).join('')}</ul><p>${esc(t(lang, 'embedErrorHint'))}</p>`;
  document.body.dataset.error = list.map((p) => p.param).join(',');
  document.documentElement.lang = lang;
  const title = document.getElementById('title');
  if (title) title.textContent = t(lang, 'title');
  const legend = document.getElementById('legend');
  if (legend) legend.innerHTML = '';
  document.title = `${t(lang, 'embedErrorTitle')} — popmap`;
}

/**
 * The view's check at start, before any correction: in an embed, a bad indicator, period or
 * unit is shown as the error (returns null: start nothing more); on the full map an unknown
 * `area` is dropped with a notice (returned, for the notice line) and the rest is corrected as
 * before (valid.js, timeline.js).
 */
export async function checkView(S, meta, lang, embed) {
  const periodOK = !S.period || S.period === 'latest' || meta.periods.some((e) => e.period === S.period);
  const bv = S.bv && meta.versions.some((v) => v.id === S.bv) ? S.bv : '';
  let area;
  if (S.area && periodOK) {
    try {
      area = await fetchArea(S.area, S.period, bv);
    } catch {
      area = undefined; // the server could not answer: the map's own error handling says so
    }
  }
  const list = problems(S, meta, lang, area);
  if (embed && list.length) {
    showError(list, lang);
    document.body.dataset.ready = '1';
    return null;
  }
  const bad = list.find((p) => p.param === 'area');
  if (!bad) return [];
  S.area = '';
  S.sa = '';
  return [bad.text];
}

/** The world with the unit's outer rings as holes (their inner rings, other units, dimmed again). */
export function maskOf(feature) {
  const g = feature.geometry;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const world = [[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]];
  const area = (r) => r.reduce((a, p, i) => a + (i ? (r[i - 1][0] * p[1] - p[0] * r[i - 1][1]) : 0), 0);
  // MapLibre tells holes from outer rings by winding: a hole turns against its outer ring.
  const against = (r) => (Math.sign(area(r)) === Math.sign(area(world)) ? [...r].reverse() : r);
  const along = (r) => (Math.sign(area(r)) === Math.sign(area(world)) ? r : [...r].reverse());
  return {
    type: 'Feature',
    properties: {},
    geometry: {
      type: 'MultiPolygon',
      coordinates: [[world, ...polys.map((p) => against(p[0]))], ...polys.flatMap((p) => p.slice(1).map((h) => [along(h)]))],
    },
  };
}

/** Adds (again after a style change) the mask and the outline of `feature` on top of `map`. */
export function drawArea(map, feature) {
  if (!feature || map.getLayer(OUTLINE)) return;
  map.addSource(MASK, { type: 'geojson', data: maskOf(feature) });
  map.addSource(OUTLINE, { type: 'geojson', data: feature });
  map.addLayer({ id: MASK, type: 'fill', source: MASK, paint: { 'fill-color': '#f4f4f2', 'fill-opacity': 0.72 } });
  map.addLayer({ id: CASING, type: 'line', source: OUTLINE, paint: { 'line-color': '#ffffff', 'line-width': 5 } });
  map.addLayer({ id: OUTLINE, type: 'line', source: OUTLINE, paint: { 'line-color': '#1a1a1a', 'line-width': 2.5 } });
}

/** Fits the camera to the unit's box. */
export function fitArea(map, feature) {
  const [w, s, e, n] = feature.bbox;
  map.fitBounds([[w, s], [e, n]], { padding: 16, animate: false });
}

/**
 * The framing of one map: keeps the unit of `area` resolved on the version shown, drawn, and
 * named in `#area-name`. `ctx`: state(), lang(), version() (the boundary version drawn),
 * meta, embed (strict: errors instead of notices).
 */
export class Frame {
  constructor(ctx) {
    this.ctx = ctx;
    this.feature = null;
    this.key = '';
  }

  /** Fits the camera to the framed unit (no-op without one). */
  fit(map) {
    if (this.feature) fitArea(map, this.feature);
  }

  /** The unit's name ('' when no area is framed). */
  name() {
    return this.feature?.properties?.name || '';
  }

  /** Resolves `area` on the version drawn (again when the version changes); null when absent there. */
  async resolve() {
    const s = this.ctx.state();
    if (!s.area) {
      this.feature = null;
      this.key = '';
      return undefined;
    }
    const key = `${s.area}|${this.ctx.version() || s.period}`;
    if (key === this.key) return this.feature;
    this.key = key;
    this.feature = await fetchArea(s.area, s.period, this.ctx.version());
    return this.feature;
  }

  /** After every map update: the area on the version drawn, drawn on top, named. */
  async afterUpdate(map) {
    const before = this.key;
    const f = await this.resolve();
    if (f === null) {
      // The period moved to boundaries without this code (codes were reused in July 2025).
      const list = problems(this.ctx.state(), this.ctx.meta, this.ctx.lang(), null);
      if (this.ctx.embed) {
        showError(list, this.ctx.lang());
        return;
      }
      showNotice(list.map((p) => p.text));
      Object.assign(this.ctx.state(), { area: '', sa: '' });
      this.feature = null;
      this.key = '';
    }
    if (this.key !== before) {
      for (const id of [OUTLINE, CASING, MASK]) if (map.getLayer(id)) map.removeLayer(id);
      for (const id of [OUTLINE, MASK]) if (map.getSource(id)) map.removeSource(id);
    }
    drawArea(map, f);
    this.label();
  }

  /** The framed unit's name under the title and the page title in words. */
  label() {
    const { state, lang, meta } = this.ctx;
    let el = document.getElementById('area-name');
    if (!el && this.feature) {
      el = document.createElement('p');
      el.id = 'area-name';
      (document.querySelector('#panel header') || document.getElementById('title'))?.after(el);
    }
    if (el) {
      el.textContent = this.feature ? `${t(lang(), 'frameArea')}: ${this.name()}` : '';
      el.hidden = !this.feature;
    }
    document.body.dataset.sa = state().sa === '1' && this.feature ? '1' : '';
    if (!this.ctx.embed) return;
    document.title = viewTitle(meta, state(), this.name(), lang());
    if (state().controls === '0') this.legendToggle();
  }

  /** controls=0: a small button folding the compact legend to its title (indicator, period). */
  legendToggle() {
    const panel = document.getElementById('panel');
    let b = document.getElementById('legend-toggle');
    if (!b && panel) {
      b = document.createElement('button');
      b.id = 'legend-toggle';
      b.type = 'button';
      b.setAttribute('aria-controls', 'legend');
      b.addEventListener('click', () => {
        const collapsed = document.body.classList.toggle('legend-collapsed');
        b.setAttribute('aria-expanded', String(!collapsed));
        b.textContent = collapsed ? '▸' : '▾';
      });
      panel.prepend(b);
      b.setAttribute('aria-expanded', 'true');
      b.textContent = '▾';
    }
    if (b) b.setAttribute('aria-label', t(this.ctx.lang(), 'legendToggle'));
  }
}

/**
 * `/` inside a frame of another page: the full map is not meant for portals (it is wide, and its
 * links change the top page's URL); replace it with a short explanation and the link to the
 * matching /embed. Our own embed dialog frames /embed, never /, so a framed `/` is always
 * someone else's page. Returns true when the page was replaced (then nothing else starts).
 */
export function explainFramed(S, lang) {
  let framed;
  try {
    framed = window.top !== window.self;
  } catch {
    framed = true; // a cross-origin top throws on some browsers: framed all the same
  }
  if (!framed) return false;
  const url = `${location.origin}/embed${format({ ...S, at: S.area ? '' : S.at, sel: '' })}`;
  document.body.innerHTML = `<main class="framed-explain" lang="${lang}"><h1>${esc(t(lang, 'framedTitle'))}</h1>` +
    `<p>${esc(t(lang, 'framedText'))}</p><p><a id="framed-embed" href="${esc(url)}" target="_top">${esc(url)}</a></p>` +
    `<p><a href="${esc(location.href)}" target="_blank" rel="noopener">${esc(t(lang, 'openFull'))}</a></p></main>`;
  document.documentElement.lang = lang;
  document.title = t(lang, 'framedTitle');
  document.body.dataset.framed = '1';
  return true;
}
