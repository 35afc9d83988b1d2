// The legend: one row per class with its range and unit count, then the no-data row.
import { t, tf, num } from './i18n.js';
import { periodWords } from './layout.js';
import { liveRegion } from './live.js';

/** "a – <b" for a class, "< b" and "≥ a" for open-ended ones, "a – b" for the last one. */
export function rangeLabel(lang, c, last) {
  const open = (x) => x === null || x === undefined;
  if (open(c.min) && open(c.max)) return t(lang, 'allValues');
  if (c.min === null || c.min === undefined) return `< ${num(lang, c.max)}`;
  if (c.max === null || c.max === undefined) return `≥ ${num(lang, c.min)}`;
  return `${num(lang, c.min)} – ${last ? '' : '<'}${num(lang, c.max)}`;
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/**
 * Renders `legend` ({title, unit, classes:[{min,max,count,color}], no_data:{count,color},
 * normal, subtitle, notes:[{code, text}], breaks ('timeline'|'period'), periods, neutral,
 * change}) into `el`.
 */
export function renderLegend(el, lang, legend) {
  if (!legend) {
    el.innerHTML = '';
    return;
  }
  const rows = legend.classes.map((c, i) => {
    const range = rangeLabel(lang, c, i === legend.classes.length - 1);
    const normal = legend.normal && c.min === legend.normal[0] && c.max === legend.normal[1]
      ? ` <em>(${esc(t(lang, 'normal'))})</em>` : '';
    const neutral = legend.neutral && c.min === legend.neutral[0] && c.max === legend.neutral[1]
      ? ` <em>(${esc(t(lang, 'neutralBand'))})</em>` : '';
    return `<li data-class="${i}"><span class="sw" style="background:${esc(c.color)}"></span>` +
      `<span class="rg">${range}${normal}${neutral}</span><span class="ct">${c.count}</span></li>`;
  });
  rows.push(`<li data-class="none"><span class="sw" style="background:${esc(legend.no_data.color)}"></span>` +
    `<span class="rg">${esc(t(lang, 'noData'))}</span><span class="ct">${legend.no_data.count}</span></li>`);
  el.innerHTML = `<div class="lg-title">${esc(legend.title)}</div>` +
    `<div class="lg-sub">${esc(legend.subtitle || '')}${legend.unit ? ` · ${esc(legend.unit)}` : ''}</div>` +
    `<ul class="lg-rows">${rows.join('')}</ul>` +
    `<div class="lg-foot">${esc(t(lang, 'units'))} →</div>` +
    breaksHTML(lang, legend);
  announce(el, legendSummary(lang, legend));
}

/** The legend in one short sentence for screen readers: "Chú giải: Mật độ dân số, Tháng 9/2026, Xã, 5 lớp". */
export function legendSummary(lang, legend) {
  const sub = (legend.subtitle || '').split(' · ').filter(Boolean).join(', ');
  return tf(lang, 'legendLive', { title: legend.title, sub, n: legend.classes.length }).replace(', ,', ',');
}

// The polite live region saying the legend's summary when it changes: after the changes
// settle (0.8 s) and at most every 4 s, so Play is not read frame by frame.
const live = { el: null, said: '', pending: '', timer: null, at: 0 };
const SETTLE_MS = 800;
const EVERY_MS = 4000;

function announce(legendEl, text) {
  if (!live.el || !live.el.isConnected) {
    live.el = liveRegion('legend-live');
    legendEl.after(live.el);
  }
  live.pending = text;
  if (live.timer) return;
  const wait = Math.max(SETTLE_MS, live.at + EVERY_MS - Date.now());
  live.timer = setTimeout(() => {
    live.timer = null;
    if (live.pending === live.said) return;
    live.said = live.pending;
    live.at = Date.now();
    live.el.textContent = live.said;
  }, wait);
}

/**
 * Under the classes: the server's notes on them (merged classes, a neutral band…) in the UI
 * language, the line saying one legend serves the whole timeline, and the "this period only"
 * switch (`data-breaks`; not on change maps, whose classes belong to the two periods compared).
 */
export function breaksHTML(lang, legend) {
  const notes = (legend.notes || []).filter((n) => n.text)
    .map((n) => `<li data-note="${esc(n.code)}">${esc(n.text)}</li>`);
  const list = notes.length ? `<ul class="lg-notes">${notes.join('')}</ul>` : '';
  if (legend.change || !legend.breaks) return list;
  const span = legend.breaks === 'timeline' ? timelineSpan(lang, legend.periods) : '';
  return list + (span ? `<p class="lg-span">${esc(span)}</p>` : '') +
    `<label class="lg-breaks"><input type="checkbox" data-breaks${legend.breaks === 'period' ? ' checked' : ''}> ` +
    `${esc(t(lang, 'thisPeriodOnly'))}</label>`;
}

/** "Cùng ngưỡng cho 33 kỳ, Tháng 1/2024 – Tháng 9/2026" from the periods the breaks pool. */
export function timelineSpan(lang, periods) {
  if (!periods || periods.length < 2) return '';
  const sorted = [...periods].sort();
  return `${t(lang, 'sameBreaks')} ${periods.length} ${t(lang, 'periodsWord')}, ` +
    `${periodWords(sorted[0], lang)} – ${periodWords(sorted[sorted.length - 1], lang)}`;
}
