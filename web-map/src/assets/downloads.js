// "Tải số liệu": the map's data downloads are the API's complete files, not what the tiles in
// view hold. A disclosure menu (<details id="downloads">) links to /api/v1/download for the
// level drawn and the period shown — every unit of the level, every public indicator, with
// parents, and the period, revision and boundaries written inside — as CSV (with a UTF-8 BOM
// for Excel), Excel (.xlsx) and GeoJSON (the full stored geometry); on other boundaries than
// the period's own it asks for the harmonised file (`version=`), and with a unit selected it
// offers "only within" that unit (`parent=`). Plus a link to the API documentation. On the
// H3 grid (no file in the API) a button saves the cells in view as CSV.
import { t, tf, num } from './i18n.js';
import { exportCellsCSV } from './export.js';
import { chain } from './units.js';
import { periodWords } from './layout.js';

const DEPTH = { country: -1, province: 0, district: 1, commune: 2 };
const FORMATS = [['csv', 'dlCSV'], ['xlsx', 'dlXLSX'], ['geojson', 'dlGeoJSON']];

/**
 * The download URL of one file: `level` of `period` as `format` (csv, xlsx, geojson), on
 * boundary version `version` ('' for the period's own) and under unit `parent` ('' for all).
 */
export function downloadURL({ period, level, format, version = '', parent = '' }) {
  const q = new URLSearchParams();
  if (version) q.set('version', version);
  if (parent) q.set('parent', parent);
  const s = q.toString();
  return `/api/v1/download/${encodeURIComponent(period || 'latest')}/${level}.${format}${s ? `?${s}` : ''}`;
}

/**
 * The unit `parent=` can name for a selection: the selected unit, or its nearest ancestor,
 * that lies above the level drawn (null when none does).
 */
export function scopeUnit(index, sel, level) {
  if (!sel || !index) return null;
  const above = chain(index, sel).filter((u) => (DEPTH[u.level] ?? 9) < (DEPTH[level] ?? 9));
  return above[above.length - 1] || null;
}

/**
 * The menu. `ctx`: root (the <details> element), map(), state() (view state: `sel`, `level`,
 * `ind`, `period`), lang(), levelAtZoom(), shownVersion(), shown() (level → values, for the
 * unit count), index() (the unit index, units.js), styleDoc() (the period drawn, in its
 * metadata), fileBase() (the name of a saved file, without extension) and cellLayer (the H3
 * fill layer's id).
 */
export class Downloads {
  constructor(ctx) {
    this.ctx = ctx;
    this.scope = 'all';
    ctx.root.addEventListener('toggle', () => {
      if (ctx.root.open) this.render();
    });
  }

  /** What the links point at now: {period, level, version, parent unit or null}. */
  target() {
    const { state, levelAtZoom, shownVersion, index, styleDoc } = this.ctx;
    const S = state();
    const level = S.level === 'h3' ? '' : levelAtZoom();
    const period = String(styleDoc()?.metadata?.['popmap:period'] || S.period || 'latest');
    return { period, level, version: shownVersion(), parent: scopeUnit(index(), S.sel, level) };
  }

  /** Fills the menu for the map as it is now. */
  render() {
    const { root, lang, shown } = this.ctx;
    const L = lang();
    const body = root.querySelector('.dl-body');
    body.replaceChildren();
    const tg = this.target();
    if (!tg.level) {
      const S = this.ctx.state();
      const b = el('button', '', t(L, 'dlCells'));
      Object.assign(b, { type: 'button', id: 'csv-cells' });
      b.addEventListener('click', () => exportCellsCSV(this.ctx.map(), this.ctx.cellLayer, S.ind, S.period, this.ctx.fileBase()));
      body.append(el('p', 'dl-note', t(L, 'dlH3')), el('p', '', b), docsLink(L));
      return;
    }
    const count = shown()?.[tg.level]?.codes?.length;
    const what = tf(L, 'dlWhat', { level: t(L, tg.level).toLowerCase(), period: periodWords(tg.period.split('@')[0], L) });
    body.append(el('p', 'dl-note', count ? `${what} (${num(L, count, 0)} ${t(L, 'units')})` : what));
    if (tg.parent) body.append(this.scopeChoice(L, tg.parent));
    else this.scope = 'all';
    const list = el('ul', 'dl-links');
    for (const [format, key] of FORMATS) {
      const a = el('a', '', t(L, key));
      a.dataset.format = format;
      a.setAttribute('download', '');
      list.append(el('li', '', a));
    }
    body.append(list);
    if (tg.version) body.append(el('p', 'dl-note', t(L, 'dlHarmonised')));
    body.append(docsLink(L));
    this.update();
  }

  /** The whole level or only within the selected unit: a radio pair. */
  scopeChoice(L, unit) {
    const set = el('fieldset', 'dl-scope');
    set.append(el('legend', '', t(L, 'dlScope')));
    for (const [value, text] of [['all', t(L, 'dlAll')], ['parent', tf(L, 'dlWithin', { name: unit.name })]]) {
      const input = document.createElement('input');
      Object.assign(input, { type: 'radio', name: 'dl-scope', value, checked: this.scope === value });
      input.addEventListener('change', () => {
        this.scope = value;
        this.update();
      });
      const label = el('label', '', input);
      label.append(` ${text}`);
      set.append(label);
    }
    return set;
  }

  /** Points the links at the files of the current choice. */
  update() {
    const tg = this.target();
    const parent = this.scope === 'parent' && tg.parent ? tg.parent.code : '';
    for (const a of this.ctx.root.querySelectorAll('.dl-links a')) {
      a.href = downloadURL({ period: tg.period, level: tg.level, format: a.dataset.format, version: tg.version, parent });
    }
  }
}

function el(tag, cls, child) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (child !== undefined) e.append(child);
  return e;
}

function docsLink(L) {
  const a = el('a', 'dl-docs', t(L, 'dlDocs'));
  a.href = '/api/docs';
  a.target = '_blank';
  a.rel = 'noopener';
  return el('p', '', a);
}
