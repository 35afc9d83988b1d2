// Where the camera goes: the national view (the mainland and both archipelagos, Hoàng Sa and
// Trường Sa) and the camera of a level switch, which stays on a province the reader is looking
// at instead of the centre of a bounding box (the centre of Vietnam's box is in Laos).
// Pure functions of plain numbers, so node --test covers them without a browser.

/** The national view: mainland Vietnam with Hoàng Sa and Trường Sa, [[w, s], [e, n]]. */
export const NATIONAL = [[102.1, 7.4], [116.6, 23.4]];

/**
 * The padding of the national view in a `width` px wide map: 10 px, and on a phone (≤ 700 px)
 * more on the east, where the centred label "Quần đảo Trường Sa (Khánh Hòa)" reaches past the
 * islands (at a phone's zoom it is wider than the sea east of them).
 */
export function nationalPadding(width) {
  return width > 700 ? 10 : { top: 10, bottom: 10, left: 8, right: Math.round(Math.min(90, width * 0.13)) };
}

/** Vietnam's territory as a box (the national view's box): a centre outside it is abroad. */
export const VIETNAM_BBOX = [102.1, 7.4, 116.6, 23.4];

/** Hà Nội, where a level switch goes when nothing else says where (a point on land). */
export const CAPITAL = { code: '01', anchor: [105.85, 21.03] };

const TILE = 512; // MapLibre's world size at zoom 0, in CSS pixels

/** Web Mercator x and y of a longitude and latitude, in [0, 1]. */
function mercator([lon, lat]) {
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

/** The zoom at which `bbox` ([w, s, e, n]) fills a `width` × `height` view with `padding` px. */
export function fitZoom(bbox, width, height, padding = 20) {
  const [x0, y1] = mercator([bbox[0], bbox[1]]);
  const [x1, y0] = mercator([bbox[2], bbox[3]]);
  const w = Math.max(1, width - 2 * padding);
  const h = Math.max(1, height - 2 * padding);
  const dx = Math.max(x1 - x0, 1e-9);
  const dy = Math.max(y1 - y0, 1e-9);
  return Math.log2(Math.min(w / (dx * TILE), h / (dy * TILE)));
}

/** Whether `[lon, lat]` lies in `bbox` ([w, s, e, n]). */
export function inBBox([lon, lat], bbox) {
  return lon >= bbox[0] && lon <= bbox[2] && lat >= bbox[1] && lat <= bbox[3];
}

/** The zooms at which a level `{min, max}` is drawn, a little inside its range. */
function zoomRange(row) {
  return [row.min + 0.01, row.max !== undefined ? row.max - 0.05 : 16];
}

/** The camera that frames `focus` ({bbox, anchor?}) at a zoom in [lo, hi]. */
function frame(focus, lo, hi, view) {
  const fit = focus.bbox ? fitZoom(focus.bbox, view.width, view.height) : lo;
  const zoom = Math.min(hi, Math.max(lo, fit));
  // When the whole unit fits, centre its box; when the level needs a closer zoom, centre the
  // unit's label point (inside the polygon; the box centre of a crescent or of a province with
  // islands can be at sea).
  const boxCentre = focus.bbox ? [(focus.bbox[0] + focus.bbox[2]) / 2, (focus.bbox[1] + focus.bbox[3]) / 2] : null;
  const center = fit >= lo && boxCentre ? boxCentre : focus.anchor || boxCentre;
  return { center, zoom };
}

/**
 * The camera for switching to level `row` ({min, max}: the zooms it is drawn at), or null when
 * the current `zoom` already draws it. `focus` is the province to stay on ({bbox, anchor}: the
 * selection's province, else the province under the map centre), `view` the map's size in px.
 * Without a focus the whole country is shown if the level is drawn at a zoom where it fits,
 * else `fallback` (the capital) — never the middle of the country's box, which is abroad.
 */
export function levelSwitchCamera({ row, zoom, view, focus = null, fallback = { anchor: CAPITAL.anchor } }) {
  if (!row) return null;
  const [lo, hi] = zoomRange(row);
  if (zoom >= row.min && (row.max === undefined || zoom < row.max)) return null;
  if (focus) return frame(focus, lo, hi, view);
  // The whole country, if the level is drawn at a zoom where it fits (at a closer zoom than
  // the fit would leave the country partly outside the view, so then the capital instead).
  const country = fitZoom(VIETNAM_BBOX, view.width, view.height);
  if (country >= lo) {
    const middle = [(VIETNAM_BBOX[0] + VIETNAM_BBOX[2]) / 2, (VIETNAM_BBOX[1] + VIETNAM_BBOX[3]) / 2];
    return { center: middle, zoom: Math.min(country, hi) };
  }
  return frame(fallback, lo, hi, view);
}
