// The search box: an ARIA combobox (WAI-ARIA 1.2 combobox pattern with a listbox popup) over
// the server's search (/api/v1/units?q=&versions=all: folded, spaceless, abbreviations, every
// boundary version). A unit of another version than the map's is framed as the unit it is now
// part of (now_part_of). The unit index of the version on the map (units.js: boxes, parents)
// stays here too: framing and the breadcrumb (where.js) read it.
import { getJSON } from './api.js';
import { t, errorText } from './i18n.js';
import { buildIndex } from './units.js';

const $ = (sel) => document.querySelector(sel);
const LIMIT = 12;
const DEBOUNCE_MS = 120;

/** The search URL of `text` (limited to the descendants of `within` when given). */
export function searchURL(text, within) {
  const q = new URLSearchParams({ q: text.trim(), versions: 'all', limit: String(LIMIT) });
  if (within) q.set('within', within);
  return `/api/v1/units?${q}`;
}

/**
 * The items worth listing: an older version's unit with the same code and name as one listed
 * before it (Hà Nội in 2019 and 2025) is left out; the server lists the newest version first.
 */
export function distinct(items) {
  const seen = new Set();
  return items.filter((u) => {
    const key = `${u.code}|${u.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The second line of an option: the unit's type, its parent, where an old unit is now. */
export function detail(u, lang, showCode) {
  const parts = [u.type?.[lang] || t(lang, u.level)];
  if (u.parent_name) parts.push(u.parent_name);
  if (u.now_part_of?.length) parts.push(`${t(lang, 'nowPartOf')} ${u.now_part_of.map((p) => p.name).join(', ')}`);
  if (showCode) parts.push(u.code);
  return parts.join(' · ');
}

/**
 * `ctx`: map, where (the selection), state() (the URL state), set(changes), lang(),
 * levels() ([{level, min, max, layer}]), styleDoc(), valuesURL(period, level, ids, bbox,
 * version), shownVersion(), within (a unit code the search stays inside, or '': a value, a
 * getter or a function).
 */
export class Search {
  constructor(ctx) {
    this.ctx = ctx;
    this.idx = null;
    this.items = [];
    this.active = -1;
    this.seq = 0;
    this.timer = 0;
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

  /** Wires the search box as a combobox. */
  wire() {
    const input = $('#search');
    const list = $('#results');
    this.input = input;
    this.list = list;
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', 'results');
    input.setAttribute('aria-expanded', 'false');
    list.setAttribute('role', 'listbox');
    this.status = $('#search-status') || this.makeStatus();
    this.label();
    // The names follow the UI language (main.js sets <html lang> on a switch).
    new MutationObserver(() => this.label()).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    input.addEventListener('input', () => {
      clearTimeout(this.timer);
      list.setAttribute('aria-busy', 'true'); // until the answer to this text is listed
      this.timer = setTimeout(() => this.run(input.value), DEBOUNCE_MS);
    });
    input.addEventListener('focus', () => this.loadIndex().catch(() => {}));
    input.addEventListener('keydown', (e) => this.onKey(e));
    // Choosing with the pointer keeps the focus in the box; leaving the box closes the list.
    list.addEventListener('mousedown', (e) => e.preventDefault());
    list.addEventListener('click', (e) => {
      const li = e.target.closest('[role=option]');
      if (li) this.choose(Number(li.dataset.i));
    });
    input.addEventListener('blur', () => this.close());
    document.addEventListener('pointerdown', (e) => {
      if (!e.target.closest?.('.search')) this.close();
    });
  }

  /** The polite status line after the list (result count, nothing found). */
  makeStatus() {
    const p = document.createElement('p');
    p.id = 'search-status';
    p.setAttribute('role', 'status');
    p.className = 'search-status';
    this.list.after(p);
    return p;
  }

  /** The unit code the search stays inside (`ctx.within`, a value or a function), or ''. */
  within() {
    const w = this.ctx.within;
    return (typeof w === 'function' ? w() : w) || '';
  }

  /** Names the box in the UI language (unless the page labels it). */
  label() {
    const L = this.ctx.lang();
    if (!this.input.labels?.length && !this.input.hasAttribute('aria-labelledby')) this.input.setAttribute('aria-label', t(L, 'searchLabel'));
    this.list.setAttribute('aria-label', t(L, 'searchResults'));
  }

  onKey(e) {
    const open = this.input.getAttribute('aria-expanded') === 'true';
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!this.items.length) return;
      if (!open) this.open();
      const n = this.items.length;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.activate(this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n);
    } else if (e.key === 'Enter') {
      if (!open || !this.items.length) return;
      e.preventDefault();
      this.choose(this.active < 0 ? 0 : this.active);
    } else if (e.key === 'Escape') {
      // First Escape closes the list; a second one empties the box (the pattern's behaviour).
      if (open || this.items.length) {
        e.preventDefault();
        e.stopPropagation();
        this.clear();
      } else if (this.input.value) {
        e.preventDefault();
        this.input.value = '';
        this.say('');
      }
    }
  }

  async run(text) {
    const seq = ++this.seq;
    const L = this.ctx.lang();
    this.label();
    if (!text.trim()) {
      this.clear();
      return;
    }
    let items;
    try {
      items = distinct((await getJSON(searchURL(text, this.within()))).items);
    } catch (e) {
      if (seq === this.seq) {
        this.clear();
        this.say(errorText(L, e));
      }
      return;
    }
    if (seq !== this.seq) return;
    this.items = items;
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    const showCode = /^\d+$/.test(text.trim());
    this.list.replaceChildren(...items.map((u, i) => {
      const li = document.createElement('li');
      li.id = `results-opt-${i}`;
      li.dataset.i = String(i);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.innerHTML = '<b></b> <small></small>';
      li.querySelector('b').textContent = u.name;
      li.querySelector('small').textContent = detail(u, L, showCode);
      return li;
    }));
    if (items.length) {
      this.open();
      this.say(t(L, 'searchCount').replace('{n}', items.length), true);
    } else {
      this.close();
      this.say(t(L, 'searchNone').replace('{q}', text.trim()));
    }
  }

  say(text, quiet = false) {
    this.list.setAttribute('aria-busy', 'false');
    this.status.textContent = text;
    this.status.classList.toggle('quiet', quiet);
  }

  open() {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  /** Hides the list (its options stay for ArrowDown to reopen). */
  close() {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  /** Closes and empties the list. */
  clear() {
    this.seq++;
    clearTimeout(this.timer);
    this.items = [];
    this.active = -1;
    this.list.replaceChildren();
    this.close();
    this.say('');
  }

  activate(i) {
    this.active = i;
    for (const li of this.list.children) li.setAttribute('aria-selected', String(Number(li.dataset.i) === i));
    const li = this.list.children[i];
    this.input.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  }

  /** Frames and selects item `i`: itself when on the map's version, else what it is now part of. */
  async choose(i) {
    const u = this.items[i];
    if (!u) return;
    const L = this.ctx.lang();
    this.input.value = u.name;
    this.clear();
    const idx = await this.loadIndex().catch(() => null);
    if (!idx) return;
    const parts = idx.version === u.version ? [u] : (u.now_part_of || []).filter((p) => p.version === idx.version);
    // On the version shown the unit (or what it is part of) is in the index; a unit of a
    // newer version on older boundaries is found by its code when it kept it.
    const shown = (parts.length ? parts : [u]).map((p) => idx.byCode.get(p.code)).filter(Boolean);
    if (!shown.length) {
      this.say(t(L, 'searchElsewhere').replace('{name}', u.name));
      return;
    }
    const boxes = shown.map((s) => s.bbox).filter(Boolean);
    const bbox = boxes.length
      ? [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))]
      : null;
    this.goTo({ ...shown[0], bbox });
    this.ctx.where.select(shown[0].code);
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
    this.clear();
  }
}
