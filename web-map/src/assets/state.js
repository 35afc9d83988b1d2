// Everything that defines a view lives in the URL query, so a link reproduces the view and
// back/forward walk through the views: indicator, period, level, classification, comparison
// period, language, locks and chrome (for embeds), the camera, the popup's series view, the
// boundary version the period is drawn on, the selected unit (`sel`, its code), whether value
// labels are shown (`vl=1`), the timeline's granularity (`g`: month|quarter|year), the change
// measure (`cm`: abs|pct) and the legend's breaks (`br`: '' = one legend for the whole timeline,
// `period` = this period only), and for embeds the unit framed (`area`: a unit code on the
// boundary version of the period shown — outlined, the rest dimmed, the camera fitted) and
// whether search stays inside it (`sa=1`).

export const DEFAULTS = {
  ind: 'density',
  period: '',
  level: 'auto',
  method: '',
  k: '',
  cmp: '',
  lang: 'vi',
  at: '',
  controls: '1',
  lock: '',
  sv: 'harmonised',
  bv: '',
  sel: '',
  vl: '',
  g: 'month',
  cm: 'abs',
  br: '',
  area: '',
  sa: '',
};

const KEYS = Object.keys(DEFAULTS);

/** The view named by a query string (unknown keys ignored, missing ones defaulted). */
export function parse(search) {
  const p = new URLSearchParams(search);
  const s = { ...DEFAULTS };
  for (const k of KEYS) if (p.has(k)) s[k] = p.get(k);
  return s;
}

/** The query string of a view: only what differs from the defaults, in a stable order. */
export function format(s) {
  const p = new URLSearchParams();
  for (const k of KEYS) if (s[k] !== undefined && s[k] !== '' && s[k] !== DEFAULTS[k]) p.set(k, s[k]);
  const q = p.toString().replace(/%2C/g, ',').replace(/%2F/g, '/');
  return q ? `?${q}` : '';
}

/** The camera as `zoom/lat/lon`, rounded to what a link needs. */
export function formatCamera(zoom, lat, lon) {
  return `${zoom.toFixed(2)}/${lat.toFixed(4)}/${lon.toFixed(4)}`;
}

/** The camera of an `at` value, or null when absent or malformed. */
export function parseCamera(at) {
  const m = /^(-?[\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(at || '');
  if (!m) return null;
  const [zoom, lat, lon] = m.slice(1).map(Number);
  if (![zoom, lat, lon].every(Number.isFinite) || Math.abs(lat) > 85 || Math.abs(lon) > 180) return null;
  return { zoom, center: [lon, lat] };
}

/** Whether `what` (ind, period, level) is locked by an embed. */
export function locked(s, what) {
  return s.lock.split(',').includes(what);
}
