// Downloads of the current view: PNG (map with title, legend and source line), CSV and GeoJSON
// of the units drawn in the view.
import { t } from './i18n.js';
import { rangeLabel } from './legend.js';

function download(name, blob) {
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

/** A PNG of the map with `legend` ({title, subtitle, classes, no_data}) and a source line. */
export async function exportPNG(map, lang, legend, fileBase, synthetic) {
  const shot = await grab(map);
  const ratio = window.devicePixelRatio || 1;
  const pad = 16 * ratio;
  const legendW = 230 * ratio;
  const out = document.createElement('canvas');
  out.width = shot.width + legendW + pad;
  out.height = Math.max(shot.height + 60 * ratio, (legend.classes.length + 5) * 22 * ratio);
  const g = out.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(shot, 0, 34 * ratio);
  g.fillStyle = '#111';
  g.font = `bold ${18 * ratio}px sans-serif`;
  g.fillText(`${legend.title} — ${legend.subtitle}`, pad, 24 * ratio);
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
  g.font = `${11 * ratio}px sans-serif`;
  g.fillStyle = '#444';
  const source = `${t(lang, 'source')} · ${location.origin}${synthetic ? ' · ' + t(lang, 'synthetic') : ''}`;
  g.fillText(source, pad, out.height - 10 * ratio);
  const blob = await new Promise((r) => out.toBlob(r, 'image/png'));
  download(`${fileBase}.png`, blob);
  return blob;
}

/** Units drawn in the view on `layer`, one per code, with their tile geometry. */
export function viewFeatures(map, layer) {
  const seen = new Map();
  for (const f of map.queryRenderedFeatures({ layers: [layer] })) {
    const code = f.properties.code;
    if (!seen.has(code)) seen.set(code, f);
  }
  return [...seen.values()];
}

function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV of the units in view: code, name, period, indicator value. */
export function exportCSV(map, layer, values, indicator, period, fileBase) {
  const rows = [['code', 'name', 'level', 'period', indicator]];
  for (const f of viewFeatures(map, layer)) {
    const i = values.index.get(f.properties.code);
    rows.push([f.properties.code, f.properties.name, values.level, period, i === undefined ? '' : values.column[i]]);
  }
  const text = rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  download(`${fileBase}.csv`, new Blob([text], { type: 'text/csv;charset=utf-8' }));
  return text;
}

/** GeoJSON of the units in view (geometry as drawn, clipped to the loaded tiles). */
export function exportGeoJSON(map, layer, values, indicator, period, fileBase) {
  const features = viewFeatures(map, layer).map((f) => {
    const i = values.index.get(f.properties.code);
    return {
      type: 'Feature',
      id: f.id,
      geometry: f.geometry,
      properties: { code: f.properties.code, name: f.properties.name, period, [indicator]: i === undefined ? null : values.column[i] },
    };
  });
  const text = JSON.stringify({ type: 'FeatureCollection', features });
  download(`${fileBase}.geojson`, new Blob([text], { type: 'application/geo+json' }));
  return text;
}
