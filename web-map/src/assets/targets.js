// The targets page (/targets?t=<target id>&lang=vi|en): one of the Strategy's targets
// (/api/v1/targets), the country's standing, every province coloured by its standing on a map
// of the newest boundaries (the province fill of the indicator's own style, recoloured by
// status, the uncertain ones hatched) and the table of values, intervals and estimates. The
// targets no count measures (TFR, life expectancy) show the projection's fitted values, labelled
// as model estimates and never judged.
import * as maplibregl from './vendor/maplibre-gl.mjs';
import { getJSON, qs } from './api.js';
import { errorText, num } from './i18n.js';
import { NATIONAL, nationalPadding } from './camera.js';
import { HATCH } from './unstable.js';
import { mapLocale } from './maplocale.js';
import { localiseStyle } from './labels.js';
import {
  words, columns, row, sortedItems, statusFill, uncertainCodes, targetLine, targetShort, nowWords, modelledNote,
  valueClasses, valueFill, fixed, digits,
  STATUSES, STATUS_COLOURS,
} from './targetview.js';

const $ = (s) => document.querySelector(s);
const params = new URLSearchParams(location.search);
const state = { lang: params.get('lang') === 'en' ? 'en' : 'vi', t: params.get('t') || '' };
let map = null;
let list = null;
let meta = null;

function el(tag, attrs = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function pushURL() {
  const q = qs({ t: state.t, lang: state.lang === 'en' ? 'en' : '' });
  history.replaceState(null, '', `/targets${q}`);
}

/** The targets a map can show: those an indicator measures, and those the projection's fit
 * estimates (modelled: shown as estimates, not judged). */
function measured() {
  return list.targets.filter((t) => t.measured || t.modelled);
}

function renderChrome() {
  const W = words(state.lang);
  document.documentElement.lang = state.lang;
  document.title = `popmap — ${W.title}`;
  $('#tg-title').textContent = W.title;
  $('#tg-back').textContent = W.back;
  $('#tg-back').href = state.lang === 'en' ? '/?lang=en' : '/';
  $('#tg-lang').textContent = state.lang === 'en' ? 'Tiếng Việt' : 'English';
  $('#tg-pick-label').textContent = W.target;
  $('#tg-synthetic').textContent = W.synthetic;
  $('#tg-synthetic').hidden = !meta?.synthetic;
  $('#tg-map').setAttribute('aria-label', W.mapLabel);
  const sel = $('#tg-target');
  sel.replaceChildren(...measured().map((t) => el('option', { value: t.id }, targetShort(t, state.lang))));
  sel.value = state.t;
  $('#tg-source').textContent = `${W.source}: ${state.lang === 'en' ? list.source_en : list.source_vi}`;
  const un = list.targets.filter((t) => !t.measured && !t.modelled);
  const box = $('#tg-unmeasured');
  box.replaceChildren();
  if (un.length) {
    box.append(el('h2', {}, W.unmeasured));
    const ul = el('ul');
    for (const t of un) {
      const li = el('li');
      li.append(el('strong', {}, targetLine(t, state.lang)), document.createTextNode(' ' + (state.lang === 'en' ? t.unmeasured_en : t.unmeasured_vi)));
      ul.append(li);
    }
    box.append(ul);
  }
}

function renderLegend(report) {
  const W = words(state.lang);
  const box = $('#tg-legend');
  box.replaceChildren(el('strong', {}, W.legend));
  const counts = report?.counts || {};
  if (report?.target?.modelled) {
    // A modelled target: its values' classes (all of them model estimates, none judged).
    box.append(el('small', { class: 'tg-legnote' }, W.status.not_judged));
    const d = digits(report.target);
    for (const c of valueClasses(report.items)) {
      const it = el('div', { class: 'it', role: 'listitem' });
      const sw = el('span', { class: 'tg-swatch' });
      sw.style.backgroundColor = c.colour;
      const range = c.lo === c.hi ? fixed(state.lang, c.lo, d) : `${fixed(state.lang, c.lo, d)} – ${fixed(state.lang, c.hi, d)}`;
      it.append(sw, el('span', {}, `${range} (${num(state.lang, c.n, 0)})`));
      box.append(it);
    }
    if (!counts.no_data) return;
  }
  for (const s of STATUSES) {
    // Standings with none are listed (0) for a judged target; a modelled one lists none of them.
    const judged = !report?.target?.modelled;
    if (!judged && s === 'not_judged') continue; // said above its classes
    if (!counts[s] && (s === 'no_data' || s === 'not_judged' || !judged)) continue;
    const it = el('div', { class: 'it', role: 'listitem' });
    const sw = el('span', { class: s === 'uncertain' ? 'tg-swatch hatched' : 'tg-swatch' });
    sw.style.backgroundColor = STATUS_COLOURS[s];
    const label = el('span', {}, `${W.status[s]} (${num(state.lang, counts[s] || 0, 0)})`);
    if (W.statusNote[s]) label.append(el('small', {}, W.statusNote[s]));
    it.append(sw, label);
    box.append(it);
  }
}

function renderCountry(target, country) {
  const W = words(state.lang);
  const box = $('#tg-country');
  box.replaceChildren();
  const vn = country?.items?.[0];
  if (!vn) return;
  const r = row(vn, country, state.lang);
  box.append(el('strong', {}, `${W.country}: ${r.statusWords}`));
  const dl = el('dl');
  const cols = columns(target, state.lang);
  const pairs = [[cols[1], `${r.now} (${nowWords(country, state.lang)})`], [cols[2], r.interval], [cols[3], r.estimate], [cols[4], r.method]];
  for (const [k, v] of pairs) {
    if (v === '—') continue;
    dl.append(el('dt', {}, k), el('dd', {}, v));
  }
  box.append(dl);
}

function renderTable(target, report) {
  const W = words(state.lang);
  const head = $('#tg-table thead tr');
  const cols = columns(target, state.lang);
  head.replaceChildren(...cols.map((c) => el('th', { scope: 'col' }, c)));
  const body = $('#tg-table tbody');
  body.replaceChildren();
  const items = report ? sortedItems(report.items) : [];
  for (const it of items) {
    const r = row(it, report, state.lang);
    const tr = el('tr', { 'data-code': r.code });
    const st = el('span', { class: 'st' });
    const sw = el('span', { class: r.status === 'uncertain' ? 'tg-swatch hatched' : 'tg-swatch', 'aria-hidden': 'true' });
    sw.style.backgroundColor = STATUS_COLOURS[r.status];
    st.append(sw, document.createTextNode(r.statusWords));
    const stTd = el('td');
    stTd.append(st);
    const td = (cls, i, text) => el('td', { class: cls, 'data-label': cols[i] }, text);
    stTd.dataset.label = cols[5];
    tr.append(el('th', { scope: 'row' }, r.name), td('n', 1, r.now), td('n', 2, r.interval), td('n', 3, r.estimate), td('', 4, r.method), stTd);
    body.append(tr);
  }
  const now = report ? nowWords(report, state.lang) : '';
  const count = report?.level === 'country' ? W.country : W.units.replace('{n}', items.length);
  $('#tg-caption').textContent = report ? `${targetLine(target, state.lang)} — ${cols[1]}: ${now}; ${count}` : '';
}

/** The indicator's own style, reduced to the province fill (recoloured) and its context. */
async function provinceStyle(target, report, whole) {
  // A modelled target has no indicator of its own: any style's province layers serve.
  const style = target.indicator || 'population';
  const doc = structuredClone(await getJSON(`/styles/${encodeURIComponent(style)}.json${qs({ join: 'state' })}`));
  const keep = [];
  let maxzoom = 22;
  for (const l of doc.layers) {
    const level = /^(province|district|commune|region|country)-(fill|line|hover|label)$/.exec(l.id);
    if (level && level[1] !== 'province') continue;
    if (l.id === 'province-hover') continue;
    if (l.id === 'province-fill') {
      maxzoom = l.maxzoom ?? maxzoom;
      delete l.minzoom;
      // A national total is one standing: the whole country in its colour.
      const items = report?.items || [];
      const colour = whole ? STATUS_COLOURS[whole]
        : target.modelled ? valueFill(items, valueClasses(items)) : statusFill(items);
      l.paint = { 'fill-color': colour, 'fill-opacity': 0.92 };
      keep.push(l);
      const hatched = whole ? [] : uncertainCodes(report?.items || []);
      keep.push({
        id: 'province-uncertain', type: 'fill', source: l.source, 'source-layer': l['source-layer'],
        ...(l.maxzoom !== undefined ? { maxzoom: l.maxzoom } : {}),
        filter: ['in', ['get', 'code'], ['literal', hatched]],
        paint: { 'fill-pattern': HATCH },
      });
      continue;
    }
    if (l.id === 'province-line' || l.id === 'province-label') delete l.minzoom;
    keep.push(l);
  }
  doc.layers = keep;
  localiseStyle(doc, state.lang);
  return { doc, maxzoom };
}

async function show() {
  const W = words(state.lang);
  const target = list.targets.find((t) => t.id === state.t) || measured()[0];
  state.t = target.id;
  pushURL();
  renderChrome();
  $('#tg-status').textContent = W.loading;
  $('#tg-line').textContent = targetLine(target, state.lang);
  $('#tg-national').textContent = target.scope !== 'national' ? '' : target.levels.includes('province') ? W.national : W.wholeCountry;
  const byProvince = target.levels.includes('province');
  const [country, provinces] = await Promise.all([
    getJSON(`/api/v1/targets/${encodeURIComponent(target.id)}?level=country`),
    byProvince ? getJSON(`/api/v1/targets/${encodeURIComponent(target.id)}?level=province`) : null,
  ]);
  // A modelled target: what its values are and why they are not judged (targetview.js).
  if (target.modelled) $('#tg-national').textContent = modelledNote(country, state.lang);
  renderCountry(target, country);
  renderLegend(provinces || country);
  renderTable(target, provinces || country);
  const whole = provinces ? null : country.items[0]?.status || 'no_data';
  const { doc, maxzoom } = await provinceStyle(target, provinces, whole);
  if (!map) {
    map = new maplibregl.Map({
      container: 'tg-map', style: doc, bounds: NATIONAL, maxZoom: Math.max(5, maxzoom - 0.01),
      fitBoundsOptions: { padding: nationalPadding($('#tg-map').clientWidth) },
      maxPitch: 0, dragRotate: false, fadeDuration: 0, locale: mapLocale(state.lang),
      attributionControl: { compact: true, customAttribution: 'popmap' },
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.on('click', 'province-fill', (e) => selectRow(e.features?.[0]?.properties?.code));
    window.popmapTargets = { map };
  } else {
    map.setStyle(doc);
  }
  map.once('idle', () => {
    $('#tg-status').textContent = '';
    document.body.dataset.ready = '1';
  });
}

function selectRow(code) {
  for (const tr of document.querySelectorAll('#tg-table tbody tr')) tr.classList.toggle('sel', tr.dataset.code === code);
  document.querySelector(`#tg-table tr[data-code="${CSS.escape(code || '')}"]`)?.scrollIntoView({ block: 'nearest' });
}

async function main() {
  try {
    [list, meta] = await Promise.all([getJSON('/api/v1/targets'), getJSON('/api/v1/map/indicators')]);
    $('#tg-target').addEventListener('change', (e) => {
      state.t = e.target.value;
      document.body.dataset.ready = '';
      show().catch(fail);
    });
    $('#tg-lang').addEventListener('click', () => {
      state.lang = state.lang === 'en' ? 'vi' : 'en';
      document.body.dataset.ready = '';
      show().catch(fail);
    });
    await show();
  } catch (e) {
    fail(e);
  }
}

function fail(e) {
  const W = words(state.lang);
  $('#tg-status').textContent = `${W.failed}: ${errorText(state.lang, e)}`;
  document.body.dataset.ready = 'error';
  console.warn('popmap targets failed', e);
}

main();
