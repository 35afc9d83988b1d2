// popmap's web map. Geometry comes from boundary tiles (cached forever per boundary version);
// values come per period from /api/v1/map/values and are joined with feature-state, so a
// period switch repaints without refetching a tile (as the ONS census atlas does). Styles and
// classes come from the server (/styles/{indicator}.json?join=state).
import * as maplibregl from './vendor/maplibre-gl.mjs';
import { getJSON, tryJSON, qs } from './api.js';
import { t, tf, errorText } from './i18n.js';
// Small numbers, explanations, H3 and no dead ends (engineer D's modules).
import { addHatchLayers, unstableOf, decorateLegend, stableView } from './unstable.js';
import { wireExplain } from './explain.js';
import { h3StyleURL, openCellPopup, H3_FILL } from './h3.js';
import { correctView, showNotice, methodsOf, kRange, boundaryChoices, levelChoices } from './valid.js';
import { renderLegend } from './legend.js';
import { openUnitPopup, replacePopup, currentPopup } from './unitpopup.js';
import { Timeline, resolvePeriods, periodsFor, granularityOf, isProjection } from './timeline.js';
import { fetchChange, changeLegend } from './change.js';
import { parse, format, formatCamera, parseCamera, locked } from './state.js';
import { exportPNG } from './export.js';
import { Downloads } from './downloads.js';
import { openEmbedDialog } from './embed.js';
import { Frame, checkView, explainFramed } from './frame.js';
import { NATIONAL, nationalPadding } from './camera.js';
import { initSheet, attributionOptions, collapseAttribution } from './sheet.js';
import { Search } from './search.js';
import { localiseStyle } from './labels.js';
import { Where } from './where.js';
import { periodWords, versionWords } from './layout.js';
import { TableView } from './table.js';
import { KeyNav } from './keynav.js';
import { mapLocale, followLanguage } from './maplocale.js';

const EMBED = document.body.dataset.embed === '1';
const $ = (sel) => document.querySelector(sel);

let S = parse(location.search);
const meta = { indicators: [], periods: [], versions: [], synthetic: false, h3: false };
let map;
let styleDoc = null;
let levels = []; // [{level, min, max, layer}] of the current style
let shown = {}; // level -> {level, codes, names, parents, ids, column, index}
let legendByLevel = {};
let hovered = null;
let timeline = null; // the period controls (timeline.js)
let updating = Promise.resolve();
let where = null; // selection, breadcrumb, level switch and labels (where.js)
let table = null; // the table view of the map (table.js)

const lang = () => (S.lang === 'en' ? 'en' : 'vi');
/** Version `id` in words (the legend and pickers never show an id). */
const versionNamed = (id) => versionWords(meta.versions.find((v) => v.id === id) || { id }, lang());
const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** The boundary version the map draws the period on when it is not the period's own
 * (`bv=`: the period is harmonised onto it through the crosswalk), else ''. */
const shownVersion = () =>
  (S.bv && S.level !== 'h3' && S.bv !== periodEntry(S.period)?.version && meta.versions.some((v) => v.id === S.bv) ? S.bv : '');
const indicatorMeta = (id) => meta.indicators.find((d) => d.id === id);
const periodEntry = (p) => meta.periods.find((e) => e.period === p);

function setStatus(msg) {
  const el = $('#status');
  if (el) el.textContent = msg || '';
}

function writeURL(push) {
  const url = `${location.pathname}${format(S)}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

function styleURL() {
  if (S.level === 'h3') return h3StyleURL(S.ind, S.period);
  return `/styles/${encodeURIComponent(S.ind)}.json${qs({ join: 'state', period: S.period, method: S.method, k: S.k, version: shownVersion(), breaks: S.br })}`;
}

/** The values of one level; `version` draws the period on another boundary version (harmonised). */
function valuesURL(period, level, indicators, bbox, version) {
  return `/api/v1/map/values${qs({ period, level, indicators, bbox: bbox ? 1 : '', version })}`;
}

/** The admin level drawn at the current zoom. */
function levelAtZoom() {
  const z = map.getZoom();
  const row = levels.find((l) => z >= l.min && (l.max === undefined || z < l.max));
  return row ? row.level : levels[0]?.level;
}

function levelsOf(doc) {
  // Only the data fills name levels (the country context's land fills are not levels).
  return doc.layers
    .filter((l) => l.type === 'fill' && l.source === 'popmap')
    .map((l) => ({ level: l.metadata?.['popmap:level'] || l['source-layer'], min: l.minzoom ?? 0, max: l.maxzoom, layer: l.id }));
}

function styleLoaded() {
  return new Promise((resolve) => {
    if (map.isStyleLoaded()) resolve();
    else map.once('style.load', () => resolve());
  });
}

/** Fetches the value column of every level of the style, or the change since `cmp` (change.js:
 * the server's change and classes, the base moved onto the shown boundaries when they differ). */
async function fetchColumns(doc) {
  if (S.level === 'h3') return [];
  const period = doc.metadata['popmap:period'];
  const onto = doc.metadata['popmap:harmonised'] ? doc.metadata['popmap:version'] : '';
  const jobs = levels.map(async ({ level }) => {
    if (S.cmp) {
      const opts = { indicator: S.ind, period: period.split('@')[0], base: S.cmp, level, version: onto, measure: S.cm };
      return fetchChange(opts).catch((e) => {
        console.warn('popmap: change refused', e);
        setStatus(t(lang(), 'versionDiffers'));
        return { level, codes: [], ids: [], column: [], index: new Map(), change: null };
      });
    }
    const r = await getJSON(valuesURL(period, level, S.ind, false, onto));
    return { level, ...r, column: r.values[S.ind], index: new Map(r.codes.map((c, i) => [c, i])) };
  });
  return Promise.all(jobs);
}

/** The legend of each level: the server's classes (with their notes and the timeline they
 * serve), or the server's change classes. */
function buildLegends(doc) {
  const ind = indicatorMeta(S.ind);
  const title = ind ? (lang() === 'vi' ? ind.name_vi : ind.name_en) : S.ind;
  const unit = ind ? (lang() === 'vi' ? ind.unit : ind.unit_en) : '';
  legendByLevel = {};
  const classes = doc.metadata['popmap:classes'] || {};
  for (const key of Object.keys(classes)) {
    const c = classes[key];
    const notes = (c.notes || []).map((n) => ({ code: n.code, text: lang() === 'en' ? n.en : n.vi }));
    let legend = { title, unit, classes: c.classes, no_data: c.no_data, normal: c.normal, thresholds: c.thresholds,
      notes, breaks: c.breaks, periods: c.periods };
    if (S.cmp && shown[key]?.change) {
      legend = changeLegend(lang(), shown[key].change, { name: title, ontoWords: versionNamed(shown[key].version) });
    } else if (S.cmp && shown[key]) {
      legend = { ...legend, classes: [], thresholds: [], no_data: { ...legend.no_data, count: 0 }, notes: [], breaks: '' };
    }
    const onto = doc.metadata['popmap:harmonised'] ? ` · ${t(lang(), 'onto')} ${versionNamed(doc.metadata['popmap:version'])}` : '';
    // The period in words ("Quý III/2026"): the revision id ("@r1") is internal.
    legend.subtitle = `${periodWords(doc.metadata['popmap:period'], lang())} · ${t(lang(), key)}${onto}`;
    legendByLevel[key] = legend;
  }
}

/**
 * Colours every unit through feature state (`v` its value, `color` its class colour, with the
 * server's thresholds and the same rule as a MapLibre `step`). The fill paint reads the state,
 * so a period switch changes states only: no paint change, no tile re-parse.
 */
function applyStates() {
  for (const r of Object.values(shown)) {
    const legend = legendByLevel[r.level];
    if (!legend) continue;
    const th = legend.thresholds;
    const unstable = unstableOf(r, S.ind); // hatched where true (unstable.js)
    for (let i = 0; i < r.ids.length; i++) {
      if (r.ids[i] === null) continue;
      const v = r.column[i];
      let color = legend.no_data.color;
      if (Number.isFinite(v)) {
        let k = 0;
        while (k < th.length && th[k] <= v) k += 1;
        color = legend.classes[k]?.color ?? color;
      }
      map.setFeatureState({ source: 'popmap', sourceLayer: r.level, id: r.ids[i] }, { v, color, unstable: !!unstable?.[i] });
    }
  }
}

/** The server's style with fills read from feature state (see applyStates). */
function clientStyle(doc) {
  const out = addHatchLayers(localiseStyle(structuredClone(doc), lang()), S.ind);
  // A source's own attribution beats its TileJSON's (whose synthetic-data line is English):
  // the page's attribution line says it in the UI language (setAttribution).
  for (const src of Object.values(out.sources)) if (src.url) src.attribution = 'popmap';
  if (doc.metadata['popmap:join'] !== 'state') return out;
  for (const layer of out.layers) {
    if (layer.type !== 'fill' || layer.source !== 'popmap' || layer.metadata?.['popmap:hatch']) continue; // not the context's land
    const nd = doc.metadata['popmap:classes']?.[layer.metadata?.['popmap:level']]?.no_data?.color || '#d9d9d9';
    layer.paint['fill-color'] = ['to-color', ['coalesce', ['feature-state', 'color'], nd]];
  }
  return out;
}

function currentLegend() {
  if (S.level === 'h3') return legendByLevel.h3;
  return legendByLevel[levelAtZoom()];
}

function showLegend() {
  renderLegend($('#legend'), lang(), currentLegend());
  const drawn = S.level === 'h3' ? 'h3' : levelAtZoom();
  decorateLegend($('#legend'), { lang: lang(), ind: indicatorMeta(S.ind), level: drawn, values: shown[drawn] || null, map,
    period: styleDoc?.metadata['popmap:period'], version: shownVersion(), change: !!S.cmp });
  table?.refresh(); // the table follows the map's indicator, period, level and comparison
}

/** Keeps the zoom within the chosen level's range (free for `auto`). */
function applyLevelLock() {
  const row = levels.find((l) => l.level === S.level);
  if (!row) {
    map.setMinZoom(0);
    map.setMaxZoom(16);
    return;
  }
  map.setMinZoom(row.min);
  map.setMaxZoom(row.max !== undefined ? row.max - 0.01 : 16);
}

async function doUpdate() {
  setStatus('');
  const t0 = performance.now();
  const doc = await getJSON(styleURL());
  const t1 = performance.now();
  // A style whose fills read the tiles' own values (H3) is reloaded: its paint names the indicator.
  const sameGeometry = styleDoc && map.getSource('popmap') && doc.metadata['popmap:join'] === 'state' &&
    styleDoc.sources.popmap.url === doc.sources.popmap.url &&
    styleDoc.layers.length === doc.layers.length;
  if (!sameGeometry) {
    hovered = null;
    map.setStyle(clientStyle(doc), { diff: false });
    await styleLoaded();
  }
  styleDoc = doc;
  levels = levelsOf(doc).filter((l) => l.level !== 'h3');
  const t2 = performance.now();
  const columns = await fetchColumns(doc);
  shown = Object.fromEntries(columns.map((r) => [r.level, r]));
  buildLegends(doc);
  applyStates();
  const t3 = performance.now();
  window.popmap.timings = { style_ms: t1 - t0, apply_style_ms: t2 - t1, values_ms: t3 - t2 };
  applyLevelLock();
  showLegend();
  where?.afterUpdate();
  // The period drawn is recorded before the area's outline is awaited: the timeline's Play
  // reads the legend of each frame by this mark.
  document.body.dataset.period = doc.metadata['popmap:period'];
  document.body.dataset.indicator = S.ind;
  showIncomplete(doc.metadata['popmap:period']);
  showProjection(doc.metadata['popmap:period']);
  await frame.afterUpdate(map); // area=: the unit outlined, the rest dimmed (frame.js)
  prefetchNeighbours();
}

/** Says so above the controls when the period of `revision` was published as partial (`popmap publish
 * --partial`): its province and national totals miss the communes not reported. */
function showIncomplete(revision) {
  const period = String(revision || '').split('@')[0]; // the style names the revision: 2026-09@r1
  const entry = periodEntry(period);
  const el = $('#incomplete');
  if (!el) return;
  el.hidden = !entry?.incomplete;
  el.textContent = entry?.incomplete ? t(lang(), 'incomplete').replace('{p}', capital(periodWords(period, lang()))) : '';
}

/** The label over the map while a projected year is drawn (computed, not reported figures), and
 * the body's `data-projection` (the legend's and the panel's marking, app.css). */
function showProjection(revision) {
  const period = String(revision || '').split('@')[0];
  const on = isProjection(granularityOf(period));
  let el = $('#projection-badge');
  if (!el) {
    el = document.createElement('p');
    el.id = 'projection-badge';
    el.className = 'projection-badge';
    el.setAttribute('role', 'note');
    $('#map').append(el);
  }
  el.hidden = !on;
  el.textContent = on ? tf(lang(), 'projBadge', { p: periodWords(period, lang()) }) : '';
  if (on) document.body.dataset.projection = '1';
  else delete document.body.dataset.projection;
}

/** Warms the style and values of the previous and next periods, so the timeline and the
 * period picker's neighbours repaint without waiting for the server. */
function prefetchNeighbours() {
  if (S.level === 'h3' || S.cmp) return;
  const list = periodsFor(meta.periods, S.g, indicatorMeta(S.ind)?.ages);
  const i = list.indexOf(S.period);
  for (const p of [list[i + 1], list[i - 1]]) {
    if (!p || periodEntry(p)?.version !== periodEntry(S.period)?.version) continue;
    const version = shownVersion();
    const url = `/styles/${encodeURIComponent(S.ind)}.json${qs({ join: 'state', period: p, method: S.method, k: S.k, version, breaks: S.br })}`;
    tryJSON(url);
    // The values URL names the revision, as fetchColumns asks for it.
    const rev = `${p}@r${periodEntry(p).revision}`;
    for (const { level } of levels) tryJSON(valuesURL(rev, level, S.ind, false, version));
  }
}

/** Applies the state to the map (serialised: one update at a time, in order). */
function update(push) {
  writeURL(push);
  syncControls();
  const notes = correctView(S, meta, lang()); // no dead ends: a view the server cannot serve is corrected
  if (notes.length) {
    writeURL(false);
    syncControls();
  }
  if (notes.length || push) showNotice(notes);
  updating = updating.then(doUpdate).catch((e) => {
    setStatus(errorText(lang(), e));
    console.warn('popmap: update failed', e);
  });
  window.popmap.updating = updating;
  return updating;
}

function set(changes, push = true) {
  Object.assign(S, changes);
  if (S.cmp && S.cmp === S.period) S.cmp = ''; // the slider reached the comparison period
  return update(push);
}

// ---------- controls ----------

function option(value, label, selected) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  if (selected) o.selected = true;
  return o;
}

function buildControls() {
  const L = lang();
  document.documentElement.lang = L;
  $('#title').textContent = t(L, 'title');
  $('#synthetic').textContent = meta.synthetic ? t(L, 'synthetic') : '';
  $('#synthetic').hidden = !meta.synthetic;
  if (styleDoc) {
    showIncomplete(styleDoc.metadata['popmap:period']);
    showProjection(styleDoc.metadata['popmap:period']);
  }
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(L, el.dataset.t);
  $('#targets-link')?.setAttribute('href', L === 'en' ? '/targets?lang=en' : '/targets');
  for (const el of document.querySelectorAll('[data-ph]')) el.placeholder = t(L, el.dataset.ph);
  const ind = $('#ind');
  ind.replaceChildren(...meta.indicators.map((d) => option(d.id, L === 'vi' ? d.name_vi : d.name_en, d.id === S.ind)));
  timeline.render();
  const bv = $('#bv');
  if (bv) {
    bv.replaceChildren(option('', t(L, 'ownBoundaries'), !S.bv),
      ...boundaryChoices(meta, S.period).map((v) => option(v.id, capital(versionWords(v, L)), v.id === S.bv)));
    $('#row-bv').hidden = boundaryChoices(meta, S.period).length < 2 || S.level === 'h3';
  }
  const lvl = $('#level');
  const lv = levelChoices(meta, S.period, indicatorMeta(S.ind));
  lvl.replaceChildren(...lv.map((l) => option(l, t(L, l), l === S.level)));
  const method = $('#method');
  // The empty choice is the indicator's own default, named ("Mặc định (Phân vị)"), not a bare dash.
  const own = indicatorMeta(S.ind)?.method;
  method.replaceChildren(option('', own ? `${t(L, 'byDefault')} (${t(L, own)})` : t(L, 'byDefault'), !S.method), ...methodsOf(indicatorMeta(S.ind)).map((m) => option(m, t(L, m), m === S.method)));
  $('#k').value = S.k || '';
  [$('#k').min, $('#k').max] = kRange(indicatorMeta(S.ind));
  $('#lang').textContent = t(L, 'language');
  const vl = $('#value-labels');
  if (vl) vl.checked = S.vl === '1';
  for (const [what, el] of [['ind', '#row-ind'], ['period', '#row-period'], ['level', '#row-level']]) {
    const row = $(el);
    if (row) row.hidden = locked(S, what);
  }
  $('#panel').classList.toggle('hidden-controls', S.controls === '0');
  const full = $('#open-full');
  if (full) full.href = `/${format({ ...S, lock: '', controls: '1' })}`;
}

function syncControls() {
  if (!meta.indicators.length) return;
  buildControls();
  setAttribution();
}

let attribution = null;
/** The attribution line in the UI language (redone when the language changes). */
function setAttribution() {
  if (!map) return;
  const text = `popmap${meta.synthetic ? ' · ' + t(lang(), 'synthetic') : ''}`;
  if (attribution?.text === text) return;
  if (attribution) map.removeControl(attribution.control);
  if (attribution) map.removeControl(attribution.scale);
  // Bottom controls stack upwards: the attribution first, the scale bar above it.
  attribution = { text, control: new maplibregl.AttributionControl({ ...attributionOptions(), customAttribution: text }), scale: new maplibregl.ScaleControl() };
  map.addControl(attribution.control, 'bottom-right');
  map.addControl(attribution.scale, 'bottom-right');
  collapseAttribution(map.getContainer()); // phones: the ⓘ opens it (sheet.js)
}

function wireControls() {
  $('#ind').addEventListener('change', (e) => set({ ind: e.target.value, method: '', k: '', ...stableView(indicatorMeta(e.target.value), meta.periods, S.g) }));
  timeline.wire();
  // The legend's "this period only" switch (legend.js renders it with the classes).
  $('#legend').addEventListener('change', (e) => {
    if (e.target.matches('[data-breaks]')) set({ br: e.target.checked ? 'period' : '' });
  });
  $('#bv')?.addEventListener('change', (e) => set({ bv: e.target.value }));
  $('#level').addEventListener('change', (e) => {
    window.popmap.updating = where.switchLevel(e.target.value);
  });
  $('#value-labels')?.addEventListener('change', (e) => where.setValueLabels(e.target.checked));
  $('#method').addEventListener('change', (e) => set({ method: e.target.value }));
  $('#k').addEventListener('change', (e) => set({ k: e.target.value }));
  $('#lang').addEventListener('click', () => set({ lang: lang() === 'vi' ? 'en' : 'vi' }));
  search.wire();
  const btn = (id, fn) => $(id)?.addEventListener('click', fn);
  btn('#embed', () => openEmbedDialog($('#embed-dialog'), lang(), () => ({ ...S }), camera, meta,
    () => (S.sel ? { code: S.sel, name: search.index()?.byCode?.get(S.sel)?.name || S.sel } : null)));
  btn('#png', () => exportPNG(map, lang(), currentLegend(), fileBase(), meta.synthetic));
  // Data downloads are the API's complete files (downloads.js), not the tiles in view.
  if ($('#downloads')) new Downloads({ root: $('#downloads'), map: () => map, state: () => S, lang, levelAtZoom, shownVersion,
    shown: () => shown, index: () => search.index(), styleDoc: () => styleDoc, fileBase, cellLayer: H3_FILL });
}

function fileBase() {
  const onto = shownVersion() ? `-on-${shownVersion()}` : '';
  return `popmap-${S.ind}-${S.period}${onto}-${S.level === 'h3' ? 'h3' : levelAtZoom()}${S.cmp ? `-vs-${S.cmp}` : ''}`;
}

function camera() {
  const c = map.getCenter();
  return formatCamera(map.getZoom(), c.lat, c.lng);
}

// ---------- search (search.js) ----------

const search = new Search({
  get map() { return map; }, get where() { return where; }, state: () => S, set, lang,
  levels: () => levels, styleDoc: () => styleDoc, valuesURL, shownVersion,
  get within() { return S.sa === '1' ? S.area : ''; }, // sa=1: search only inside the framed unit (a code, '' = everywhere)
});

// The unit an embed frames (area=), its version following the period's (frame.js).
const frame = new Frame({ state: () => S, lang, meta, embed: EMBED, version: () => shownVersion() || periodEntry(S.period)?.version });

// ---------- interaction ----------

// What the unit popup (unitpopup.js) needs from here; map and where are set later.
const popupCtx = {
  get map() { return map; }, get where() { return where; }, state: () => S, meta, lang, valuesURL, shownVersion, writeURL,
  index: () => search.index(), indicatorMeta, periodEntry,
};

function wireWhere() {
  where = new Where({
    map, state: () => S, writeURL, set, loadIndex: () => search.loadIndex(), index: () => search.index(),
    levels: () => levels, levelAtZoom, shown: () => shown, styleDoc: () => styleDoc, lang, goTo: (u) => search.goTo(u),
  });
}

function wireMapEvents() {
  map.on('mousemove', (e) => {
    if (!levels.length) return;
    const layers = levels.map((l) => l.layer).filter((id) => map.getLayer(id));
    const f = map.queryRenderedFeatures(e.point, { layers })[0];
    if (hovered && (!f || f.id !== hovered.id)) {
      map.setFeatureState(hovered, { hover: false });
      hovered = null;
    }
    if (f && f.id !== undefined && !hovered) {
      hovered = { source: 'popmap', sourceLayer: f.sourceLayer, id: f.id };
      map.setFeatureState(hovered, { hover: true });
    }
    map.getCanvas().style.cursor = f ? 'pointer' : '';
  });
  map.on('click', async (e) => {
    if (S.level === 'h3') {
      const period = styleDoc.metadata['popmap:period'];
      const ages = meta.periods.find((p) => p.period === String(period).split('@')[0])?.ages === true;
      replacePopup(await openCellPopup(map, e, { lang: lang(), period, ind: S.ind, indicators: meta.indicators, ages }));
      return;
    }
    const layers = levels.map((l) => l.layer).filter((id) => map.getLayer(id));
    const f = layers.length ? map.queryRenderedFeatures(e.point, { layers })[0] : null;
    if (!f) return;
    openUnitPopup(popupCtx, { code: f.properties.code, level: f.sourceLayer, lngLat: e.lngLat });
  });
  let lastLevel = null;
  map.on('zoomend', () => {
    const l = levelAtZoom();
    if (l !== lastLevel) {
      lastLevel = l;
      showLegend();
    }
  });
  map.on('moveend', () => {
    S.at = camera();
    writeURL(false);
  });
}

// ---------- start ----------

async function boot() {
  if (!EMBED && explainFramed(S, lang())) return; // `/` in a portal's frame: the embed link instead
  // Start MapLibre's workers now, while the metadata and the style are fetched.
  maplibregl.prewarm();
  const [inds, periods, versions, h3] = await Promise.all([
    getJSON('/api/v1/map/indicators'),
    getJSON('/api/v1/periods'),
    getJSON('/api/v1/versions'),
    // Whether H3 exists is in /api/v1/versions (`h3`); only an older server is probed.
    getJSON('/api/v1/versions').then((vs) => (vs.some((v) => typeof v.h3 === 'boolean') ? null : tryJSON('/tiles/h3/latest.json'))),
  ]);
  meta.indicators = inds.indicators;
  meta.synthetic = inds.synthetic;
  meta.periods = periods;
  meta.versions = versions;
  meta.h3 = versions.some((v) => v.h3 === true) || !!h3;
  // Embeds are strict: a bad indicator, period or unit is an error over the map (frame.js).
  const frameNotes = await checkView(S, meta, lang(), EMBED);
  if (!frameNotes) return;
  if (!indicatorMeta(S.ind)) S.ind = meta.indicators[0]?.id;
  // A noisy ratio opens on its stable level and granularity (SRB: provinces by year) unless the link says otherwise.
  if (!/[?&](period|g|level)=/.test(location.search)) Object.assign(S, stableView(indicatorMeta(S.ind), meta.periods, S.g));
  // The period model: one granularity, the newest period of it by default (timeline.js).
  const model = resolvePeriods(S, periods);
  Object.assign(S, { g: model.g, period: model.period || 'latest', cmp: model.cmp });
  timeline = new Timeline({ state: () => S, entries: () => meta.periods, lang, set, unitOf: () => indicatorMeta(S.ind)?.unit, ages: () => !!indicatorMeta(S.ind)?.ages });
  wireExplain(() => meta.indicators, lang);
  showNotice([...frameNotes, ...correctView(S, meta, lang())]);
  if (S.level === 'h3' && !meta.h3) {
    S.level = 'auto';
    setStatus(t(lang(), 'h3Missing'));
  }
  initSheet(lang); // phones: the panel is a bottom sheet (sheet.js, phone.css)
  buildControls();
  wireControls();
  const doc = await getJSON(styleURL());
  // Start fetching the values while MapLibre loads its worker and the tiles.
  levels = levelsOf(doc).filter((l) => l.level !== 'h3');
  fetchColumns(doc).catch(() => {});
  const cam = S.area ? null : parseCamera(S.at); // a framed unit fits the camera (area wins over at)
  map = new maplibregl.Map({
    container: 'map',
    style: clientStyle(doc),
    ...(cam ? { center: cam.center, zoom: cam.zoom } : { bounds: NATIONAL, fitBoundsOptions: { padding: nationalPadding($('#map').clientWidth) } }),
    attributionControl: false, // added by setAttribution, in the UI language
    maxPitch: 0,
    fadeDuration: 0,
    dragRotate: false,
    locale: mapLocale(lang()), // MapLibre's own texts in the UI language (maplocale.js)
  });
  window.popmap.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  setAttribution();
  wireWhere();
  // Units chosen with the keyboard on the canvas (keynav.js); texts follow the language.
  const keys = new KeyNav({ map, lang, state: () => S, select: (c) => where.select(c), open: (u) => openUnitPopup(popupCtx, u), popup: currentPopup,
    layer: () => (S.level === 'h3' ? null : levels.find((l) => l.level === levelAtZoom())?.layer), levelOf: (c) => search.index()?.byCode.get(c)?.level });
  followLanguage(map, () => keys.render());
  table = new TableView({ button: $('#table-open'), dialog: $('#table-dialog'), lang, state: () => S, shown: () => shown, meta,
    legend: (l) => legendByLevel[l], level: () => (S.level === 'h3' ? 'h3' : levelAtZoom()), levels: () => levels, styleDoc: () => styleDoc,
    map: () => map, loadIndex: () => where.ctx.loadIndex(), openPopup: (code, level, lngLat) => openUnitPopup(popupCtx, { code, level, lngLat }) });
  map.on('error', (e) => console.warn('popmap: map error', e.error?.message || e));
  await styleLoaded();
  wireMapEvents();
  styleDoc = doc; // already applied: the first update only sets values and paint
  await update(false);
  // A comparison of periods of different lengths is refused in the UI too (contract 1).
  if (model.refused) setStatus(t(lang(), 'cmpRefused'));
  if (S.area) frame.fit(map);
  else if (!cam) await where.frameSelection();
  map.once('idle', () => {
    document.body.dataset.ready = '1';
    window.popmap.readyAt = performance.now();
  });
  window.addEventListener('popstate', () => {
    const next = parse(location.search);
    const cam2 = parseCamera(next.at);
    S = next;
    timeline.stop();
    const model = resolvePeriods(S, meta.periods);
    Object.assign(S, { g: model.g, period: model.period, cmp: model.cmp });
    update(false);
    if (cam2) map.jumpTo({ center: cam2.center, zoom: cam2.zoom });
  });
}

window.popmap = { state: () => ({ ...S }), set, embed: EMBED, updating };
boot().catch((e) => {
  setStatus(errorText(document.documentElement.lang === 'en' ? 'en' : 'vi', e));
  console.error('popmap: could not start', e);
});
