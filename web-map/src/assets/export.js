// Downloads of the current view: a quick PNG of the screen (map with title, legend and source
// line), CSV and GeoJSON of the units drawn in the view; and the print layout's drawing: a map
// rendered offscreen at print resolution, and the page's primitives (layout.js) drawn on a
// canvas (PNG) or in a PDF (jsPDF, with Noto Sans embedded so the text layer is real text).
import { t } from './i18n.js';
import { rangeLabel } from './legend.js';
import { CSS_PX_PER_MM, mmToPx, pagePixels, periodWords } from './layout.js';

/** Offers `blob` as a file named `name`. */
export function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

/** The map canvas as drawn on the next frame (no preserveDrawingBuffer needed). */
function grab(map) {
  return new Promise((resolve) => {
    map.once('render', () => {
      const c = map.getCanvas();
      const copy = document.createElement('canvas');
      copy.width = c.width;
      copy.height = c.height;
      copy.getContext('2d').drawImage(c, 0, 0);
      resolve(copy);
    });
    map.triggerRepaint();
  });
}

/** The hatch of unstable values as a legend swatch: dark "/" lines on white, 5.7 px apart. */
function hatchSwatch(g, x, y, w, h, ratio) {
  g.save();
  g.fillStyle = '#fff';
  g.fillRect(x, y, w, h);
  g.beginPath();
  g.rect(x, y, w, h);
  g.clip();
  g.strokeStyle = '#282828';
  g.lineWidth = 1.4 * ratio;
  for (let d = -h; d < w + h; d += 5.66 * ratio) {
    g.moveTo(x + d, y + h);
    g.lineTo(x + d + h, y);
  }
  g.stroke();
  g.restore();
  g.strokeStyle = '#888';
  g.strokeRect(x, y, w, h);
}

/** A PNG of the map with `legend` ({title, subtitle, classes, no_data}) and a source line. */
export async function exportPNG(map, lang, legend, fileBase, synthetic) {
  const shot = await grab(map);
  const ratio = window.devicePixelRatio || 1;
  const pad = 16 * ratio;
  const legendW = 230 * ratio;
  const out = document.createElement('canvas');
  out.width = shot.width + legendW + pad;
  out.height = Math.max(shot.height + 60 * ratio, (legend.classes.length + 7) * 22 * ratio);
  const g = out.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(shot, 0, 34 * ratio);
  g.fillStyle = '#111';
  g.font = `bold ${18 * ratio}px sans-serif`;
  // The period in words, never its revision id ("2026-09@r1" → "Tháng 9/2026").
  const sub = String(legend.subtitle || '').replace(/\b\d{4}(?:-Q[1-4]|-\d{2})?@r\d+/g, (p) => periodWords(p, lang));
  g.fillText(`${legend.title}${legend.unit ? ` (${legend.unit})` : ''} — ${sub}`, pad, 24 * ratio);
  let y = 60 * ratio;
  const x = shot.width + pad;
  g.font = `${13 * ratio}px sans-serif`;
  for (const [i, c] of [...legend.classes, { ...legend.no_data, none: true }].entries()) {
    g.fillStyle = c.color;
    g.fillRect(x, y - 12 * ratio, 18 * ratio, 14 * ratio);
    g.fillStyle = '#111';
    const last = i === legend.classes.length - 1;
    const label = c.none ? t(lang, 'noData') : rangeLabel(lang, c, last);
    g.fillText(`${label} (${c.count})`, x + 26 * ratio, y);
    y += 22 * ratio;
  }
  // The legend's small-numbers row and national value as the page shows them (unstable.js).
  const unstable = document.querySelector('#legend [data-class="unstable"] .ct')?.textContent;
  if (unstable) {
    hatchSwatch(g, x, y - 12 * ratio, 18 * ratio, 14 * ratio, ratio);
    g.fillStyle = '#111';
    g.fillText(`${t(lang, 'unstable')} (${unstable})`, x + 26 * ratio, y);
    y += 22 * ratio;
  }
  const national = document.querySelector('#legend .lg-national:not([hidden])')?.textContent;
  if (national) g.fillText(national, x, y + 4 * ratio);
  g.font = `${11 * ratio}px sans-serif`;
  g.fillStyle = '#444';
  const source = `${t(lang, 'source')} · ${location.origin}${synthetic ? ' · ' + t(lang, 'synthetic') : ''}`;
  g.fillText(source, pad, out.height - 10 * ratio);
  const blob = await new Promise((r) => out.toBlob(r, 'image/png'));
  download(`${fileBase}.png`, blob);
  return blob;
}

function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** H3 cells in view on `layer` (one per cell index), with the values the tiles carry. */
function viewCells(map, layer) {
  const seen = new Map();
  for (const f of map.queryRenderedFeatures({ layers: [layer] })) {
    const cell = f.properties.cell;
    if (cell && !seen.has(cell)) seen.set(cell, f);
  }
  return [...seen.values()];
}

/**
 * CSV of the H3 cells in view: cell, resolution, period, value, unstable and suppressed flags,
 * after a UTF-8 BOM (Excel). The grid has no file download in the API: a cell's value is the
 * same in every tile, so the tiles' values are the served ones (units use the API downloads).
 */
export function exportCellsCSV(map, layer, indicator, period, fileBase) {
  const rows = [['cell', 'resolution', 'period', indicator, `${indicator}_unstable`, 'suppressed']];
  for (const f of viewCells(map, layer)) {
    const p = f.properties;
    rows.push([p.cell, p.resolution, period, p[indicator] ?? '', p[`${indicator}_unstable`] ? 1 : 0, p.suppressed ? 1 : 0]);
  }
  const text = rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  download(`${fileBase}.csv`, new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' }));
  return text;
}

// ---------- print layout: offscreen map, fonts, canvas and PDF drawing ----------

/** The largest canvas side WebGL can render here (texture, renderbuffer and viewport limits). */
export function maxCanvasSide() {
  const gl = document.createElement('canvas').getContext('webgl2') || document.createElement('canvas').getContext('webgl');
  if (!gl) return 4096;
  const dims = gl.getParameter(gl.MAX_VIEWPORT_DIMS);
  return Math.min(gl.getParameter(gl.MAX_TEXTURE_SIZE), gl.getParameter(gl.MAX_RENDERBUFFER_SIZE), dims[0], dims[1]);
}

/**
 * Renders `style` in an offscreen MapLibre map of `widthMm` × `heightMm` at `dpi` framed on
 * `bounds` (or `camera` {center, zoom}), waits until it is idle and returns {canvas, zoom,
 * center, bounds, info} where `info` is what `inspect(map)` returned before the map went away.
 * `prepare(map)` runs when the style has loaded, before the wait.
 */
export async function renderMap(maplibregl, { style, bounds, camera, widthMm, heightMm, dpi, minZoom, maxZoom, inspect, prepare, padding = 0 }) {
  const div = document.createElement('div');
  const w = Math.round(widthMm * CSS_PX_PER_MM);
  const h = Math.round(heightMm * CSS_PX_PER_MM);
  div.style.cssText = `position:fixed;left:-${w + 100}px;top:0;width:${w}px;height:${h}px;`;
  document.body.appendChild(div);
  const side = maxCanvasSide();
  const map = new maplibregl.Map({
    container: div, style, pixelRatio: dpi / 96, preserveDrawingBuffer: true, interactive: false,
    attributionControl: false, fadeDuration: 0, maxCanvasSize: [side, side], maxPitch: 0,
    minZoom: minZoom ?? 0, maxZoom: maxZoom ?? 16,
    ...(bounds ? { bounds, fitBoundsOptions: { padding } } : { center: camera.center, zoom: camera.zoom }),
  });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('print: the map did not finish drawing in 90 s')), 90000);
      map.on('error', (e) => console.warn('popmap print: map error', e.error?.message || e));
      // `prepare(map)` (feature states of a change map) runs once the style is loaded.
      map.once('load', () => {
        prepare?.(map);
        map.once('idle', () => {
          clearTimeout(timer);
          resolve();
        });
        map.triggerRepaint();
      });
    });
    const c = map.getCanvas();
    const canvas = document.createElement('canvas');
    canvas.width = c.width;
    canvas.height = c.height;
    canvas.getContext('2d').drawImage(c, 0, 0);
    const info = inspect ? await inspect(map) : null;
    const b = map.getBounds();
    return { canvas, zoom: map.getZoom(), center: map.getCenter(), bounds: [[b.getWest(), b.getSouth()], [b.getEast(), b.getNorth()]], info };
  } finally {
    map.remove();
    div.remove();
  }
}

/** The family name the page's canvas text uses once the print fonts are loaded. */
export const FONT_FAMILY = 'PopmapNotoSans';
const FONT_FILES = { normal: '/fonts/NotoSans-Regular.ttf', bold: '/fonts/NotoSans-Bold.ttf' };

function base64(buf) {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * Noto Sans regular and bold from the server, registered for canvas text: {normal, bold} as
 * base64 for jsPDF, or null when the server does not serve them (text falls back to sans-serif).
 */
export async function loadFonts() {
  try {
    const out = {};
    for (const [style, url] of Object.entries(FONT_FILES)) {
      const r = await fetch(url);
      if (!r.ok) throw new Error(`${url}: ${r.status}`);
      const buf = await r.arrayBuffer();
      const face = new FontFace(FONT_FAMILY, buf, { weight: style === 'bold' ? '700' : '400' });
      await face.load();
      document.fonts.add(face);
      out[style] = base64(buf);
    }
    return out;
  } catch (e) {
    console.warn('popmap print: fonts unavailable', e.message || e);
    return null;
  }
}

/** measure(text, pt, bold) → width in mm, with the canvas font the PNG draws with. */
export function makeMeasure(family) {
  const g = document.createElement('canvas').getContext('2d');
  return (text, pt, bold) => {
    g.font = `${bold ? '700' : '400'} ${(pt * 96) / 72}px ${family}`;
    return g.measureText(String(text)).width / CSS_PX_PER_MM;
  };
}

/** Draws the primitives on a canvas of the page at `dpi`; `images` maps keys to canvases. */
export function drawCanvas(prims, paper, orient, dpi, images, family) {
  const size = pagePixels(paper, orient, dpi);
  const out = document.createElement('canvas');
  out.width = size.w;
  out.height = size.h;
  const g = out.getContext('2d');
  const px = (mm) => mmToPx(mm, dpi);
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, size.w, size.h);
  for (const p of prims) {
    g.globalAlpha = p.opacity ?? 1;
    if (p.type === 'image') {
      if (images[p.key]) g.drawImage(images[p.key], px(p.x), px(p.y), px(p.w), px(p.h));
    } else if (p.type === 'text') {
      g.font = `${p.bold ? '700' : '400'} ${(p.pt * dpi) / 72}px ${family}`;
      g.textAlign = p.align || 'left';
      g.fillStyle = p.color || '#111111';
      g.fillText(p.text, px(p.x), px(p.y));
    } else {
      g.beginPath();
      if (p.type === 'rect') g.rect(px(p.x), px(p.y), px(p.w), px(p.h));
      else p.points.forEach(([x, y], i) => (i ? g.lineTo(px(x), px(y)) : g.moveTo(px(x), px(y))));
      g.closePath();
      if (p.fill) {
        g.fillStyle = p.fill;
        g.fill();
      }
      if (p.stroke) {
        g.strokeStyle = p.stroke;
        g.lineWidth = px(0.25);
        g.stroke();
      }
    }
  }
  g.globalAlpha = 1;
  return out;
}

/** jsPDF's UMD build (global `window.jspdf`), loaded on first use by a classic script. */
export function loadJsPDF() {
  if (window.jspdf) return Promise.resolve(window.jspdf);
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/assets/vendor/jspdf.umd.min.js';
    s.onload = () => resolve(window.jspdf);
    s.onerror = () => reject(new Error('jsPDF could not be loaded'));
    document.head.appendChild(s);
  });
}

/** A PDF of the primitives (jsPDF in mm, Noto Sans embedded when `fonts` are given). */
export async function drawPDF(prims, paper, orient, images, fonts) {
  const { jsPDF } = await loadJsPDF();
  const pdf = new jsPDF({ orientation: orient === 'portrait' ? 'portrait' : 'landscape', unit: 'mm', format: paper, compress: true });
  const family = fonts ? 'NotoSans' : 'helvetica';
  if (fonts) {
    for (const [style, b64] of Object.entries(fonts)) {
      pdf.addFileToVFS(`NotoSans-${style}.ttf`, b64);
      pdf.addFont(`NotoSans-${style}.ttf`, 'NotoSans', style);
    }
  }
  pdf.setProperties({ title: prims.find((p) => p.type === 'text')?.text || 'popmap', creator: 'popmap' });
  const jpeg = {};
  for (const [key, c] of Object.entries(images)) if (c) jpeg[key] = c.toDataURL('image/jpeg', 0.93);
  for (const p of prims) {
    const alpha = p.opacity !== undefined && p.opacity < 1;
    if (alpha) {
      pdf.saveGraphicsState();
      pdf.setGState(new pdf.GState({ opacity: p.opacity }));
    }
    if (p.type === 'image') {
      if (jpeg[p.key]) pdf.addImage(jpeg[p.key], 'JPEG', p.x, p.y, p.w, p.h, p.key, 'NONE');
    } else if (p.type === 'text') {
      pdf.setFont(family, p.bold ? 'bold' : 'normal');
      pdf.setFontSize(p.pt);
      pdf.setTextColor(p.color || '#111111');
      pdf.text(p.text, p.x, p.y, { align: p.align || 'left' });
    } else {
      const style = p.fill && p.stroke ? 'FD' : p.fill ? 'F' : 'S';
      if (p.fill) pdf.setFillColor(p.fill);
      if (p.stroke) pdf.setDrawColor(p.stroke);
      pdf.setLineWidth(0.25);
      if (p.type === 'rect') pdf.rect(p.x, p.y, p.w, p.h, style);
      else {
        const [a, b, c] = p.points;
        pdf.triangle(a[0], a[1], b[0], b[1], c[0], c[1], style);
      }
    }
    if (alpha) pdf.restoreGraphicsState();
  }
  return pdf.output('blob');
}
