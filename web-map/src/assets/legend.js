// The legend: one row per class with its range and unit count, then the no-data row.
import { t, num } from './i18n.js';

/** "a – <b" for a class, "< b" and "≥ a" for open-ended ones, "a – b" for the last one. */
export function rangeLabel(lang, c, last) {
  if (c.min === null || c.min === undefined) return `< ${num(lang, c.max)}`;
  if (c.max === null || c.max === undefined) return `≥ ${num(lang, c.min)}`;
  return `${num(lang, c.min)} – ${last ? '' : '<'}${num(lang, c.max)}`;
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/**
 * Renders `legend` ({title, unit, classes:[{min,max,count,color}], no_data:{count,color},
 * normal, subtitle}) into `el`.
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
    return `<li data-class="${i}"><span class="sw" style="background:${esc(c.color)}"></span>` +
      `<span class="rg">${range}${normal}</span><span class="ct">${c.count}</span></li>`;
  });
  rows.push(`<li data-class="none"><span class="sw" style="background:${esc(legend.no_data.color)}"></span>` +
    `<span class="rg">${esc(t(lang, 'noData'))}</span><span class="ct">${legend.no_data.count}</span></li>`);
  el.innerHTML = `<div class="lg-title">${esc(legend.title)}</div>` +
    `<div class="lg-sub">${esc(legend.subtitle || '')}${legend.unit ? ` · ${esc(legend.unit)}` : ''}</div>` +
    `<ul class="lg-rows">${rows.join('')}</ul>` +
    `<div class="lg-foot">${esc(t(lang, 'units'))} →</div>`;
}

/** Classes of a change map: symmetric breaks around 0 over the absolute range of `values`. */
export function changeClasses(values) {
  const colors = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];
  const present = values.filter((v) => Number.isFinite(v));
  const m = Math.max(1e-9, ...present.map(Math.abs));
  const w = m / 3.5;
  const thresholds = [-2.5 * w, -1.5 * w, -0.5 * w, 0.5 * w, 1.5 * w, 2.5 * w].map((x) => +x.toPrecision(3));
  const counts = new Array(7).fill(0);
  for (const v of present) counts[thresholds.filter((x) => x <= v).length] += 1;
  const classes = colors.map((color, i) => ({
    min: i === 0 ? -m : thresholds[i - 1],
    max: i === 6 ? m : thresholds[i],
    count: counts[i],
    color,
  }));
  return { thresholds, classes, no_data: { count: values.length - present.length, color: '#d9d9d9' } };
}
