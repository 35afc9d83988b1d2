// Place names in the UI language and the optional value labels ("name" over "value").
// The server's label layers read `label` (units) and `name` (countries, archipelagos); in the
// English UI they read `label_en` / `name_en` where a feature has one. Value labels cannot come
// from the label layers themselves (text-field cannot read feature state), so they are a GeoJSON
// source built from the label points in view joined to the values the map already holds.
import { num } from './i18n.js';

/** The id of the value labels' layer (and source). */
export const VALUE_LABEL = 'value-label';

const ENGLISH = { label: 'label_en', name: 'name_en' };

/**
 * The text-field expression `expr` of a server label layer for `lang`: in English every
 * ['get', 'label'] / ['get', 'name'] becomes coalesce(the English property, the Vietnamese one).
 */
export function localiseTextField(expr, lang) {
  if (lang !== 'en' || expr === undefined) return expr;
  if (typeof expr === 'string') {
    const m = /^\{(label|name)\}$/.exec(expr);
    return m ? ['coalesce', ['get', ENGLISH[m[1]]], ['get', m[1]]] : expr;
  }
  if (!Array.isArray(expr)) return expr;
  if (expr[0] === 'get' && expr.length === 2 && ENGLISH[expr[1]]) return ['coalesce', ['get', ENGLISH[expr[1]]], expr];
  // Already localised by the server: leave a coalesce that names the English property as it is.
  if (expr[0] === 'coalesce' && expr.some((e) => Array.isArray(e) && e[0] === 'get' && Object.values(ENGLISH).includes(e[1]))) return expr;
  return expr.map((e) => localiseTextField(e, lang));
}

/** The symbol layers of a server style `doc` whose text-field is localised. */
function textLayers(doc) {
  return doc.layers.filter((l) => l.type === 'symbol' && l.layout?.['text-field'] !== undefined);
}

/** Localises the label layers of a style document in place (the web map's copy). */
export function localiseStyle(doc, lang) {
  for (const l of textLayers(doc)) l.layout['text-field'] = localiseTextField(l.layout['text-field'], lang);
  return doc;
}

/** Sets the label layers of `map` to `lang`, from the server's (Vietnamese) style `doc`. */
export function applyLanguage(map, doc, lang) {
  for (const l of textLayers(doc)) {
    if (map.getLayer(l.id)) map.setLayoutProperty(l.id, 'text-field', localiseTextField(l.layout['text-field'], lang));
  }
}

/**
 * The value labels of `level` as GeoJSON: one point per unit among `features` (label points
 * from querySourceFeatures, duplicated across tiles) inside `bounds` ([w, s, e, n]), with text
 * "label\nvalue" where `shown` ({index: Map code → i, column}) has a value for it.
 */
export function valueLabels(features, shown, lang, bounds) {
  const out = [];
  const seen = new Set();
  for (const f of features) {
    const code = f.properties?.code;
    if (!code || seen.has(code) || f.geometry?.type !== 'Point') continue;
    const [lon, lat] = f.geometry.coordinates;
    if (bounds && (lon < bounds[0] || lon > bounds[2] || lat < bounds[1] || lat > bounds[3])) continue;
    seen.add(code);
    const i = shown?.index.get(code);
    const v = i === undefined ? null : shown.column[i];
    if (!Number.isFinite(v)) continue;
    const name = f.properties.label || f.properties.name || code;
    out.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [lon, lat] },
      properties: { code, rank: f.properties.rank ?? 0, text: `${name}\n${num(lang, v, 1)}` },
    });
  }
  return { type: 'FeatureCollection', features: out };
}

/**
 * The value labels on a map: a checkbox turns them on; while on, the source is rebuilt when the
 * map settles and the level's own name labels are hidden (the value labels carry the name).
 */
export class ValueLabels {
  /** `ctx()` gives {level, shown, lang} of the moment. */
  constructor(map, ctx) {
    this.map = map;
    this.ctx = ctx;
    this.on = false;
    this.key = '';
    map.on('idle', () => this.refresh());
  }

  /** Whether the style can draw text (it names a glyph server). */
  possible() {
    return !!this.map.getStyle()?.glyphs;
  }

  /** Turns the labels on or off and draws them now. */
  set(on) {
    this.on = on;
    this.key = '';
    this.install();
    this.refresh();
  }

  /** (Re)adds the source and layer after a style change; hides or shows the name labels. */
  install() {
    const map = this.map;
    const { level } = this.ctx();
    this.level = level;
    for (const l of map.getStyle().layers) {
      if (l.type === 'symbol' && l['source-layer']?.endsWith('_label') && l.source === 'popmap') {
        const hide = this.on && l['source-layer'] === `${level}_label`;
        map.setLayoutProperty(l.id, 'visibility', hide ? 'none' : 'visible');
      }
    }
    if (!this.on || !this.possible()) {
      if (map.getLayer(VALUE_LABEL)) map.removeLayer(VALUE_LABEL);
      if (map.getSource(VALUE_LABEL)) map.removeSource(VALUE_LABEL);
      this.key = '';
      return;
    }
    if (!map.getSource(VALUE_LABEL)) {
      map.addSource(VALUE_LABEL, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      this.key = ''; // a new (empty) source: the next refresh fills it
    }
    if (!map.getLayer(VALUE_LABEL)) {
      // Below the archipelago labels, which must win every collision.
      const before = map.getLayer('context-archipelago-label') ? 'context-archipelago-label' : undefined;
      map.addLayer({
        id: VALUE_LABEL, type: 'symbol', source: VALUE_LABEL,
        layout: {
          'text-field': ['get', 'text'], 'text-font': ['Noto Sans Regular'], 'text-size': 12,
          'text-max-width': 9, 'symbol-sort-key': ['get', 'rank'], 'text-padding': 2,
        },
        paint: { 'text-color': '#1b1b1b', 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.6 },
      }, before);
    }
  }

  /** Rebuilds the labels from the label points in view (skipped when nothing changed). */
  refresh() {
    const map = this.map;
    if (!this.on || !map.getSource(VALUE_LABEL)) return;
    const { level, shown, lang } = this.ctx();
    if (level !== this.level) this.install();
    // Points a label's half-width inside the edges, so no label is cut by the frame.
    const { clientWidth: w, clientHeight: h } = map.getContainer();
    const sw = map.unproject([Math.min(50, w / 4), h - Math.min(24, h / 4)]);
    const ne = map.unproject([w - Math.min(50, w / 4), Math.min(24, h / 4)]);
    const features = map.querySourceFeatures('popmap', { sourceLayer: `${level}_label` });
    const data = valueLabels(features, shown, lang, [sw.lng, sw.lat, ne.lng, ne.lat]);
    const key = `${level}|${lang}|${data.features.map((f) => f.properties.text).join('|')}`;
    if (key === this.key) return;
    this.key = key;
    map.getSource(VALUE_LABEL).setData(data);
  }
}
