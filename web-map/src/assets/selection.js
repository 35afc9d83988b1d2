// The selected unit: an outline over the fills (a thick dark line on a light halo) that stays
// through period and indicator changes, and a breadcrumb "Việt Nam › Tỉnh X › Xã Y" whose crumbs
// zoom to their unit. The selection is `sel=<code>` in the URL.
import { t } from './i18n.js';
import { chain } from './units.js';

/** The outline layers' ids, halo first. */
export const OUTLINE_IDS = ['selected-outline-halo', 'selected-outline', 'selected-province-halo', 'selected-province-outline'];

const HALO = { 'line-color': '#ffffff', 'line-width': 7, 'line-opacity': 0.85 };
const LINE = { 'line-color': '#111111', 'line-width': 3 };
const LAYOUT = { 'line-join': 'round', 'line-cap': 'round' };

/**
 * The outline layers of unit `sel` ({code, level}) for the style's `levels` ([{level, min,
 * max}]): on its own level's source layer at the zooms that level is drawn, and for a province
 * also on `province_outline` at the other levels' zooms (where commune fills are drawn).
 */
export function outlineLayers(sel, levels) {
  if (!sel?.code) return [];
  const own = levels.find((l) => l.level === sel.level);
  const filter = ['==', ['get', 'code'], sel.code];
  const line = (id, sourceLayer, paint, zooms) => ({
    id, type: 'line', source: 'popmap', 'source-layer': sourceLayer, filter, layout: LAYOUT, paint,
    ...(zooms.min ? { minzoom: zooms.min } : {}), ...(zooms.max !== undefined ? { maxzoom: zooms.max } : {}),
  });
  const out = [];
  if (own) {
    const z = { min: own.min, max: own.max };
    out.push(line('selected-outline-halo', sel.level, HALO, z), line('selected-outline', sel.level, LINE, z));
  }
  if (sel.level === 'province' && own?.max !== undefined) {
    const z = { min: own.max };
    out.push(line('selected-province-halo', 'province_outline', HALO, z), line('selected-province-outline', 'province_outline', LINE, z));
  }
  return out;
}

/**
 * The first symbol layer above the data fills (labels stay above the outline), or undefined.
 * Context names below the fills (neighbouring countries) do not count.
 */
function firstSymbol(map) {
  const layers = map.getStyle().layers;
  let last = -1;
  layers.forEach((l, i) => {
    if (l.type === 'fill' && l.source === 'popmap') last = i;
  });
  return layers.slice(last + 1).find((l) => l.type === 'symbol' && !OUTLINE_IDS.includes(l.id))?.id;
}

/** Draws the outline of `sel` on `map`, replacing any previous one (idempotent). */
export function applyOutline(map, levels, sel) {
  const want = map.getSource('popmap') ? outlineLayers(sel, levels) : [];
  const have = OUTLINE_IDS.filter((id) => map.getLayer(id));
  const same = want.length === have.length && want.every((l, i) => l.id === have[i] &&
    map.getLayer(l.id).sourceLayer === l['source-layer'] &&
    (map.getLayer(l.id).minzoom || 0) === (l.minzoom || 0) &&
    (map.getLayer(l.id).maxzoom ?? 24) === (l.maxzoom ?? 24) &&
    JSON.stringify(map.getFilter(l.id)) === JSON.stringify(l.filter));
  if (same) return;
  for (const id of have) map.removeLayer(id);
  const before = firstSymbol(map);
  for (const layer of want) map.addLayer(layer, before);
}

// Type words of unit names and their English forms, longest first.
const TYPES = [
  ['Thành phố', 'City'], ['Thị trấn', 'Township'], ['Thị xã', 'Town'], ['Đặc khu', 'Special Zone'],
  ['Tỉnh', 'Province'], ['Quận', 'District'], ['Huyện', 'District'], ['Phường', 'Ward'], ['Xã', 'Commune'],
];

/** The ASCII form of a Vietnamese name, capitals kept: "Đồng Nai" → "Dong Nai". */
export function ascii(s) {
  return String(s).normalize('NFD').replace(/\p{M}/gu, '').replace(/Đ/g, 'D').replace(/đ/g, 'd').normalize('NFC');
}

/** The English form of a unit's name: "Tỉnh Đồng Nai" → "Dong Nai Province". */
export function englishName(name) {
  const n = String(name).normalize('NFC').trim();
  for (const [vi, en] of TYPES) {
    if (n.startsWith(`${vi} `)) return `${ascii(n.slice(vi.length + 1))} ${en}`;
  }
  return ascii(n);
}

/**
 * The breadcrumb of unit `code` in `index`: [{code, text, level}] from the country (code '')
 * down to the unit, in `lang`; just the country when the unit is unknown.
 */
export function crumbs(index, code, lang) {
  const name = (u) => (lang === 'en' ? englishName(u.name) : u.name);
  return [{ code: '', text: t(lang, 'country'), level: 'country' },
    ...chain(index, code).map((u) => ({ code: u.code, text: name(u), level: u.level }))];
}

/**
 * The breadcrumb as a MapLibre control (top left of the map). `onPick(code)` is called with a
 * crumb's code ('' for the country), `onClear()` by the clear button.
 */
export class Breadcrumb {
  constructor(onPick, onClear) {
    this.onPick = onPick;
    this.onClear = onClear;
  }

  onAdd() {
    this.el = document.createElement('nav');
    this.el.id = 'breadcrumb';
    this.el.className = 'maplibregl-ctrl breadcrumb';
    this.el.hidden = true;
    return this.el;
  }

  onRemove() {
    this.el.remove();
  }

  /** Shows `items` (from `crumbs`), or hides the breadcrumb when there is no selection. */
  render(items, lang) {
    if (!this.el) return;
    this.el.hidden = items.length < 2;
    this.el.setAttribute('aria-label', t(lang, 'whereAmI'));
    const ol = document.createElement('ol');
    items.forEach((c, i) => {
      const li = document.createElement('li');
      if (i > 0) {
        const sep = document.createElement('span');
        sep.className = 'sep';
        sep.setAttribute('aria-hidden', 'true');
        sep.textContent = ' › ';
        li.append(sep);
      }
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = c.text;
      b.dataset.code = c.code;
      b.dataset.level = c.level;
      if (i === items.length - 1) b.setAttribute('aria-current', 'location');
      b.addEventListener('click', () => this.onPick(c.code));
      li.append(b);
      ol.append(li);
    });
    const clear = document.createElement('button');
    clear.type = 'button';
    clear.className = 'clear';
    clear.textContent = '×';
    clear.title = t(lang, 'clearSelection');
    clear.setAttribute('aria-label', t(lang, 'clearSelection'));
    clear.addEventListener('click', () => this.onClear());
    this.el.replaceChildren(ol, clear);
  }
}
