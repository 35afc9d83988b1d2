// The table view of the map (issue 16, contract 4): every unit of the level drawn (not only
// those in view) with the same data as the colours — the value column main.js fetched from
// /api/v1/map/values (or the change from /api/v1/map/change), the legend's classes, the
// unstable and estimated flags — as a real <table> in <dialog id="table-dialog">: name,
// parent, value, colour class (swatch AND range text), rank and flags as words; sortable by
// name (Vietnamese collation), value and rank; filtered by parent. A row's name opens the
// unit's popup (unitpopup.js). The table follows the map: main.js calls `refresh()` after
// every update and level change.
import { t, tf, num } from './i18n.js';
import { rangeLabel } from './legend.js';
import { periodWords, versionWords } from './layout.js';
import { unstableOf } from './unstable.js';
import { getJSON, qs } from './api.js';
import { initSheet } from './sheet.js';

const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
/** Phones: the layout of contract 2 (the dialog gives way to the popup). */
const PHONE = '(max-width: 700px)';
/** Map width (px) a popup needs beside the dialog; with less, the dialog gives way to it. */
const POPUP_ROOM = 330;
/** Up to this many rows are all written; more (10,040 communes) are virtual: only the rows
 * around the scrolled position are in the table (a 10,040-row table took 1.6 s to lay out). */
const WINDOW = 600;
/** Rows written beyond the visible ones, on each side. */
const BUFFER = 40;

/**
 * Ranks (1 = highest) of `values`, ties sharing a rank (1, 2, 2, 4); null where no value.
 */
export function ranks(values) {
  const order = values.map((v, i) => i).filter((i) => Number.isFinite(values[i]));
  order.sort((a, b) => values[b] - values[a]);
  const out = new Array(values.length).fill(null);
  order.forEach((i, k) => {
    const prev = order[k - 1];
    out[i] = k > 0 && values[prev] === values[i] ? out[prev] : k + 1;
  });
  return out;
}

/** The class of value `v` by the legend's thresholds (the rule of main.js's applyStates):
 * {color, range} — the no-data row for a missing value. */
export function classOf(lang, legend, v) {
  if (!legend || !Number.isFinite(v)) return { color: legend?.no_data?.color || '#d9d9d9', range: t(lang, 'noData') };
  const th = legend.thresholds || [];
  let k = 0;
  while (k < th.length && th[k] <= v) k += 1;
  const c = legend.classes[k];
  if (!c) return { color: legend.no_data.color, range: t(lang, 'noData') };
  return { color: c.color, range: rangeLabel(lang, c, k === legend.classes.length - 1) };
}

/**
 * The rows of one level: [{code, name, parent (code), parentName, value, from, to, rank, cls,
 * flags}]. `r` is main.js's shown[level] (values or change answer), `names` a code → name map
 * of every unit of the version, `legend` the level's legend.
 */
export function buildRows(lang, r, { ind, legend, names, unitNames }) {
  const unstable = unstableOf(r, ind) || [];
  const estimated = r.estimated || [];
  const change = r.change || null;
  const rk = ranks(r.column);
  // One range text per class (the legend's formatter is slow when called 10,040 times).
  const memo = new Map();
  const cls = (v) => {
    let k = -1;
    if (legend && Number.isFinite(v)) {
      k = 0;
      while (k < legend.thresholds.length && legend.thresholds[k] <= v) k += 1;
    }
    if (!memo.has(k)) memo.set(k, classOf(lang, legend, v));
    return memo.get(k);
  };
  return r.codes.map((code, i) => {
    const value = r.column[i];
    const flags = [];
    if (!Number.isFinite(value)) flags.push(t(lang, 'flagNoData'));
    if (unstable[i]) flags.push(t(lang, 'flagUnstable'));
    if (estimated[i]) flags.push(t(lang, 'estimated'));
    const parent = r.parents?.[i] ?? unitNames.get(code)?.parent ?? '';
    return {
      code,
      name: r.names?.[i] ?? unitNames.get(code)?.name ?? code,
      parent,
      parentName: parent ? names(parent) : '',
      parentShort: parent ? names(parent) : '',
      value,
      from: change ? change.from[i] : undefined,
      to: change ? change.to[i] : undefined,
      rank: rk[i],
      cls: cls(value),
      flags,
    };
  });
}

/**
 * The table dialog. `ctx`: button, dialog, lang(), state() (the URL state), shown() (level →
 * values of main.js), legend(level), level() (the level drawn), levels() ([{level,min,max}]),
 * meta ({indicators, versions}), styleDoc(), loadIndex() (the unit index of units.js),
 * map(), openPopup(code, level, lngLat) (unitpopup.js's openUnitPopup).
 */
export class TableView {
  constructor(ctx) {
    this.ctx = ctx;
    this.key = '';
    this.sort = { by: 'name', dir: 'ascending' };
    this.parent = '';
    this.rows = [];
    this.job = 0;
    this.collator = new Intl.Collator('vi');
    if (!ctx.dialog) return; // a page without the table (print.html)
    ctx.button?.addEventListener('click', () => this.open());
    ctx.dialog.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation(); // where.js's Escape clears the selection: not this one
      this.close();
    });
  }

  get isOpen() {
    return !!this.ctx.dialog?.open;
  }

  /** Opens the dialog, focus on its title: beside the map on a laptop (non-modal: the map and
   * the popup stay usable), modal on a phone, where it covers the page. */
  async open() {
    const d = this.ctx.dialog;
    if (!d.open) {
      if (matchMedia(PHONE).matches) d.showModal();
      else d.show();
    }
    this.key = '';
    document.body.dataset.table = 'open';
    this.ctx.button?.setAttribute('aria-expanded', 'true');
    await this.refresh();
    d.querySelector('#table-title')?.focus();
  }

  /** Closes the dialog; `refocus` returns the focus to the button that opened it. */
  close(refocus = true) {
    const d = this.ctx.dialog;
    if (!d.open) return;
    d.close();
    this.job += 1;
    document.body.dataset.table = '';
    this.ctx.button?.setAttribute('aria-expanded', 'false');
    if (refocus) this.ctx.button?.focus();
  }

  /** Re-renders when the map shows another indicator, period, level, boundaries or comparison. */
  async refresh() {
    if (!this.isOpen) return;
    const { state, level, lang, styleDoc } = this.ctx;
    const S = state();
    const lv = level();
    const key = [S.ind, styleDoc()?.metadata['popmap:period'], lv, S.cmp, S.cm, S.bv, lang(), S.method, S.k, S.br].join('|');
    if (key === this.key) return;
    this.key = key;
    if (this.lastLevel && this.lastLevel !== lv) this.parent = '';
    this.lastLevel = lv;
    const job = ++this.job;
    const t0 = performance.now();
    const rows = await this.rowsOf(lv).catch((e) => {
      console.warn('popmap: table rows', e);
      return [];
    });
    if (job !== this.job) return;
    this.rows = rows;
    this.level = lv === 'h3' ? 'province' : lv;
    this.hasParents = rows.some((r) => r.parent);
    this.hasFlags = rows.some((r) => r.flags.length);
    this.ctx.dialog.dataset.level = this.level;
    this.rowH = 0;
    const t1 = performance.now();
    this.renderFrame();
    this.renderBody();
    this.timings = { rows_ms: t1 - t0, frame_ms: performance.now() - t1 };
  }

  /** The rows of level `lv`; at level h3 the provinces (the table lists administrative units only). */
  async rowsOf(lv) {
    const { state, lang, shown, legend } = this.ctx;
    const S = state();
    let r = shown()[lv];
    let lg = legend(lv);
    if (lv === 'h3') {
      const doc = this.ctx.styleDoc();
      const a = await getJSON(`/api/v1/map/values${qs({ period: doc.metadata['popmap:period'], level: 'province', indicators: S.ind })}`);
      r = { ...a, column: a.values[S.ind] };
      lg = null;
    }
    if (!r) return [];
    const all = shown();
    // Parent names: from the levels main.js fetched (values answers carry names), else (change
    // answers carry none) from the unit index.
    let index = null;
    if (!r.names || Object.values(all).some((x) => !x.names)) index = await this.ctx.loadIndex().catch(() => null);
    const byCode = new Map();
    for (const x of Object.values(all)) x.names?.forEach((n, i) => byCode.set(x.codes[i], n));
    const unitNames = new Map((index?.units || []).map((u) => [u.code, { name: u.name, parent: u.parentCode }]));
    const names = (code) => byCode.get(code) ?? unitNames.get(code)?.name ?? code;
    this.grandparent = (code) => {
      const x = all.district;
      const i = x?.parents ? x.index?.get(code) : undefined;
      const p = i !== undefined ? x.parents[i] : unitNames.get(code)?.parent;
      return p ? names(p) : '';
    };
    const rows = buildRows(lang(), r, { ind: S.ind, legend: lg, names, unitNames });
    // A vn-2019 commune's parent is a district: name its province too.
    if (lv === 'commune') for (const row of rows) row.parentName = [row.parentName, this.grandparent(row.parent)].filter(Boolean).join(', ');
    return rows;
  }

  /** The caption, the filter's options and the column headers of the current view. */
  renderFrame() {
    const { lang, state, meta, styleDoc } = this.ctx;
    const L = lang();
    const S = state();
    const d = this.ctx.dialog;
    const doc = styleDoc();
    const ind = meta.indicators.find((x) => x.id === S.ind);
    const unit = ind ? (L === 'vi' ? ind.unit : ind.unit_en) : '';
    const name = ind ? (L === 'vi' ? ind.name_vi : ind.name_en) : S.ind;
    const period = doc?.metadata['popmap:period'];
    const lv = this.ctx.level();
    const change = this.rows.length && this.rows[0].from !== undefined ? this.ctx.shown()[lv]?.change : null;
    const vid = doc?.metadata['popmap:version'];
    const words = versionWords(meta.versions.find((v) => v.id === vid) || { id: vid }, L);
    // Harmonised (bv=): "Quy đổi về ranh giới từ 01/07/2025", as the legend says it.
    const version = lv === 'h3' ? '' : capital(doc?.metadata['popmap:harmonised'] ? `${t(L, 'onto')} ${words}` : words);
    const what = change
      ? `${name} — ${t(L, 'changeFrom')} ${periodWords(change.base, L)} ${t(L, 'changeTo')} ${periodWords(change.period, L)}`
      : `${name}${unit ? ` (${unit})` : ''}`;
    const caption = [what, change ? '' : periodWords(period, L), t(L, this.level), version].filter(Boolean).join(' · ');
    const changeUnit = change ? (L === 'vi' ? change.unit : change.unit_en) : unit;
    const th = (key, label, sortable) => sortable
      ? `<th scope="col" data-col="${key}"><button type="button" data-sort="${key}">${esc(label)}<span class="tb-arrow" aria-hidden="true"></span></button></th>`
      : `<th scope="col" data-col="${key}">${esc(label)}</th>`;
    const heads = [
      th('name', t(L, 'tableName'), true),
      ...(this.rows.some((r) => r.parent) ? [th('parent', t(L, 'tableParent'), false)] : []),
      ...(change ? [th('from', periodWords(change.base, L), false), th('to', periodWords(change.period, L), false)] : []),
      th('value', `${t(L, change ? 'tableChange' : 'tableValue')}${changeUnit ? ` (${changeUnit})` : ''}`, true),
      ...(lv === 'h3' ? [] : [th('class', t(L, 'tableClass'), false)]),
      th('rank', t(L, 'tableRank'), true),
      ...(this.hasFlags ? [th('flags', t(L, 'tableFlags'), false)] : []),
    ];
    const note = lv === 'h3' ? `<p class="tb-note">${esc(t(L, 'tableH3'))}</p>` : '';
    d.setAttribute('aria-labelledby', 'table-title');
    d.innerHTML = `<div class="tb-head"><h2 id="table-title" tabindex="-1">${esc(t(L, 'tableOpen'))}</h2>` +
      `<button type="button" class="tb-close" aria-label="${esc(t(L, 'close'))}">×</button></div>` +
      `<div class="tb-tools">${this.hasParents ? `<label for="table-parent">${esc(t(L, 'tableFilter'))}</label> ${this.parentSelect(L)}` : ''}` +
      `<p id="table-count" class="tb-count" role="status" aria-live="polite"></p></div>${note}` +
      `<div class="tb-scroll" tabindex="-1"><table id="table-data"><caption>${esc(caption)}</caption>` +
      `<thead><tr>${heads.join('')}</tr></thead><tbody></tbody></table></div>`;
    d.querySelector('.tb-close').addEventListener('click', () => this.close());
    d.querySelector('#table-parent')?.addEventListener('change', (e) => {
      this.parent = e.target.value;
      this.renderBody();
    });
    for (const b of d.querySelectorAll('[data-sort]')) b.addEventListener('click', () => this.sortBy(b.dataset.sort));
    d.querySelector('tbody').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-code]');
      if (b) this.choose(b.dataset.code);
    });
  }

  /** The filter: every parent of the rows (districts grouped by their province), "Tất cả" first. */
  parentSelect(L) {
    const parents = new Map();
    for (const r of this.rows) if (r.parent && !parents.has(r.parent)) parents.set(r.parent, r.parentShort);
    if (!parents.has(this.parent)) this.parent = '';
    const opt = ([code, name]) => `<option value="${esc(code)}"${code === this.parent ? ' selected' : ''}>${esc(name)}</option>`;
    const list = [...parents].sort((a, b) => this.collator.compare(a[1], b[1]));
    let body;
    if (this.level === 'commune' && this.grandparent && list.some(([c]) => this.grandparent(c))) {
      const groups = new Map();
      for (const p of list) {
        const g = this.grandparent(p[0]);
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(p);
      }
      body = [...groups].sort((a, b) => this.collator.compare(a[0], b[0]))
        .map(([g, ps]) => `<optgroup label="${esc(g)}">${ps.map(opt).join('')}</optgroup>`).join('');
    } else body = list.map(opt).join('');
    return `<select id="table-parent"${list.length ? '' : ' disabled'}><option value="">${esc(t(L, 'tableAll'))}</option>${body}</select>`;
  }

  sortBy(by) {
    const dir0 = by === 'value' ? 'descending' : 'ascending';
    const dir = this.sort.by === by ? (this.sort.dir === 'ascending' ? 'descending' : 'ascending') : dir0;
    this.sort = { by, dir };
    this.renderBody();
  }

  /** The rows kept by the filter, in the chosen order (missing values last either way). */
  ordered() {
    const { by, dir } = this.sort;
    const sign = dir === 'ascending' ? 1 : -1;
    const kept = this.parent ? this.rows.filter((r) => r.parent === this.parent) : this.rows.slice();
    const byName = (a, b) => this.collator.compare(a.name, b.name) || a.code.localeCompare(b.code);
    const key = by === 'value' ? (r) => r.value : by === 'rank' ? (r) => r.rank : null;
    kept.sort((a, b) => {
      if (!key) return sign * byName(a, b);
      const x = key(a);
      const y = key(b);
      const fx = Number.isFinite(x);
      const fy = Number.isFinite(y);
      if (fx !== fy) return fx ? -1 : 1;
      return (fx && x !== y ? sign * (x - y) : 0) || byName(a, b);
    });
    return kept;
  }

  /** Writes the rows of the current order and filter: all of them up to WINDOW rows, else
   * (10,040 communes) only the rows around the scrolled position, as real <tr> between two
   * spacer rows, moved as the reader scrolls or tabs through the names (virtual rows). */
  renderBody() {
    const d = this.ctx.dialog;
    const L = this.ctx.lang();
    const tbody = d.querySelector('tbody');
    if (!tbody) return;
    for (const th of d.querySelectorAll('th[data-col]')) {
      if (th.dataset.col === this.sort.by) th.setAttribute('aria-sort', this.sort.dir);
      else if (th.querySelector('[data-sort]')) th.setAttribute('aria-sort', 'none');
    }
    const t0 = performance.now();
    this.list = this.ordered();
    const n = this.list.length;
    d.querySelector('#table-count').textContent = this.parent
      ? tf(L, 'tableCountOf', { n: num(L, n, 0), total: num(L, this.rows.length, 0) })
      : `${num(L, n, 0)} ${t(L, 'units')}`;
    d.querySelector('#table-data').setAttribute('aria-rowcount', String(n + 1));
    this.range = null;
    const scroller = d.querySelector('.tb-scroll');
    if (!scroller.dataset.wired) {
      scroller.dataset.wired = '1';
      let pending = false;
      scroller.addEventListener('scroll', () => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          this.renderWindow();
        });
      });
      // Tabbing or arrowing onto the last rows written brings the next ones in.
      tbody.addEventListener('focusin', () => this.renderWindow());
      // ↑ / ↓ move between the names, row by row.
      tbody.addEventListener('keydown', (e) => {
        if ((e.key !== 'ArrowDown' && e.key !== 'ArrowUp') || !e.target.matches('.tb-unit')) return;
        const i = Number(e.target.closest('tr').dataset.i) + (e.key === 'ArrowDown' ? 1 : -1);
        const next = tbody.querySelector(`tr[data-i="${i}"] .tb-unit`);
        if (!next) return;
        e.preventDefault();
        next.focus();
      });
    }
    this.renderWindow(true);
    d.dataset.complete = '1';
    // What the browser test reads (table.test.mjs records it in the bench file).
    if (window.popmap) window.popmap.tableTimings = { ...this.timings, rows: n, rows_written: this.range[1] - this.range[0], body_ms: performance.now() - t0 };
  }

  /** Writes the rows [a, b) around the scrolled position (all rows when there are few),
   * keeping the focused name focused. */
  renderWindow(force = false) {
    const d = this.ctx.dialog;
    const tbody = d.querySelector('tbody');
    const list = this.list || [];
    const n = list.length;
    const scroller = d.querySelector('.tb-scroll');
    let a = 0;
    let b = n;
    if (n > WINDOW) {
      const h = this.rowH || 26;
      const top = Math.max(0, scroller.scrollTop - (tbody.offsetTop || 0));
      const seen = Math.ceil(scroller.clientHeight / h) + 1;
      let first = Math.floor(top / h);
      const focused = document.activeElement?.closest?.('tr[data-i]');
      const fi = focused && tbody.contains(focused) ? Number(focused.dataset.i) : -1;
      if (fi >= 0 && (fi < first || fi >= first + seen)) first = fi;
      a = Math.max(0, first - BUFFER);
      b = Math.min(n, first + seen + BUFFER);
      const r = this.range;
      // Still inside the written rows with a margin: nothing to do.
      if (!force && r && a >= r[0] && b <= r[1] && (a - r[0] > 0 || r[0] === 0) && (r[1] - b > 0 || r[1] === n)) return;
      a = Math.max(0, a - BUFFER);
      b = Math.min(n, b + BUFFER);
    } else if (!force && this.range) return;
    const keep = document.activeElement?.closest?.('button[data-code]');
    const keepCode = keep && tbody.contains(keep) ? keep.dataset.code : '';
    const cols = d.querySelectorAll('thead th').length;
    const h = this.rowH || 26;
    const pad = (rows, where) => (rows > 0 ? `<tr class="tb-pad" data-pad="${where}" aria-hidden="true"><td colspan="${cols}" style="height:${rows * h}px"></td></tr>` : '');
    const rows = [];
    for (let i = a; i < b; i++) rows.push(this.rowHTML(list[i], i));
    tbody.innerHTML = pad(a, 'top') + rows.join('') + pad(n - b, 'bottom');
    this.range = [a, b];
    d.dataset.rendered = String(b - a);
    if (!this.rowH && b > a) {
      const tr = tbody.querySelector('tr[data-i]');
      if (tr?.offsetHeight) {
        this.rowH = tr.offsetHeight;
        if (this.rowH !== h && n > WINDOW) return this.renderWindow(true);
      }
    }
    if (keepCode) tbody.querySelector(`button[data-code="${CSS.escape(keepCode)}"]`)?.focus({ preventScroll: true });
  }

  /** One row: the name as a button, parent, (from, to,) value, class swatch and range, rank, flags. */
  rowHTML(r, i) {
    const L = this.ctx.lang();
    const change = r.from !== undefined;
    const parents = this.hasParents;
    const h3 = this.ctx.level() === 'h3';
    const sel = r.code === this.ctx.state().sel ? ' class="tb-sel" aria-current="true"' : '';
    return `<tr data-code="${esc(r.code)}" data-i="${i}" aria-rowindex="${i + 2}"${sel}><th scope="row"><button type="button" class="tb-unit" data-code="${esc(r.code)}">${esc(r.name)}</button></th>` +
      (parents ? `<td class="tb-parent" title="${esc(r.parentName)}">${esc(r.parentName)}</td>` : '') +
      (change ? `<td class="num">${num(L, r.from)}</td><td class="num">${num(L, r.to)}</td>` : '') +
      `<td class="num" data-v>${num(L, r.value)}</td>` +
      (h3 ? '' : `<td class="cls"><span class="sw" style="background:${esc(r.cls.color)}"></span>${esc(r.cls.range)}</td>`) +
      `<td class="num rk">${r.rank ?? '—'}</td>` +
      (this.hasFlags ? `<td class="flags" title="${esc(r.flags.join(', '))}">${esc(r.flags.join(', '))}</td>` : '') + '</tr>';
  }

  /** A row's name: frames the unit beside the dialog, selects it and opens its popup. On a
   * phone, or where the dialog leaves too little map for the popup, the dialog closes. */
  async choose(code) {
    const { map, levels, loadIndex, openPopup } = this.ctx;
    const level = this.level;
    const m = map();
    const d = this.ctx.dialog.getBoundingClientRect();
    const mapBox = m?.getContainer().getBoundingClientRect();
    const free = mapBox ? d.left - mapBox.left : 0;
    const giveWay = matchMedia(PHONE).matches || free < POPUP_ROOM;
    const idx = await loadIndex().catch(() => null);
    const u = idx?.byCode.get(code);
    let lngLat;
    if (u?.bbox && m) {
      const row = levels().find((l) => l.level === level);
      const right = giveWay ? 20 : mapBox.right - d.left + 20;
      const maxZoom = row?.max !== undefined ? row.max - 0.1 : 12;
      m.fitBounds([[u.bbox[0], u.bbox[1]], [u.bbox[2], u.bbox[3]]], { padding: { top: 60, bottom: 20, left: 20, right }, maxZoom, duration: 0 });
      if (row && m.getZoom() < row.min) m.jumpTo({ zoom: row.min + 0.2 });
      lngLat = [(u.bbox[0] + u.bbox[2]) / 2, (u.bbox[1] + u.bbox[3]) / 2];
    }
    if (giveWay) this.close(false);
    // Phones: the bottom sheet goes down to its peek, so the map and the popup show (sheet.js).
    if (matchMedia(PHONE).matches) initSheet()?.set('peek');
    const p = await openPopup(code, level, lngLat);
    this.markSelected(code);
    if (giveWay) (p?.getElement().querySelector('button') || this.ctx.button)?.focus();
    else if (p) this.keepBeside(p);
    return p;
  }

  /** Marks the selected unit's row (the map's outline, in the table). */
  markSelected(code) {
    for (const tr of this.ctx.dialog.querySelectorAll('#table-data tbody tr[data-code]')) {
      const on = tr.dataset.code === code;
      tr.classList.toggle('tb-sel', on);
      if (on) tr.setAttribute('aria-current', 'true');
      else tr.removeAttribute('aria-current');
    }
  }

  /** Pans the map so the popup `p` (growing when its chart arrives) is neither under the
   * dialog nor under the breadcrumb at the map's top. */
  keepBeside(p) {
    const el = p.getElement();
    const m = this.ctx.map();
    const fix = () => {
      if (!this.isOpen || !p.isOpen()) return ro.disconnect();
      const r = el.getBoundingClientRect();
      const over = r.right - (this.ctx.dialog.getBoundingClientRect().left - 8);
      const crumbs = m.getContainer().querySelector('.maplibregl-ctrl-top-left')?.getBoundingClientRect();
      const up = crumbs && crumbs.height ? r.top - (crumbs.bottom + 8) : 0;
      if (over > 0 || up < 0) m.panBy([Math.max(over, 0), Math.min(up, 0)], { duration: 0 });
    };
    const ro = new ResizeObserver(fix);
    ro.observe(el);
    setTimeout(() => ro.disconnect(), 5000);
  }
}
