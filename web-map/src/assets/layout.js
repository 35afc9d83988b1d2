// The print layout as pure geometry: paper sizes, the frames of a page (header, map, legend
// panel, footer), the scale bar's nice lengths, periods in words and dates, and the page as a
// list of drawing primitives in millimetres that export.js draws on a canvas (PNG) or in a
// PDF. No DOM here, so the unit tests run it in node.

import { num } from './i18n.js';

/** Paper sizes in mm, portrait (ISO 216). */
export const PAPERS = { a4: [210, 297], a3: [297, 420] };
/** CSS pixels per millimetre (96 dpi). */
export const CSS_PX_PER_MM = 96 / 25.4;
/** Earth's equatorial circumference in metres (Web Mercator). */
const EARTH = 40075016.686;

/** The page in mm for `paper` (a4|a3) and `orient` (portrait|landscape). */
export function pageSize(paper, orient) {
  const [w, h] = PAPERS[paper] || PAPERS.a4;
  return orient === 'portrait' ? { w, h } : { w: h, h: w };
}

/** Millimetres to pixels at `dpi`. */
export const mmToPx = (mm, dpi) => (mm * dpi) / 25.4;

/** The page in pixels at `dpi` (A4 landscape at 300 dpi: 3508 × 2480). */
export function pagePixels(paper, orient, dpi) {
  const { w, h } = pageSize(paper, orient);
  return { w: Math.round(mmToPx(w, dpi)), h: Math.round(mmToPx(h, dpi)) };
}

const ROMAN = ['I', 'II', 'III', 'IV'];
/** A projection variant's Vietnamese name (the server's `Variant::words_vi`). */
export const VARIANT_VI = { low: 'thấp', medium: 'trung bình', high: 'cao' };
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

/**
 * A period in words: "Tháng 9/2026", "Quý III/2026", "Năm 2026" (English: "September 2026",
 * "Q3 2026", "2026"); a projected year "Dự báo 2030 (phương án trung bình)" ("Projection 2030
 * (medium variant)"), as the server's periods API words it. A revision suffix ("@r1") is dropped: it is an internal id.
 */
export function periodWords(period, lang = 'vi') {
  const p = String(period || '').split('@')[0];
  let m = /^(\d{4})-(\d{2})$/.exec(p);
  if (m) {
    const month = Number(m[2]);
    return lang === 'en' ? `${MONTHS_EN[month - 1]} ${m[1]}` : `Tháng ${month}/${m[1]}`;
  }
  m = /^(\d{4})-Q([1-4])$/.exec(p);
  if (m) return lang === 'en' ? `Q${m[2]} ${m[1]}` : `Quý ${ROMAN[m[2] - 1]}/${m[1]}`;
  m = /^(\d{4})-(low|medium|high)$/.exec(p);
  if (m) return lang === 'en' ? `Projection ${m[1]} (${m[2]} variant)` : `Dự báo ${m[1]} (phương án ${VARIANT_VI[m[2]]})`;
  if (/^\d{4}$/.test(p)) return lang === 'en' ? p : `Năm ${p}`;
  return p;
}

/** A date as dd/mm/yyyy in Vietnam's time zone (an ISO string or a Date). */
export function dateWords(d) {
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) return '';
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric',
  }).formatToParts(date);
  const get = (t) => parts.find((x) => x.type === t).value;
  return `${get('day')}/${get('month')}/${get('year')}`;
}

/** A boundary version in words, never its id: "ranh giới từ 01/07/2025" / "boundaries from
 * 01/07/2025" (`v` is an entry of /api/v1/versions; the id alone when the date is unknown). */
export function versionWords(v, lang) {
  const date = v?.valid_from ? dateWords(v.valid_from) : '';
  if (!date) return v?.id ?? '';
  return lang === 'vi' ? `ranh giới từ ${date}` : `boundaries from ${date}`;
}

/** A number in the layout's language: 1.234,5 in Vietnamese (the web map's `num`). */
export const numWords = (v, lang = 'vi', digits = 2) => num(lang, v, digits);

/** Ground metres per CSS pixel at `lat` and `zoom` (512 px tiles, as MapLibre). */
export function metresPerPixel(lat, zoom) {
  return (EARTH * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);
}

/** The largest 1, 2 or 5 × 10ⁿ not above `max` (a scale bar's round length). */
export function niceLength(max) {
  if (!(max > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const f of [5, 2, 1]) if (f * p <= max * (1 + 1e-9)) return f * p;
  return p;
}

/**
 * The scale bar of a map drawn at `zoom` around `lat` on paper at 96 CSS px per inch: the
 * round length in metres not longer than `maxMm`, its length on paper, and its label
 * ("50 km", "500 m", "2,5 km" is never produced: lengths are 1, 2 or 5 × 10ⁿ).
 */
export function scaleBar(lat, zoom, maxMm, lang = 'vi') {
  const metresPerMm = metresPerPixel(lat, zoom) * CSS_PX_PER_MM;
  const metres = niceLength(maxMm * metresPerMm);
  const label = metres >= 1000 ? `${numWords(metres / 1000, lang)} km` : `${numWords(metres, lang)} m`;
  return { metres, mm: metres / metresPerMm, label, denominator: Math.round(metresPerMm * 1000) };
}

/**
 * The frames of a page in mm: header (title lines), map, panel (legend, inset, north arrow)
 * to the right in landscape and below the map in portrait, and footer (source, dates,
 * synthetic-data warning). A3
 * scales everything by √2 so it is the same page, larger.
 */
export function frames(paper, orient) {
  const page = pageSize(paper, orient);
  const s = Math.min(page.w, page.h) / 210;
  const m = 10 * s;
  const header = { x: m, y: m, w: page.w - 2 * m, h: 20 * s };
  const footer = { x: m, y: page.h - m - 13 * s, w: page.w - 2 * m, h: 13 * s };
  const top = header.y + header.h + 2 * s;
  const bottom = footer.y - 2 * s;
  let map;
  let panel;
  if (orient === 'portrait') {
    const ph = 64 * s;
    map = { x: m, y: top, w: page.w - 2 * m, h: bottom - top - ph - 3 * s };
    panel = { x: m, y: map.y + map.h + 3 * s, w: page.w - 2 * m, h: ph };
  } else {
    const pw = 68 * s;
    map = { x: m, y: top, w: page.w - 2 * m - pw - 4 * s, h: bottom - top };
    panel = { x: map.x + map.w + 4 * s, y: top, w: pw, h: bottom - top };
  }
  return { page, scale: s, margin: m, header, map, panel, footer };
}

/** The size in mm of the archipelagos' inset map in the panel. */
export function insetSize(f, orient) {
  const s = f.scale;
  return orient === 'portrait'
    ? { w: f.panel.w * 0.38, h: f.panel.h - 6 * s }
    : { w: f.panel.w, h: Math.min(f.panel.h * 0.5 - 8 * s, f.panel.w * 1.1) };
}

/** Whether two rectangles overlap (touching edges do not). */
export function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The text shortened with "…" to fit `maxW` mm under `measure(text, pt, bold)`. */
export function fit(text, maxW, pt, bold, measure) {
  if (measure(text, pt, bold) <= maxW) return text;
  let s = text;
  while (s.length > 1 && measure(`${s}…`, pt, bold) > maxW) s = s.slice(0, -1);
  return `${s.trimEnd()}…`;
}

/** The lines of `text` wrapped at spaces to `maxW` mm. */
export function wrap(text, maxW, pt, bold, measure) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(next, pt, bold) > maxW) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

const PT = 25.4 / 72; // mm per point

/** The legend block: title, unit, one row per class with its count. Returns its height. */
function legend(out, spec, box, s, measure) {
  const lg = spec.legend;
  let y = box.y + 4 * s;
  out.push({ type: 'text', x: box.x, y, text: fit(spec.strings.legend, box.w, 10 * s, true, measure), pt: 10 * s, bold: true });
  y += 5 * s;
  for (const line of wrap(lg.unitLine, box.w, 8 * s, false, measure).slice(0, 2)) {
    out.push({ type: 'text', x: box.x, y, text: line, pt: 8 * s });
    y += 4 * s;
  }
  // Column heads: the class range and the number of units in it.
  out.push({ type: 'text', x: box.x, y: y + 1 * s, text: spec.strings.rangeHead, pt: 7 * s, color: '#555555' });
  out.push({ type: 'text', x: box.x + box.w, y: y + 1 * s, text: spec.strings.countHead, pt: 7 * s, align: 'right', color: '#555555' });
  y += 3 * s;
  const row = Math.min(5.5 * s, (box.h - (y - box.y)) / Math.max(1, lg.rows.length));
  const sw = { w: 7 * s, h: row * 0.72 };
  const countX = box.x + box.w;
  for (const r of lg.rows) {
    out.push({ type: 'rect', x: box.x, y, w: sw.w, h: sw.h, fill: r.color, stroke: '#777777' });
    const label = fit(r.label, box.w - sw.w - 16 * s, 8 * s, false, measure);
    out.push({ type: 'text', x: box.x + sw.w + 2 * s, y: y + sw.h * 0.8, text: label, pt: 8 * s });
    out.push({ type: 'text', x: countX, y: y + sw.h * 0.8, text: r.count, pt: 8 * s, align: 'right', color: '#444444' });
    y += row;
  }
  return y + 1 * s - box.y;
}

/** The north arrow: a filled half and an outlined half of a narrow triangle, and "B" (or N). */
function northArrow(out, cx, top, s, letter) {
  const h = 11 * s;
  const w = 3.4 * s;
  out.push({ type: 'text', x: cx, y: top + 3 * s, text: letter, pt: 9 * s, bold: true, align: 'center' });
  const tip = [cx, top + 4 * s];
  const base = top + 4 * s + h;
  out.push({ type: 'poly', points: [tip, [cx - w, base], [cx, base - 3 * s]], fill: '#222222', stroke: '#222222' });
  out.push({ type: 'poly', points: [tip, [cx + w, base], [cx, base - 3 * s]], fill: '#ffffff', stroke: '#222222' });
}

/** The scale bar at (x, y) (bottom-left of the bar), on a white backing. */
function scaleBarPrims(out, bar, x, y, s) {
  const h = 1.6 * s;
  out.push({ type: 'rect', x: x - 2 * s, y: y - h - 6.5 * s, w: bar.mm + 4 * s + 12 * s, h: h + 8 * s, fill: '#ffffff', stroke: '#bbbbbb' });
  out.push({ type: 'rect', x, y: y - h, w: bar.mm / 2, h, fill: '#222222', stroke: '#222222' });
  out.push({ type: 'rect', x: x + bar.mm / 2, y: y - h, w: bar.mm / 2, h, fill: '#ffffff', stroke: '#222222' });
  out.push({ type: 'text', x, y: y - h - 1.2 * s, text: '0', pt: 8 * s, align: 'center' });
  out.push({ type: 'text', x: x + bar.mm, y: y - h - 1.2 * s, text: bar.label, pt: 8 * s, align: 'center' });
}

/**
 * The page as drawing primitives in mm. `spec`: {paper, orient, title, subtitle, legend:
 * {unitLine, rows:[{color,label,count}]}, bar (scaleBar), source, dates, synthetic, inset:
 * bool, strings: {legend, countNote, north, inset}}. `measure(text, pt, bold)` gives a text's
 * width in mm. Images are {type:'image', key:'map'|'inset'} for the caller to fill.
 */
export function compose(spec, measure) {
  const f = frames(spec.paper, spec.orient);
  const s = f.scale;
  const out = [];
  const { header, map, panel, footer } = f;
  out.push({ type: 'text', x: header.x, y: header.y + 7 * s, text: fit(spec.title, header.w, 17 * s, true, measure), pt: 17 * s, bold: true });
  out.push({ type: 'text', x: header.x, y: header.y + 15 * s, text: fit(spec.subtitle, header.w, 12 * s, false, measure), pt: 12 * s });
  out.push({ type: 'image', key: 'map', ...map });
  out.push({ type: 'rect', x: map.x, y: map.y, w: map.w, h: map.h, stroke: '#333333' });
  scaleBarPrims(out, spec.bar, map.x + 6 * s, map.y + map.h - 5 * s, s);
  // The north arrow in the map's top-right corner, on a white disc.
  out.push({ type: 'rect', x: map.x + map.w - 13 * s, y: map.y + 2 * s, w: 10 * s, h: 18 * s, fill: '#ffffff', stroke: '#bbbbbb' });
  northArrow(out, map.x + map.w - 8 * s, map.y + 3 * s, s, spec.strings.north);
  // Legend (and the archipelagos' inset) in the panel: right of the map or below it.
  const portrait = spec.orient === 'portrait';
  const legendBox = portrait ? { x: panel.x, y: panel.y, w: spec.inset ? panel.w * 0.55 : panel.w * 0.6, h: panel.h } : { ...panel, h: spec.inset ? panel.h * 0.5 : panel.h };
  const used = legend(out, spec, legendBox, s, measure);
  if (spec.inset) {
    const box = portrait
      ? { x: panel.x + panel.w * 0.62, y: panel.y + 2 * s, ...insetSize(f, spec.orient) }
      : { x: panel.x, y: panel.y + Math.max(used, panel.h * 0.5) + 2 * s, ...insetSize(f, spec.orient) };
    out.push({ type: 'image', key: 'inset', ...box });
    out.push({ type: 'rect', ...box, stroke: '#333333' });
    out.push({ type: 'text', x: box.x, y: box.y + box.h + 4 * s, text: fit(spec.strings.inset, box.w, 7 * s, false, measure), pt: 7 * s, color: '#333333' });
  }
  // Footer: the source line, the dates, then the synthetic-data warning, each on its own line.
  out.push({ type: 'rect', x: footer.x, y: footer.y - 1 * s, w: footer.w, h: 0.2 * s, fill: '#999999' });
  out.push({ type: 'text', x: footer.x, y: footer.y + 3.5 * s, text: fit(spec.source, footer.w, 8 * s, false, measure), pt: 8 * s });
  out.push({ type: 'text', x: footer.x, y: footer.y + 7.5 * s, text: fit(spec.dates, footer.w, 8 * s, false, measure), pt: 8 * s });
  if (spec.synthetic) {
    out.push({ type: 'text', x: footer.x, y: footer.y + 11.5 * s, text: fit(spec.synthetic, footer.w, 8 * s, true, measure), pt: 8 * s, bold: true, color: '#b00020' });
  }
  return { frames: f, prims: out };
}

/** The bounding box in mm of a text primitive under `measure` (for overlap checks). */
export function textBox(p, measure) {
  const w = measure(p.text, p.pt, p.bold);
  const h = p.pt * PT;
  const x = p.align === 'right' ? p.x - w : p.align === 'center' ? p.x - w / 2 : p.x;
  return { x, y: p.y - h * 0.8, w, h };
}
