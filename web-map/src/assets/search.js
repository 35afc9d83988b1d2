// The search box: the unit index of the version on the map (units.js), the results list and
// framing a chosen unit. Moved out of main.js as is (issue 16); main.js builds one Search with
// what it needs from the map.
import { getJSON } from './api.js';
import { search } from './fold.js';
import { t } from './i18n.js';
import { buildIndex } from './units.js';

const $ = (sel) => document.querySelector(sel);

/**
 * `ctx`: map, where (the selection), state() (the URL state), set(changes), lang(),
 * levels() ([{level, min, max, layer}]), styleDoc(), valuesURL(period, level, ids, bbox,
 * version), shownVersion().
 */
export class Search {
  constructor(ctx) {
    this.ctx = ctx;
    this.idx = null;
  }

  /** The unit index of the version on the map, or null before it is loaded. */
  index() {
    return this.idx;
  }

  /** The units of the version on the map (names, boxes, parents), loaded once per version. */
  async loadIndex() {
    const { styleDoc, levels, state, valuesURL, shownVersion } = this.ctx;
    const version = styleDoc()?.metadata['popmap:version'];
    if (!version || this.idx?.version === version) return this.idx;
    const lists = await Promise.all(levels().map(({ level }) => getJSON(valuesURL(state().period, level, '', true, shownVersion()))));
    this.idx = buildIndex(version, lists);
    return this.idx;
  }

  /** Wires the search box. */
  wire() {
    const q = $('#search');
    q.addEventListener('input', () => this.run(q.value));
    q.addEventListener('focus', () => this.loadIndex());
  }

  async run(text) {
    const { lang, where } = this.ctx;
    const out = $('#results');
    const idx = await this.loadIndex();
    const found = idx ? search(idx.units, text, 12) : [];
    out.replaceChildren(...found.map((u) => {
      const li = document.createElement('li');
      li.innerHTML = `<b></b> <small></small>`;
      li.querySelector('b').textContent = u.name;
      li.querySelector('small').textContent = `${t(lang(), u.level)} ${u.code}${u.parent ? ' · ' + u.parent : ''}`;
      li.addEventListener('click', () => {
        this.goTo(u);
        where.select(u.code);
      });
      return li;
    }));
  }

  /** Frames unit `u` ({level, bbox}) at a zoom that draws its level. */
  goTo(u) {
    const { map, state, set, levels } = this.ctx;
    const row = levels().find((l) => l.level === u.level);
    if (state().level !== 'auto' && state().level !== u.level) set({ level: 'auto' });
    if (u.bbox) {
      const maxZoom = row?.max !== undefined ? row.max - 0.1 : 12;
      map.fitBounds([[u.bbox[0], u.bbox[1]], [u.bbox[2], u.bbox[3]]], { padding: 40, maxZoom, duration: 0 });
      if (row && map.getZoom() < row.min) map.jumpTo({ zoom: row.min + 0.2 });
    }
    $('#results').replaceChildren();
  }
}
