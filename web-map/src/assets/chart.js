// The popup's time-series chart: an SVG line over one granularity's periods with a y-axis in the
// UI language's number format, the boundary reorganisation marked by a labelled vertical line on
// every view, estimated points as hollow circles and a tooltip per point (period in words, value,
// "ước tính"). The drawing functions are pure (unit-tested in node); `wireTooltip` adds the
// pointer behaviour in the page.
import { t, num } from './i18n.js';
import { periodWords } from './layout.js';

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/** Round tick values covering [lo, hi]: about `n` steps of 1, 2, 2.5 or 5 × 10ᵏ. */
export function niceTicks(lo, hi, n = 3) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.01 || 1;
    return niceTicks(lo - pad, hi + pad, n);
  }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  const first = Math.floor(lo / step) * step;
  for (let v = first; v < hi + step * 0.999; v += step) out.push(+v.toPrecision(12));
  return out;
}

/**
 * The periods where the chart marks a boundary change: the answer's `boundary_changes`, the
 * points flagged `boundary_change`, the points whose boundary version differs from the previous
 * one's, and `known` (the reorganisations of the published periods, so that a harmonised line,
 * whose points all sit on one version, still shows when the boundaries changed). Only periods
 * inside the series, after its first point.
 */
export function boundaryMarks(series, known = []) {
  const points = series?.points || [];
  const set = new Set([...(series?.boundary_changes || []), ...known]);
  points.forEach((p, i) => {
    if (p.boundary_change) set.add(p.period);
    if (i && p.version && points[i - 1].version && p.version !== points[i - 1].version) set.add(p.period);
  });
  return points.filter((p, i) => i > 0 && set.has(p.period)).map((p) => p.period);
}

/** The tooltip of one point: "Tháng 6/2025: 3.066,3 người/km² (ước tính)". */
export function tooltipText(lang, p, unit = '') {
  const est = p.estimated ? ` (${t(lang, 'estimated')})` : '';
  return `${periodWords(p.period, lang)}: ${num(lang, p.value, 1)}${unit ? ` ${unit}` : ''}${est}`;
}

/**
 * An SVG line chart of `points` ([{period, value, estimated?}], one granularity, oldest first):
 * `marks` are [{period, label}] boundary changes (a dashed vertical line before that period's
 * point, labelled); the y-axis has round ticks in `lang`'s numbers; the x-axis names the first
 * and last periods in words. Empty when fewer than two points have values.
 */
export function chartSVG(points, { lang = 'vi', marks = [], w = 280, h = 128 } = {}) {
  const vals = points.map((p) => p.value).filter(Number.isFinite);
  if (vals.length < 2) return '';
  const ticks = niceTicks(Math.min(...vals), Math.max(...vals), 3);
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const labels = ticks.map((v) => num(lang, v, 1));
  const left = 6 + 5.6 * Math.max(...labels.map((s) => s.length));
  const top = 16; // room for a boundary marker's label
  const bottom = h - 16;
  const right = w - 6;
  const x = (i) => left + 4 + (i * (right - left - 8)) / Math.max(1, points.length - 1);
  const y = (v) => bottom - ((v - lo) / (hi - lo || 1)) * (bottom - top);
  const axis = ticks.map((v, k) =>
    `<line class="grid" x1="${left}" x2="${right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e3e6ea"/>` +
    `<text class="ytick" x="${left - 3}" y="${(y(v) + 3).toFixed(1)}" font-size="9" text-anchor="end" fill="#555">${esc(labels[k])}</text>`);
  let d = '';
  let pen = false;
  points.forEach((p, i) => {
    if (!Number.isFinite(p.value)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`;
    pen = true;
  });
  const lines = marks.map((m) => {
    const i = points.findIndex((p) => p.period === m.period);
    if (i <= 0) return '';
    const mx = ((x(i - 1) + x(i)) / 2).toFixed(1);
    const anchor = mx > (left + right) / 2 ? 'end' : 'start';
    const tx = anchor === 'end' ? +mx - 2 : +mx + 2;
    return `<g class="vbreak" data-period="${esc(m.period)}"><line x1="${mx}" x2="${mx}" y1="${top - 4}" y2="${bottom}" stroke="#444" stroke-dasharray="3,2"/>` +
      `<text x="${tx.toFixed(1)}" y="${top - 6}" font-size="9" text-anchor="${anchor}" fill="#333">${esc(m.label)}</text></g>`;
  });
  const dots = points.map((p, i) => (Number.isFinite(p.value)
    ? `<circle class="pt${p.estimated ? ' est' : ''}" data-i="${i}" cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="${p.estimated ? 2.4 : 1.6}" ` +
      `fill="${p.estimated ? '#fff' : '#b2182b'}" stroke="#b2182b"/>`
    : '')).join('');
  return `<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">` +
    axis.join('') + lines.join('') +
    `<path d="${d}" fill="none" stroke="#b2182b" stroke-width="1.5"/>${dots}` +
    `<text class="xfirst" x="${left}" y="${h - 3}" font-size="9" fill="#333">${esc(periodWords(points[0].period, lang))}</text>` +
    `<text class="xlast" x="${right}" y="${h - 3}" font-size="9" text-anchor="end" fill="#333">${esc(periodWords(points[points.length - 1].period, lang))}</text>` +
    `<circle class="hl" r="3.5" fill="none" stroke="#1b1b1b" visibility="hidden"/></svg>`;
}

/** The index of the circle nearest to `x` among `xs` (null when there is none). */
export function nearestIndex(xs, x) {
  let best = null;
  for (let k = 0; k < xs.length; k++) if (best === null || Math.abs(xs[k] - x) < Math.abs(xs[best] - x)) best = k;
  return best;
}

/** Shows a tooltip (`.tip` in `slot`) for the point nearest the pointer over the chart. */
export function wireTooltip(slot, points, lang, unit) {
  const svg = slot.querySelector('svg.chart');
  if (!svg) return;
  const dots = [...svg.querySelectorAll('circle.pt')];
  const xs = dots.map((c) => Number(c.getAttribute('cx')));
  const tip = document.createElement('div');
  tip.className = 'tip';
  tip.hidden = true;
  slot.append(tip);
  const hl = svg.querySelector('circle.hl');
  const show = (e) => {
    const box = svg.getBoundingClientRect();
    const sx = ((e.clientX - box.left) * svg.viewBox.baseVal.width) / box.width;
    const k = nearestIndex(xs, sx);
    if (k === null) return;
    const c = dots[k];
    tip.textContent = tooltipText(lang, points[Number(c.dataset.i)], unit);
    tip.hidden = false;
    hl.setAttribute('cx', c.getAttribute('cx'));
    hl.setAttribute('cy', c.getAttribute('cy'));
    hl.setAttribute('visibility', 'visible');
    const sb = slot.getBoundingClientRect();
    const k2 = box.width / svg.viewBox.baseVal.width;
    const px = box.left - sb.left + Number(c.getAttribute('cx')) * k2;
    const py = box.top - sb.top + Number(c.getAttribute('cy')) * k2;
    // Beside the point, below it when it is in the upper half (never over the view toggle).
    tip.style.left = `${Math.max(0, Math.min(px - 60, sb.width - tip.offsetWidth))}px`;
    tip.style.top = `${py < box.top - sb.top + box.height / 2 ? py + 10 : py - 30}px`;
  };
  svg.addEventListener('pointermove', show);
  // A tap on a phone moves no pointer: it shows the point's tooltip too.
  svg.addEventListener('pointerdown', show);
  svg.addEventListener('pointerleave', () => {
    tip.hidden = true;
    hl.setAttribute('visibility', 'hidden');
  });
}
