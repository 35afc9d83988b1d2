// The popup's population pyramid (issue 19): the 17 five-year age groups of a unit from
// /api/v1/units/{code}/pyramid (or of an H3 cell from /api/v1/h3/{period}/{cell}/pyramid), males left and females right, in people or in shares of the
// whole population; the parent's (else the national) pyramid as a dashed outline; a second
// period (the same period a year earlier) as hollow bars; a table of the same numbers for
// screen readers. The drawing is pure SVG text (unit-tested in node); `loadPyramid` fetches and
// wires the toggle in the page.
import { t, tf, num } from './i18n.js';
import { periodWords } from './layout.js';
import { getJSON, qs } from './api.js';

/** Bar colours: males, females (the legend's swatches use the same). */
export const COLOURS = { males: '#3a78b5', females: '#c8553d' };

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/** The same kind of period one year earlier: 2025-12 → 2024-12, 2025-Q4 → 2024-Q4, 2025 → 2024. */
export function yearBefore(period) {
  const m = /^(\d{4})(.*)$/.exec(String(period || '').split('@')[0]);
  return m ? `${Number(m[1]) - 1}${m[2]}` : '';
}

/** The pyramid URL of `code` (`period` empty: the newest period with age groups). */
export function pyramidURL(code, { period = '', compare = '', version = '' } = {}) {
  return `/api/v1/units/${encodeURIComponent(code)}/pyramid${qs({ period, compare, version })}`;
}

/** A group's value in `mode` ('counts' | 'shares'): `sex` 'males' | 'females'. */
function valueOf(g, sex, mode) {
  return mode === 'shares' ? g[`${sex}_share`] : g[sex];
}

/** The comparison outline of answer `p`: the parent's, else the national one; null if none. */
export function outlineOf(p) {
  return p?.outline?.parent || p?.outline?.national || null;
}

/** An outline group's value in `mode`: a share, or that share of this unit's population. */
function outlineValue(o, sex, mode, population) {
  const share = o[`${sex}_share`];
  return mode === 'shares' ? share : (share * population) / 100;
}

/** Round 1-2-5 steps: the axis end at or above `v`. */
export function axisMax(v) {
  if (!(v > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= v - 1e-9);
}

/**
 * The pyramid as SVG text: `p` an answer of the pyramid API, `mode` 'counts' or 'shares'.
 * Each bar is a `rect.m` / `rect.f` with `data-age` and `data-v` (the value drawn); the
 * compared period's bars `rect.cm` / `rect.cf` (hollow), the outline `path.outline` (dashed).
 * Youngest group at the bottom. Geometry: `w` wide, a 34 px age column in the middle.
 */
export function pyramidSVG(p, { lang = 'vi', mode = 'counts', w = 280, rh = 10 } = {}) {
  const groups = p?.groups || [];
  if (!groups.length) return '';
  const mid = 34;
  const top = 4;
  const half = (w - mid) / 2 - 2;
  const cx = w / 2;
  const n = groups.length;
  const h = top + n * rh + 16;
  const outline = outlineOf(p);
  const cmp = p.compare?.groups || null;
  const pop = p.totals?.population || 0;
  const all = [];
  for (const sex of ['males', 'females']) {
    groups.forEach((g) => all.push(valueOf(g, sex, mode)));
    (cmp || []).forEach((g) => all.push(valueOf(g, sex, mode)));
    (outline?.groups || []).forEach((g) => all.push(outlineValue(g, sex, mode, pop)));
  }
  const max = axisMax(Math.max(0, ...all.filter(Number.isFinite)));
  const len = (v) => (Number.isFinite(v) ? (Math.max(0, v) / max) * half : 0);
  const yOf = (i) => top + (n - 1 - i) * rh; // row i's top; the youngest at the bottom
  const f1 = (x) => +x.toFixed(1);
  const parts = [];
  groups.forEach((g, i) => {
    const y = yOf(i);
    for (const sex of ['males', 'females']) {
      const v = valueOf(g, sex, mode);
      const l = len(v);
      const x = sex === 'males' ? cx - mid / 2 - l : cx + mid / 2;
      parts.push(`<rect class="${sex[0]}" data-age="${esc(g.age)}" data-v="${v}" x="${f1(x)}" y="${f1(y + 0.5)}" ` +
        `width="${f1(l)}" height="${rh - 1}" fill="${COLOURS[sex]}"/>`);
    }
    parts.push(`<text x="${cx}" y="${f1(y + rh - 2)}" text-anchor="middle" font-size="8.5" fill="#333">${esc(g.age)}</text>`);
  });
  if (cmp) {
    cmp.forEach((g, i) => {
      const y = yOf(i);
      for (const sex of ['males', 'females']) {
        const l = len(valueOf(g, sex, mode));
        const x = sex === 'males' ? cx - mid / 2 - l : cx + mid / 2;
        parts.push(`<rect class="c${sex[0]}" data-age="${esc(g.age)}" x="${f1(x)}" y="${f1(y + 2)}" width="${f1(l)}" ` +
          `height="${rh - 4}" fill="none" stroke="#111" stroke-width="1"/>`);
      }
    });
  }
  if (outline?.groups?.length === n) {
    for (const sex of ['males', 'females']) {
      const sign = sex === 'males' ? -1 : 1;
      const edge = (g) => cx + sign * (mid / 2 + len(outlineValue(g, sex, mode, pop)));
      let d = '';
      outline.groups.forEach((g, i) => {
        const x = f1(edge(g));
        const y = yOf(i);
        d += `${i ? 'L' : 'M'}${x} ${f1(y + rh)}L${x} ${f1(y)}`;
      });
      parts.push(`<path class="outline" d="${d}" fill="none" stroke="#222" stroke-width="1.2" stroke-dasharray="3 2"/>`);
    }
  }
  const unit = mode === 'shares' ? ' %' : '';
  const axisY = top + n * rh + 11;
  const tick = num(lang, max, mode === 'shares' ? 1 : 0) + unit;
  parts.push(`<text x="${f1(cx - mid / 2 - half)}" y="${axisY}" font-size="9" fill="#444">${esc(tick)}</text>`);
  parts.push(`<text x="${f1(cx + mid / 2 + half)}" y="${axisY}" font-size="9" fill="#444" text-anchor="end">${esc(tick)}</text>`);
  parts.push(`<text x="${f1(cx - mid / 2)}" y="${axisY}" font-size="9" fill="#444" text-anchor="end">0</text>`);
  parts.push(`<text x="${f1(cx + mid / 2)}" y="${axisY}" font-size="9" fill="#444">0</text>`);
  return `<svg class="pyr" data-mode="${mode}" data-max="${max}" data-half="${f1(half)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" aria-hidden="true">${parts.join('')}</svg>`;
}

/** The same numbers as a table (visually hidden: for screen readers), oldest group first. */
export function pyramidTableHTML(lang, p) {
  const groups = [...(p?.groups || [])].reverse();
  const caption = tf(lang, 'pyrTable', { name: p.unit.name, period: periodWords(p.period.period, lang) });
  const rows = groups.map((g) => `<tr><th scope="row">${esc(g.age)}</th><td>${num(lang, g.males, 0)}</td><td>${num(lang, g.males_share, 2)} %</td>` +
    `<td>${num(lang, g.females, 0)}</td><td>${num(lang, g.females_share, 2)} %</td></tr>`);
  const total = `<tr><th scope="row">${esc(t(lang, 'pyrTotal'))}</th><td>${num(lang, p.totals.males, 0)}</td><td></td><td>${num(lang, p.totals.females, 0)}</td><td></td></tr>`;
  return `<table class="sr-only"><caption>${esc(caption)}</caption><thead><tr><th scope="col">${esc(t(lang, 'pyrAge'))}</th>` +
    `<th scope="col">${esc(t(lang, 'pyrMales'))}</th><th scope="col">${esc(t(lang, 'pyrMales'))} %</th>` +
    `<th scope="col">${esc(t(lang, 'pyrFemales'))}</th><th scope="col">${esc(t(lang, 'pyrFemales'))} %</th></tr></thead>` +
    `<tbody>${rows.join('')}${total}</tbody></table>`;
}

/** The pyramid block: heading with the period in words, the counts/shares toggle, the legend,
 * the drawing and its table. */
export function pyramidHTML(lang, p, mode = 'counts') {
  const outline = outlineOf(p);
  const period = periodWords(p.period.period, lang);
  const toggle = ['counts', 'shares'].map((m) =>
    `<button type="button" data-pmode="${m}" aria-pressed="${m === mode}">${esc(t(lang, m === 'counts' ? 'pyrCounts' : 'pyrShares'))}</button>`).join('');
  const sw = (c, dashed) => `<i class="sw${dashed ? ' dash' : ''}" style="${c ? `background:${c}` : ''}"></i>`;
  const legend = [
    `<span>${sw(COLOURS.males)}${esc(t(lang, 'pyrMales'))}</span>`,
    `<span>${sw(COLOURS.females)}${esc(t(lang, 'pyrFemales'))}</span>`,
    outline ? `<span>${sw('', true)}${esc(tf(lang, 'pyrOutline', { name: outline.name }))}</span>` : '',
    p.compare ? `<span><i class="sw hollow"></i>${esc(tf(lang, 'pyrCompare', { period: periodWords(p.compare.period.period, lang) }))}</span>` : '',
  ].join('');
  const label = tf(lang, 'pyrOf', { name: p.unit.name, period, males: num(lang, p.totals.males, 0), females: num(lang, p.totals.females, 0) });
  return `<div class="lbl">${esc(t(lang, 'pyramid'))} · ${esc(period)}</div>` +
    `<div class="sview pmode" role="group" aria-label="${esc(t(lang, 'pyrShow'))}">${toggle}</div>` +
    `<div class="pleg">${legend}</div>` +
    `<figure role="img" aria-label="${esc(label)}">${pyramidSVG(p, { lang, mode })}</figure>` +
    pyramidTableHTML(lang, p);
}

/** The line shown when the map's period has no age groups, with the button to show the
 * pyramid of the newest period that has them. */
export function elsewhereHTML(lang, period) {
  const words = periodWords(period, lang);
  return `<div class="lbl">${esc(t(lang, 'pyramid'))}</div><p class="lbl">${esc(t(lang, 'pyrNone'))} ` +
    `${esc(tf(lang, 'pyrElsewhere', { period: words }))}</p>` +
    `<button type="button" class="pshow" data-period="${esc(period)}">${esc(tf(lang, 'pyrShowIt', { period: words }))}</button>`;
}

/** Asks for `code`'s pyramid in `period` with the year before overlaid, then without it. */
async function fetchPyramid(code, period, version) {
  const compare = yearBefore(period);
  try {
    return await getJSON(pyramidURL(code, { period, compare, version }));
  } catch (e) {
    if (!compare || e?.status >= 500) throw e;
    return getJSON(pyramidURL(code, { period, version }));
  }
}

/**
 * Fills the popup's `.pyramid` slot of `el` for unit `code` in the map's `period` (on boundary
 * `version`): the pyramid, or (that period without age groups) one line naming the newest
 * period with them and a button that shows it. `onDrawn()` after each draw.
 */
export async function loadPyramid(el, { lang, code, period, version = '', hasAges, anyAges = true, onDrawn = () => {} }) {
  const slot = el.querySelector('.pyramid');
  if (!slot) return;
  if (!anyAges) {
    // No published period carries the age groups: nothing to draw, nothing to ask.
    slot.innerHTML = '';
    onDrawn();
    return;
  }
  const asked = String(period || '').split('@')[0];
  let p = null;
  try {
    p = asked && hasAges !== false ? await fetchPyramid(code, asked, version) : null;
  } catch {
    p = null;
  }
  if (!p) {
    let newest = null;
    try {
      newest = await getJSON(pyramidURL(code, { version }));
    } catch {
      newest = null;
    }
    if (!newest) {
      slot.innerHTML = '';
      onDrawn();
      return;
    }
    if (asked && newest.period.period !== asked) {
      slot.innerHTML = elsewhereHTML(lang, newest.period.period);
      slot.querySelector('.pshow').addEventListener('click', () =>
        loadPyramid(el, { lang, code, period: newest.period.period, version, onDrawn }));
      onDrawn();
      return;
    }
    p = await fetchPyramid(code, newest.period.period, version).catch(() => newest);
  }
  drawPyramid(slot, lang, p, onDrawn);
}

/**
 * Draws answer `p` (a unit's or an H3 cell's pyramid, `p.unit.name` naming it) into `slot` in
 * `mode`, with the counts/shares toggle wired; `onDrawn()` after each draw. `before`: HTML put
 * above the pyramid (a note).
 */
export function drawPyramid(slot, lang, p, onDrawn = () => {}, mode = 'counts', before = '') {
  slot.innerHTML = before + pyramidHTML(lang, p, mode);
  slot.dataset.period = p.period.period;
  for (const b of slot.querySelectorAll('[data-pmode]')) {
    b.addEventListener('click', () => {
      drawPyramid(slot, lang, p, onDrawn, b.dataset.pmode, before);
      slot.querySelector(`[data-pmode="${b.dataset.pmode}"]`)?.focus();
    });
  }
  onDrawn();
}

/** The pyramid URL of H3 cell `cell` in `period`. */
export function cellPyramidURL(period, cell) {
  return `/api/v1/h3/${encodeURIComponent(period)}/${encodeURIComponent(cell)}/pyramid`;
}

/**
 * Fills the cell popup's `.pyramid` slot of `el` with H3 cell `cell`'s pyramid in `period` (a
 * period with age groups): drawn like a unit's, or one line when disclosure control hides the
 * cell's groups; a cell finer than the age grid's gets its parent's, which a line says.
 */
export async function loadCellPyramid(el, { lang, period, cell, onDrawn = () => {} }) {
  const slot = el.querySelector('.pyramid');
  if (!slot) return;
  let p;
  try {
    p = await getJSON(cellPyramidURL(period, cell));
  } catch {
    slot.innerHTML = '';
    onDrawn();
    return;
  }
  if (p.suppressed) {
    slot.innerHTML = `<div class="lbl">${esc(t(lang, 'pyramid'))}</div><p class="lbl pyr-hidden">${esc(t(lang, 'pyrCellHidden'))}</p>`;
    onDrawn();
    return;
  }
  const named = { ...p, unit: { name: tf(lang, 'pyrCellName', { res: p.resolution }) } };
  const note = p.cell !== p.asked ? `<p class="lbl pyr-parent">${esc(tf(lang, 'pyrCellParent', { res: p.resolution }))}</p>` : '';
  drawPyramid(slot, lang, named, onDrawn, 'counts', note);
}
