// The popup's time-series chart: an SVG line over one granularity's periods on a time axis (each
// point at its period's end date, a break where periods are missing, the years named), with a
// y-axis in the UI language's number format, the boundary reorganisation marked by a labelled vertical line on
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

const DAY = 86400000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (the series API's `start`/`end`), else NaN. */
export function dayOf(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date || ''));
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY : NaN;
}

/** The label of one point on the x axis: a year-long period (a year, a projected year) by its
 * year, a month or a quarter in words ("Quý III/2026"). */
function pointLabel(p, lang) {
  const s = dayOf(p.start);
  const e = dayOf(p.end);
  return e - s >= 364 ? String(p.end).slice(0, 4) : periodWords(p.period, lang);
}

/** The width of a label in the chart's 9 px font (an estimate: ~5.2 px a character). */
const textWidth = (s) => 5.2 * String(s).length;

/** Labels centred at `ticks[k].x`, each moved inside [lo, hi] (never off its own x), or null
 * when two would come closer than 6 px. */
function place(ticks, lo, hi) {
  const out = ticks.map((t) => {
    const half = textWidth(t.label) / 2;
    return { ...t, x: Math.min(Math.max(t.x, lo + half), hi - half) };
  });
  const ok = out.every((t, k) => {
    const half = textWidth(t.label) / 2;
    if (Math.abs(t.x - ticks[k].x) > half) return false;
    const prev = out[k - 1];
    return !prev || prev.x + textWidth(prev.label) / 2 + 6 <= t.x - half;
  });
  return ok ? out : null;
}

/**
 * Where a series' points go on a time axis from x = `left` to x = `right` (pure; the chart draws
 * it; x-axis labels may use the whole width `w`, under the y labels too): each point at its
 * period's last day (the API's `end`: a month's, a quarter's, a year's or
 * a projected year's end). `runs` are the lists of point indices a line joins: a line is broken
 * where periods are missing (a point's `start` after the day following the previous point's
 * `end`: `gaps`, with the missing days' x span), at a point without a value, and where the
 * points turn from reported to `projected`. `ticks` label the x axis in `lang`: every point in
 * words where they fit ("Quý III/2026", a year-long period as "2026"), else within one year the
 * first and last ones, else the calendar years
 * (centred in the part of the year drawn, or under a year-long period's point; every 2nd, 5th or
 * 10th year when crowded), with `bounds` the year boundaries inside the axis. Points without
 * dates (a server before `start`/`end`) are spaced evenly, with no gaps and the first and last
 * periods in words.
 */
export function timeLayout(points, { left = 0, right = 280, w = right + 6, lang = 'vi' } = {}) {
  const n = points.length;
  const ends = points.map((p) => dayOf(p.end));
  const dated = n > 0 && ends.every(Number.isFinite);
  const x0 = left + 4;
  const x1 = right - 4;
  const d0 = dated ? ends[0] : 0;
  const d1 = dated ? ends[n - 1] : Math.max(1, n - 1);
  const at = (d) => (d1 > d0 ? x0 + ((d - d0) * (x1 - x0)) / (d1 - d0) : (x0 + x1) / 2);
  const xs = dated ? ends.map(at) : points.map((_, i) => at(i));
  const gaps = [];
  const runs = [];
  let run = [];
  points.forEach((p, i) => {
    const prev = points[i - 1];
    const missing = dated && prev && dayOf(p.start) > ends[i - 1] + 1;
    if (missing) gaps.push({ after: prev.period, before: p.period, x0: at(ends[i - 1] + 1), x1: at(dayOf(p.start) - 1) });
    if (missing || !Number.isFinite(p.value) || (prev && !!prev.projected !== !!p.projected)) {
      if (run.length) runs.push(run);
      run = [];
    }
    if (Number.isFinite(p.value)) run.push(i);
  });
  if (run.length) runs.push(run);
  if (!dated) {
    const ticks = n ? [{ x: xs[0], label: periodWords(points[0].period, lang) }] : [];
    if (n > 1) ticks.push({ x: xs[n - 1], label: periodWords(points[n - 1].period, lang) });
    return { xs, runs, gaps, ticks, bounds: [] };
  }
  // Every point in words, where they fit.
  const each0 = (i) => ({ x: xs[i], label: pointLabel(points[i], lang) });
  const each = place(points.map((_, i) => each0(i)), 1, w - 1);
  if (each) return { xs, runs, gaps, ticks: each, bounds: [] };
  // Within one calendar year, the first and last periods in words.
  const y0 = Number(points[0].end.slice(0, 4));
  const y1 = Number(points[n - 1].end.slice(0, 4));
  const ends2 = n > 1 && y0 === y1 && place([each0(0), each0(n - 1)], 1, w - 1);
  if (ends2) return { xs, runs, gaps, ticks: ends2, bounds: [] };
  // Else the calendar years.
  const yearLong = points.every((p) => dayOf(p.end) - dayOf(p.start) >= 364);
  const bounds = [];
  for (let y = y0 + 1; y <= y1; y++) {
    const d = Date.UTC(y, 0, 1) / DAY;
    if (d > d0 && d <= d1) bounds.push(at(d));
  }
  const yearTick = (y) => {
    if (yearLong) return { x: at(Date.UTC(y, 11, 31) / DAY), label: String(y) };
    const a = Math.max(d0, Date.UTC(y, 0, 1) / DAY);
    const b = Math.min(d1, Date.UTC(y, 11, 31) / DAY);
    return { x: (at(a) + at(b)) / 2, label: String(y) };
  };
  for (const k of [1, 2, 5, 10, 20]) {
    const ticks = [];
    for (let y = y0; y <= y1; y++) if ((y - (yearLong ? y0 : 0)) % k === 0) ticks.push(yearTick(y));
    // A year drawn over too little of the axis for its label is left unlabelled (its bound stays).
    const shown = ticks.filter((t) => yearLong || (t.x - textWidth(t.label) / 2 >= 1 && t.x + textWidth(t.label) / 2 <= w - 1));
    const placed = place(shown, 1, w - 1);
    if (placed) return { xs, runs, gaps, ticks: placed, bounds };
  }
  return { xs, runs, gaps, ticks: [], bounds };
}

/**
 * An SVG line chart of `points` ([{period, start, end, value, estimated?, projected?}], one
 * granularity, oldest first) on a time axis (`timeLayout`): `marks` are [{period, label}]
 * (a boundary change, the start of a projection: a dashed vertical line before that period's
 * point, labelled); a missing period is a break in the line over a pale band; projected points
 * are joined by a dashed line; the y-axis has round ticks in `lang`'s numbers and the x-axis
 * names the years (or each period, where they fit). Empty when fewer than two points have values.
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
  const lay = timeLayout(points, { left, right, w, lang });
  const x = (i) => lay.xs[i];
  const y = (v) => bottom - ((v - lo) / (hi - lo || 1)) * (bottom - top);
  const f = (v) => v.toFixed(1);
  const axis = ticks.map((v, k) =>
    `<line class="grid" x1="${left}" x2="${right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#e3e6ea"/>` +
    `<text class="ytick" x="${left - 3}" y="${f(y(v) + 3)}" font-size="9" text-anchor="end" fill="#555">${esc(labels[k])}</text>`);
  const missing = t(lang, 'noData');
  const gaps = lay.gaps.map((g) =>
    `<rect class="gap" data-after="${esc(g.after)}" data-before="${esc(g.before)}" x="${f(g.x0)}" y="${top}" width="${f(Math.max(2, g.x1 - g.x0))}" ` +
    `height="${bottom - top}" fill="#eef0f3"><title>${esc(missing)}</title></rect>`);
  const xaxis = [
    ...lay.bounds.map((bx) => `<line class="xbound" x1="${f(bx)}" x2="${f(bx)}" y1="${bottom}" y2="${bottom + 4}" stroke="#888"/>`),
    ...lay.ticks.map((k) => `<text class="xtick" x="${f(k.x)}" y="${h - 3}" font-size="9" text-anchor="middle" fill="#333">${esc(k.label)}</text>`),
  ];
  const paths = lay.runs.map((r) => {
    const d = r.map((i, k) => `${k ? 'L' : 'M'}${f(x(i))},${f(y(points[i].value))}`).join('');
    const dash = points[r[0]].projected ? ' stroke-dasharray="4,2"' : '';
    return `<path class="line${points[r[0]].projected ? ' proj' : ''}" d="${d}" fill="none" stroke="#b2182b" stroke-width="1.5"${dash}/>`;
  });
  const lines = marks.map((m) => {
    const i = points.findIndex((p) => p.period === m.period);
    if (i <= 0) return '';
    const mx = f((x(i - 1) + x(i)) / 2);
    const anchor = mx > (left + right) / 2 ? 'end' : 'start';
    const tx = anchor === 'end' ? +mx - 2 : +mx + 2;
    return `<g class="vbreak" data-period="${esc(m.period)}"><line x1="${mx}" x2="${mx}" y1="${top - 4}" y2="${bottom}" stroke="#444" stroke-dasharray="3,2"/>` +
      `<text x="${f(tx)}" y="${top - 6}" font-size="9" text-anchor="${anchor}" fill="#333">${esc(m.label)}</text></g>`;
  });
  const dots = points.map((p, i) => (Number.isFinite(p.value)
    ? `<circle class="pt${p.estimated ? ' est' : ''}" data-i="${i}" cx="${f(x(i))}" cy="${f(y(p.value))}" r="${p.estimated ? 2.4 : 1.6}" ` +
      `fill="${p.estimated ? '#fff' : '#b2182b'}" stroke="#b2182b"/>`
    : '')).join('');
  return `<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">` +
    gaps.join('') + axis.join('') + xaxis.join('') + lines.join('') + paths.join('') + dots +
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
