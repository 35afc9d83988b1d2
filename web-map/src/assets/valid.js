// No dead ends: what the server can serve for the view, learnt from the metadata the page loads
// anyway (/api/v1/map/indicators `methods`, `k_range`, `h3`; /api/v1/versions `onto`, `h3`,
// `levels`), so the pickers offer only that and a URL asking for anything else is corrected to
// the nearest valid view before any request, with a short notice in the UI language. Embeds
// are strict instead (strictProblems): an unknown indicator, period or unit is an error.
import { t, tf } from './i18n.js';
import { periodWords, versionWords } from './layout.js';

const ALL_METHODS = ['quantile', 'equal_interval', 'jenks', 'fixed'];

/** The classification methods indicator `ind` (a map/indicators entry) can be drawn with. */
export function methodsOf(ind) {
  if (Array.isArray(ind?.methods)) return ind.methods;
  // Before the server listed them: fixed breaks only where the catalog configures some.
  return ALL_METHODS.filter((m) => m !== 'fixed' || ind?.fixed);
}

/** The allowed number of classes [min, max] of `ind`. */
export function kRange(ind) {
  const r = ind?.k_range;
  return Array.isArray(r) && r.length === 2 ? r : [2, 9];
}

/** The period entry of `period` ('' or 'latest': the newest). */
export function periodOf(meta, period) {
  return meta.periods.find((e) => e.period === period) || meta.periods[meta.periods.length - 1];
}

/** The version entry of the boundaries period `period` is published on. */
export function versionOf(meta, period) {
  const id = periodOf(meta, period)?.version;
  return meta.versions.find((v) => v.id === id);
}

/**
 * The boundary versions `period` can be drawn on: its own and those its version's periods can
 * be harmonised onto (`onto`: a crosswalk is stored). Before the server said so, the versions
 * valid after its own (crosswalks lead from old boundaries to new ones).
 */
export function boundaryChoices(meta, period) {
  const own = versionOf(meta, period);
  if (!own) return [];
  const onto = Array.isArray(own.onto)
    ? own.onto
    : meta.versions.filter((v) => v.valid_from > own.valid_from).map((v) => v.id);
  return meta.versions.filter((v) => v.id === own.id || onto.includes(v.id));
}

/** Whether the H3 level can be drawn for `period` with indicator `ind`. */
export function h3Offered(meta, period, ind) {
  if (ind && ind.h3 === false) return false;
  const v = versionOf(meta, period);
  if (v && typeof v.h3 === 'boolean') return v.h3;
  return !!meta.h3; // an older server: what the H3 TileJSON answered
}

/** The levels the level picker offers for `period` and `ind`. */
export function levelChoices(meta, period, ind) {
  const v = versionOf(meta, period);
  const admin = ['province', 'district', 'commune'].filter((l) => !v?.levels || v.levels.includes(l));
  return ['auto', ...admin, ...(h3Offered(meta, period, ind) ? ['h3'] : [])];
}

/**
 * Corrects view `s` in place to the nearest one the server serves and returns the notices (UI
 * text) saying what changed: boundaries without a crosswalk go back to the period's own, an
 * unknown method to the default, k outside k_range to the default, a level the period's
 * boundaries lack (or H3 where none exists) to automatic.
 */
export function correctView(s, meta, lang) {
  const notes = [];
  const ind = meta.indicators.find((d) => d.id === s.ind);
  if (s.bv && s.level !== 'h3') {
    const own = versionOf(meta, s.period)?.id;
    if (s.bv !== own && !boundaryChoices(meta, s.period).some((v) => v.id === s.bv)) {
      s.bv = '';
      notes.push(t(lang, 'fixedBv'));
    }
  }
  if (s.method && !methodsOf(ind).includes(s.method)) {
    s.method = '';
    notes.push(t(lang, 'fixedMethod'));
  }
  if (s.k !== '' && s.k !== undefined && s.k !== null) {
    const [min, max] = kRange(ind);
    const k = Number(s.k);
    if (!Number.isInteger(k) || k < min || k > max) {
      s.k = '';
      notes.push(tf(lang, 'fixedK', { min, max }));
    }
  }
  // An indicator made of age groups has values only in periods that carry ages (the annual
  // report's December, its quarter and year): from another period, go to the newest one that does.
  const entry = meta.periods.find((p) => p.period === String(s.period || '').split('@')[0]);
  if (ind?.ages && entry && entry.ages === false) {
    const to = meta.periods.filter((p) => p.ages && p.granularity === entry.granularity).pop()
      || meta.periods.filter((p) => p.ages).pop();
    if (to) {
      s.period = to.period;
      s.g = to.granularity;
      notes.push(tf(lang, 'fixedAges', { p: periodWords(to.period, lang) }));
    }
  }
  if (!levelChoices(meta, s.period, ind).includes(s.level)) {
    notes.push(t(lang, s.level === 'h3' ? 'h3Missing' : 'fixedLevel'));
    s.level = 'auto';
  }
  return notes;
}

/**
 * Strict mode, for embeds (a portal's frame must never show another indicator than the one
 * its editor asked for): the check of a view before any correction: the problems of `s` as
 * [{param, value, text}] in `lang`, naming the parameter, the bad value and what is available.
 * `area` (the feature fetchArea found, null when not found, undefined when not asked) is
 * checked by the caller's fetch; pass its result.
 */
export function strictProblems(s, meta, lang, area) {
  const out = [];
  if (!meta.indicators.some((d) => d.id === s.ind)) {
    const names = meta.indicators.map((d) => `${d.id} (${lang === 'en' ? d.name_en : d.name_vi})`).join(', ');
    out.push({ param: 'ind', value: s.ind, text: tf(lang, 'badInd', { value: s.ind, list: names }) });
  }
  if (s.period && s.period !== 'latest' && !meta.periods.some((e) => e.period === s.period)) {
    // One span per length of period (months, quarters, years), oldest to newest.
    const kinds = [/^\d{4}-\d{2}$/, /^\d{4}-Q[1-4]$/, /^\d{4}$/];
    const span = kinds.map((re) => meta.periods.map((e) => e.period).filter((p) => re.test(p)).sort())
      .filter((ps) => ps.length)
      .map((ps) => (ps.length === 1 ? `${periodWords(ps[0], lang)} (${ps[0]})`
        : `${periodWords(ps[0], lang)} – ${periodWords(ps[ps.length - 1], lang)} (${ps[0]} … ${ps[ps.length - 1]})`))
      .join('; ') || '—';
    out.push({ param: 'period', value: s.period, text: tf(lang, 'badPeriod', { value: s.period, list: span }) });
  }
  if (s.area && area === null) {
    const entry = meta.periods.find((e) => e.period === s.period) || meta.periods[meta.periods.length - 1];
    const v = meta.versions.find((x) => x.id === entry?.version);
    out.push({ param: 'area', value: s.area, text: tf(lang, 'badArea', { value: s.area, version: versionWords(v, lang) }) });
  }
  return out;
}

/**
 * Shows `notes` in the panel's notice line, made on first use above the controls (where a phone
 * reader, whose panel sits under the map, sees it first).
 */
export function showNotice(notes) {
  let el = document.getElementById('notice');
  if (!el) {
    const controls = document.querySelector('#panel .controls') || document.getElementById('status');
    if (!controls) return;
    el = document.createElement('p');
    el.id = 'notice';
    el.className = 'notice';
    el.setAttribute('role', 'status');
    el.style.cssText = 'margin:6px 0;padding:6px 8px;background:#fff4e5;border-left:3px solid #d97a00;font-size:13px;line-height:1.35';
    controls.before(el);
  }
  el.textContent = notes.join(' ');
  el.hidden = !notes.length;
}
