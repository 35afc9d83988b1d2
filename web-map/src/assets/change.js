// Change maps from the server (/api/v1/map/change): the change of an indicator between two
// periods of the same granularity, absolute (percentage points for % indicators) or relative,
// the base period moved onto the shown period's boundaries through the crosswalk when they
// differ. The server classifies the change (symmetric around 0, a neutral band that is a stated
// threshold), so the map, the legend and the print draw the same classes.
import { getJSON, qs } from './api.js';
import { t } from './i18n.js';
import { periodWords } from './layout.js';

/** The change URL of one level (`version` draws the change on another boundary version). */
export function changeURL({ indicator, period, base, level, version, measure }) {
  return `/api/v1/map/change${qs({ indicator, period, base, level, version, measure: measure === 'pct' ? 'pct' : '' })}`;
}

/**
 * The change answer of one level as the map's value column: {level, codes, ids, names?, column
 * (the change), version, harmonisedFrom, unstable {indicator: [bool]}, estimated, index, change
 * (the whole answer: classes, thresholds, neutral, notes, unit)}.
 */
export async function fetchChange(opts) {
  const r = await getJSON(changeURL(opts));
  return {
    level: r.level,
    codes: r.codes,
    ids: r.ids,
    column: r.values,
    version: r.version,
    harmonisedFrom: r.harmonised_from || null,
    unstable: { [opts.indicator]: r.unstable || [] },
    estimated: r.estimated || [],
    index: new Map(r.codes.map((c, i) => [c, i])),
    change: r,
  };
}

/**
 * The legend of a change answer: the server's classes and neutral band, the answer's unit
 * ("điểm %" for a % indicator's absolute change), and the title "<indicator> — thay đổi từ
 * <base> đến <period>" (plus the boundaries the base was moved onto, in words).
 */
export function changeLegend(lang, r, { name, ontoWords = '' }) {
  const from = periodWords(r.base, lang);
  const to = periodWords(r.period, lang);
  const moved = r.harmonised_from && ontoWords ? ` (${t(lang, 'onto')} ${ontoWords})` : '';
  const notes = (r.notes || []).map((n) => ({ code: n.code, text: lang === 'en' ? n.en : n.vi }));
  return {
    title: `${name} — ${t(lang, 'changeFrom')} ${from} ${t(lang, 'changeTo')} ${to}${moved}`,
    unit: lang === 'en' ? r.unit_en : r.unit,
    classes: r.classes,
    thresholds: r.thresholds,
    no_data: r.no_data,
    neutral: r.neutral,
    normal: null,
    notes,
    change: true,
    measure: r.measure,
  };
}
