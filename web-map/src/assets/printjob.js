// One print of a map view: the view comes as the web map's URL state (state.js), so the dialog
// of the web map and the /print page a portal links to make the same file. The map is the
// server's self-contained style (`join=props`: colours from the admin tiles, the same classes
// as the screen) rendered offscreen at 300 dpi with its labels, country context and archipelagos;
// the page around it is layout.js's, drawn by export.js.
import * as maplibregl from './vendor/maplibre-gl.mjs';
import { getJSON, tryJSON, qs } from './api.js';
import { correctView } from './valid.js';
import { t } from './i18n.js';
import { rangeLabel } from './legend.js';
import { fetchChange } from './change.js';
import { resolvePeriods } from './timeline.js';
import { parseCamera } from './state.js';
import { buildIndex, chain } from './units.js';
import { outlineLayers, englishName } from './selection.js';
import { localiseStyle } from './labels.js';
import { NATIONAL } from './camera.js';
import { compose, frames, insetSize, scaleBar, periodWords, dateWords, numWords, mmToPx } from './layout.js';
import { renderMap, loadFonts, makeMeasure, drawCanvas, drawPDF, maxCanvasSide, FONT_FAMILY } from './export.js';
import { addHatchLayers } from './unstable.js';
import { h3StyleURL } from './h3.js';

/** The extent of the archipelagos' inset (Hoàng Sa north, Trường Sa south). */
const INSET = [[108.6, 6.3], [117.9, 17.6]];
/** A point inside each archipelago: a print whose extent misses one gets the inset. */
const ARCHIPELAGOS = [[112.0, 16.5], [114.3, 10.0]];
/** The screen a URL's camera was seen on when the link does not say (CSS px). */
const SCREEN = { w: 960, h: 760 };

const STRINGS = {
  vi: {
    legend: 'Chú giải', unit: 'Đơn vị tính', rangeHead: 'Khoảng giá trị', countHead: 'Số đơn vị',
    north: 'B', inset: 'Quần đảo Hoàng Sa (Đà Nẵng) và Trường Sa (Khánh Hòa)', country: 'Việt Nam',
    level: (l) => `cấp ${l.toLowerCase()}`, published: 'Ngày công bố', printed: 'Ngày in',
    source: (host, from) => `Nguồn: popmap (${host}) — bản đồ dân số điện tử${from ? `; ranh giới hành chính áp dụng từ ${from}` : ''}`,
    noFonts: 'Không tải được phông chữ: chữ trong tệp PDF là ảnh, không chọn hay tìm được.',
    capped: (d) => `Bộ xử lý đồ hoạ không vẽ được bản đồ lớn như vậy ở 300 dpi: bản đồ được vẽ ở ${d} dpi.`,
  },
  en: {
    legend: 'Legend', unit: 'Unit', rangeHead: 'Range', countHead: 'Units',
    north: 'N', inset: 'Hoang Sa (Da Nang) and Truong Sa (Khanh Hoa) archipelagos', country: 'Viet Nam',
    level: (l) => `${l.toLowerCase()} level`, published: 'Published', printed: 'Printed',
    source: (host, from) => `Source: popmap (${host}) — electronic population map${from ? `; administrative boundaries from ${from}` : ''}`,
    noFonts: 'The fonts could not be loaded: the PDF\'s text is a picture, not searchable.',
    capped: (d) => `The graphics processor cannot draw a map this large at 300 dpi: the map is drawn at ${d} dpi.`,
  },
};

/** The layout's strings in `lang`. */
export const words = (lang) => STRINGS[lang === 'en' ? 'en' : 'vi'];

/** The print extent of a view: national (with the archipelagos) or the view's own box. */
export function printExtent(S, boundsParam) {
  const b = String(boundsParam || '').split(',').map(Number);
  let box = null;
  if (b.length === 4 && b.every(Number.isFinite)) box = [[b[0], b[1]], [b[2], b[3]]];
  const cam = parseCamera(S.at);
  if (!box && cam) {
    // The box the camera showed on a typical screen (Web Mercator, 512 px tiles).
    const scale = 512 * 2 ** cam.zoom;
    const y = (lat) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
    const lat = (v) => (360 / Math.PI) * Math.atan(Math.exp(v)) - 90;
    const dx = (SCREEN.w / 2 / scale) * 360;
    const dy = (SCREEN.h / 2 / scale) * 2 * Math.PI;
    const cy = y(cam.center[1]);
    box = [[cam.center[0] - dx, lat(cy - dy)], [cam.center[0] + dx, lat(cy + dy)]];
  }
  const national = !box || box[1][0] - box[0][0] >= 6 || box[1][1] - box[0][1] >= 8;
  return { national, bounds: national ? NATIONAL : box };
}

const contains = (b, [x, y]) => x >= b[0][0] && x <= b[1][0] && y >= b[0][1] && y <= b[1][1];

/** The legend rows of one classification ({classes, no_data}). */
function legendRows(lang, c) {
  const rows = c.classes.map((k, i) => ({ color: k.color, label: rangeLabel(lang, k, i === c.classes.length - 1), count: numWords(k.count, lang, 0) }));
  rows.push({ color: c.no_data.color, label: t(lang, 'noData'), count: numWords(c.no_data.count, lang, 0) });
  return rows;
}

/** The data fill layers of a style (not the country context's) and the zooms they are drawn at. */
function fillLevels(doc) {
  return doc.layers.filter((l) => l.type === 'fill' && l.source === 'popmap')
    .map((l) => ({ level: l.metadata?.['popmap:level'] || l['source-layer'], min: l.minzoom ?? 0, max: l.maxzoom, layer: l.id }));
}

/** The units of the style's boundary version (names, parents) from the values API. */
async function unitIndex(S, doc) {
  const lists = await Promise.all(fillLevels(doc).filter((l) => l.level !== 'h3')
    .map(({ level }) => tryJSON(`/api/v1/map/values${qs({ period: S.period, level, bbox: 1, version: S.bv })}`)));
  return buildIndex(doc.metadata['popmap:version'], lists.filter(Boolean));
}

/** The name of the area shown: the selected unit (and its province), the province under the
 * map's centre, or the country at national view. */
export function areaName(W, index, sel, national, centreCode, lang = 'vi') {
  const code = sel || (national ? '' : centreCode);
  const units = code ? chain(index, code) : [];
  if (!units.length) return W.country;
  const names = sel ? [units[units.length - 1], ...(units.length > 1 ? [units[0]] : [])] : [units[0]];
  return names.map((u) => (lang === 'en' ? englishName(u.name) : u.name)).join(', ');
}

/**
 * A change map (`cmp=`): the style joins by feature state, and each level's colours are the
 * change since the comparison period in symmetric classes, as the web map draws it. The other
 * period is moved onto the shown period's boundaries through the crosswalk when they differ.
 * Returns {classes: {level: legend}, prepare(map)} or throws when the two cannot be compared.
 */
async function changeMap(S, doc, levels, entryOf, lang) {
  const onto = doc.metadata['popmap:harmonised'] ? doc.metadata['popmap:version'] : '';
  const period = String(doc.metadata['popmap:period']).split('@')[0];
  const classes = {};
  const states = [];
  for (const { level } of levels.filter((l) => l.level !== 'h3')) {
    // The server's change and classes (change.js), as the web map draws them.
    const r = await fetchChange({ indicator: S.ind, period, base: S.cmp, level, version: onto, measure: S.cm })
      .catch(() => { throw new Error(t(lang, 'versionDiffers')); });
    const c = r.change;
    classes[level] = c;
    r.ids.forEach((id, i) => {
      if (id === null) return;
      const v = r.column[i];
      const k = Number.isFinite(v) ? c.thresholds.filter((x) => x <= v).length : -1;
      states.push([level, id, { v, color: k < 0 ? c.no_data.color : c.classes[k].color }]);
    });
  }
  for (const layer of doc.layers) {
    if (layer.type === 'fill' && layer.source === 'popmap') layer.paint['fill-color'] = ['to-color', ['coalesce', ['feature-state', 'color'], '#d9d9d9']];
  }
  const prepare = (map) => {
    for (const [sourceLayer, id, state] of states) map.setFeatureState({ source: 'popmap', sourceLayer, id }, state);
  };
  return { classes, prepare };
}

/**
 * The map at print resolution framed on `extent`, and the archipelagos' inset when the frame
 * misses them: {shot, insetShot, drawn (the level drawn at the print zoom)}. A frame larger
 * than the GPU can draw is drawn at a lower resolution, and `notes` say so.
 */
async function shoot(doc, levels, lock, extent, f, orient, dpi, notes, W, prepare) {
  const side = maxCanvasSide();
  const want = Math.max(mmToPx(f.map.w, dpi), mmToPx(f.map.h, dpi));
  const mapDpi = want > side ? Math.floor((dpi * side) / want) : dpi;
  if (mapDpi < dpi) notes.push(W.capped(mapDpi));
  const fills = levels.map((l) => l.layer);
  const shot = await renderMap(maplibregl, {
    style: doc, bounds: extent.bounds, widthMm: f.map.w, heightMm: f.map.h, dpi: mapDpi, padding: extent.national ? 16 : 0,
    minZoom: lock?.min, maxZoom: lock?.max !== undefined ? lock.max - 0.01 : undefined, prepare,
    inspect: (map) => {
      const c = map.project(map.getCenter());
      const hit = map.queryRenderedFeatures([c.x, c.y], { layers: fills.filter((id) => map.getLayer(id)) })[0];
      return { code: hit?.properties?.code || '' };
    },
  });
  const drawn = levels.find((l) => shot.zoom >= l.min && (l.max === undefined || shot.zoom < l.max)) || levels[0];
  const inset = !ARCHIPELAGOS.every((p) => contains(shot.bounds, p));
  const size = insetSize(f, orient);
  // The inset names the archipelagos only: mainland labels would be cut at its edge.
  const insetStyle = { ...doc, layers: doc.layers.filter((l) => l.type !== 'symbol' || /archipelago/.test(l.id)) };
  const insetShot = inset ? await renderMap(maplibregl, { style: insetStyle, bounds: INSET, widthMm: size.w, heightMm: size.h, dpi: mapDpi, prepare }) : null;
  return { shot, insetShot, drawn };
}

/** The file: the PNG of the page, or the PDF (vector text in Noto Sans over the map picture). */
async function encode(format, prims, { paper, orient, dpi }, images, preview, fonts, family, notes, W) {
  if (format === 'png') return new Promise((r) => preview.toBlob(r, 'image/png'));
  if (fonts) return drawPDF(prims, paper, orient, images, fonts);
  // Without Noto Sans the PDF's own fonts cannot write Vietnamese: the page goes in as a
  // 300 dpi picture instead (readable, printable; no text layer), and the page says so.
  notes.push(W.noFonts);
  const page = drawCanvas(prims, paper, orient, dpi, images, family);
  const { w, h } = frames(paper, orient).page;
  return drawPDF([{ type: 'image', key: 'page', x: 0, y: 0, w, h }], paper, orient, { page }, null);
}

/**
 * Makes the print of view `S` (URL state) on `paper` (a4|a3) in `orient` (portrait|landscape)
 * as `format` (png|pdf): {blob, name, preview (a canvas of the page), notes, spec, boxes}.
 */
export async function makePrint(S, { paper = 'a4', orient = 'landscape', format = 'pdf', dpi = 300, bounds: boundsParam } = {}) {
  const lang = S.lang === 'en' ? 'en' : 'vi';
  const W = words(lang);
  const [inds, periods, versions, fonts] = await Promise.all([
    getJSON('/api/v1/map/indicators'), getJSON('/api/v1/periods'), getJSON('/api/v1/versions'), loadFonts(),
  ]);
  const ind = inds.indicators.find((d) => d.id === S.ind) || inds.indicators[0];
  // The web map's period model (timeline.js): by default the newest period of the granularity.
  const model = resolvePeriods(S, periods);
  const entry = periods.find((p) => p.period === model.period) || periods[periods.length - 1];
  S = { ...S, ind: ind.id, period: entry.period };
  // No dead ends on paper either: a view the server cannot serve is corrected, and the notes say so.
  const fixed = correctView(S, { indicators: inds.indicators, periods, versions, h3: versions.some((v) => v.h3 === true) }, lang);
  const styleURL = S.level === 'h3'
    ? h3StyleURL(S.ind, S.period)
    : `/styles/${encodeURIComponent(S.ind)}.json${qs({ join: S.cmp ? 'state' : '', period: S.period, method: S.method, k: S.k, version: S.bv, breaks: S.br })}`;
  // Place names in the layout's language, as on screen.
  // Unstable values hatched on paper as on screen (unstable.js).
  const doc = addHatchLayers(localiseStyle(structuredClone(await getJSON(styleURL)), lang), S.ind);
  const levels = fillLevels(doc);
  const lock = levels.find((l) => l.level === S.level);
  const index = await unitIndex(S, doc);
  const selected = S.sel ? index.byCode.get(S.sel) : null;
  if (selected && S.level !== 'h3') {
    // The selected unit stays outlined on paper as on screen, under the labels.
    const at = doc.layers.findIndex((l) => l.type === 'symbol');
    doc.layers.splice(at < 0 ? doc.layers.length : at, 0, ...outlineLayers(selected, levels));
  }
  const change = S.cmp && S.level !== 'h3' ? await changeMap(S, doc, levels, (p) => periods.find((e) => e.period === p), lang) : null;
  const extent = printExtent(S, boundsParam);
  const f = frames(paper, orient);
  const notes = [...fixed];
  const { shot, insetShot, drawn } = await shoot(doc, levels, lock, extent, f, orient, dpi, notes, W, change?.prepare);
  const classes = change ? change.classes[drawn.level] : doc.metadata['popmap:classes'][drawn.level];
  const area = areaName(W, index, selected?.code, extent.national, shot.info?.code, lang);
  const name = lang === 'en' ? ind.name_en : ind.name_vi;
  // A change map's unit is the change's ("điểm %" for a % indicator's absolute change).
  const unit = (change && classes?.unit ? (lang === 'en' ? classes.unit_en : classes.unit) : '') || (lang === 'en' ? ind.unit_en : ind.unit);
  const version = versions.find((v) => v.id === (doc.metadata['popmap:version']));
  const today = dateWords(new Date());
  const published = entry.published_at ? `${W.published}: ${dateWords(entry.published_at)} · ` : '';
  const family = fonts ? FONT_FAMILY : 'sans-serif';
  const measure = makeMeasure(family);
  const spec = {
    paper, orient,
    title: `${name}${change ? ` — ${t(lang, 'changeFrom')} ${periodWords(S.cmp, lang)} ${t(lang, 'changeTo')} ${periodWords(S.period, lang)}` : ''}${unit ? ` (${unit})` : ''}`,
    subtitle: [area, periodWords(S.period, lang), drawn.level === 'h3' ? t(lang, 'h3') : W.level(t(lang, drawn.level))].join(' · '),
    legend: { unitLine: `${W.unit}: ${unit || '—'}`, rows: legendRows(lang, classes) },
    bar: scaleBar(shot.center.lat, shot.zoom, 35 * f.scale, lang),
    source: W.source(location.host, version?.valid_from ? dateWords(`${version.valid_from}T12:00:00Z`) : ''),
    dates: `${published}${W.printed}: ${today}`,
    synthetic: inds.synthetic ? t(lang, 'synthetic') : '',
    inset: !!insetShot,
    strings: W,
  };
  const { prims } = compose(spec, measure);
  const images = { map: shot.canvas, inset: insetShot?.canvas };
  const preview = drawCanvas(prims, paper, orient, format === 'png' ? dpi : 100, images, family);
  const blob = await encode(format, prims, { paper, orient, dpi }, images, preview, fonts, family, notes, W);
  const file = `popmap-${S.ind}-${S.period}-${paper}-${orient === 'portrait' ? 'dung' : 'ngang'}.${format}`;
  // The pictures' places on the page (mm), for checks that read one part of the page.
  const boxes = Object.fromEntries(prims.filter((p) => p.type === 'image').map(({ key, x, y, w, h }) => [key, { x, y, w, h }]));
  return { blob, name: file, preview, notes, spec, boxes };
}
