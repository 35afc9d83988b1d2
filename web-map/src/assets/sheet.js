// The panel as a bottom sheet on phones (issue 16, contract 2). At widths up to 700 px the panel
// sits under the map in three states, kept in `document.body.dataset.sheet`: `peek` (the
// indicator, the period in words, a compact legend and a one-line synthetic-data note; the map
// fills the rest of the screen above it), `half` (the pickers) and `full` (everything). A grab
// handle button changes the state by a tap or a drag; Escape and the handle go back. Wider
// screens keep the side panel: there `data-sheet` is absent and phone.css applies nothing.
// The layout itself is phone.css; this module only moves between the states.
import { t } from './i18n.js';

/** The phone breakpoint (contract 2): at or below it the panel is a bottom sheet. */
export const PHONE = '(max-width: 700px)';

/** The sheet's states, from the lowest to the highest. */
export const STATES = ['peek', 'half', 'full'];

/** Whether the page is laid out for a phone now. */
export function isPhone() {
  return typeof matchMedia === 'function' && matchMedia(PHONE).matches;
}

/** The state after `state` for a step `dir` (+1 up, -1 down), clamped to the ends. */
export function stepState(state, dir) {
  const i = STATES.indexOf(state);
  return STATES[Math.max(0, Math.min(STATES.length - 1, (i < 0 ? 0 : i) + dir))];
}

/** The state a tap on the handle leads to: up one, and from `full` back down to `peek`. */
export function tapState(state) {
  return state === 'full' ? 'peek' : stepState(state, 1);
}

/** The state a vertical drag of `dy` px (negative: up) leads to; a short drag changes nothing. */
export function dragState(state, dy, threshold = 32) {
  if (Math.abs(dy) < threshold) return state;
  // A long fling moves two states at once (peek → full, full → peek).
  const steps = Math.abs(dy) > 260 ? 2 : 1;
  return stepState(state, dy < 0 ? steps : -steps);
}

/** The attribution control's options: compact (an ⓘ button) on phones, as a line elsewhere. */
export function attributionOptions() {
  return { compact: isPhone() };
}

/** Closes MapLibre's compact attribution once it is added (it opens expanded): the ⓘ opens it. */
export function collapseAttribution(container) {
  if (!isPhone()) return;
  for (const el of container.querySelectorAll('.maplibregl-ctrl-attrib.maplibregl-compact-show')) {
    el.classList.remove('maplibregl-compact-show');
    el.removeAttribute('open');
  }
}

/** The bottom sheet over `panel` (#panel); `lang()` is the UI language. */
export class Sheet {
  constructor(panel, lang) {
    this.panel = panel;
    this.lang = lang;
    this.state = 'peek';
    this.dragging = false; // a finger is moving the sheet (measure() waits)
    this.handle = document.createElement('button');
    this.handle.type = 'button';
    this.handle.className = 'sheet-handle';
    this.handle.setAttribute('aria-controls', panel.id);
    this.handle.innerHTML = '<span class="grip" aria-hidden="true"></span>';
    panel.prepend(this.handle);
    this.media = matchMedia(PHONE);
    this.media.addEventListener('change', () => this.apply());
    // The embed's hidden controls (`controls=0`) keep their floating legend: no sheet then.
    new MutationObserver(() => this.apply()).observe(panel, { attributes: true, attributeFilter: ['class'] });
    // The handle's label follows the UI language (main.js sets <html lang> on every render).
    new MutationObserver(() => this.apply()).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    // A unit's popup (a sheet of its own on phones, phone.css) sends the panel down to peek, so
    // the unit stays in sight between the two.
    const map = document.getElementById('map');
    if (map) {
      new MutationObserver(() => {
        if (this.active() && this.state !== 'peek' && map.querySelector(':scope > .maplibregl-popup')) this.set('peek');
      }).observe(map, { childList: true });
    }
    // The map ends where the peek begins: --peek follows the peek's height (its legend's rows).
    new ResizeObserver(() => this.measure()).observe(panel);
    this.wireHandle();
    panel.addEventListener('keydown', (e) => this.onKey(e));
    this.apply();
  }

  /** Whether the sheet is in use (a phone-wide page whose panel shows its controls). */
  active() {
    return this.media.matches && !this.panel.classList.contains('hidden-controls');
  }

  /** Moves to `state` (peek, half or full). */
  set(state) {
    if (!STATES.includes(state)) return;
    const wasInside = this.panel.contains(document.activeElement) && document.activeElement !== this.handle;
    this.state = state;
    this.panel.scrollTop = 0;
    this.apply();
    // Focus never stays on a control the lower state hides.
    if (wasInside && document.activeElement && !document.activeElement.offsetParent) this.handle.focus();
  }

  /** Writes the state to the page (`body[data-sheet]`) and the handle's label and expanded state. */
  apply() {
    const on = this.active();
    if (on) document.body.dataset.sheet = this.state;
    else delete document.body.dataset.sheet;
    const L = this.lang();
    const label = { peek: 'sheetExpand', half: 'sheetFull', full: 'sheetCollapse' }[this.state];
    this.handle.setAttribute('aria-label', t(L, label));
    this.handle.title = t(L, label);
    this.handle.setAttribute('aria-expanded', String(this.state !== 'peek'));
  }

  /** Keeps --peek (phone.css: the map's bottom edge) at the height of the sheet at peek. */
  measure() {
    if (!this.active() || this.state !== 'peek' || this.dragging) return;
    const h = Math.ceil(this.panel.offsetHeight);
    if (h > 40 && document.body.style.getPropertyValue('--peek') !== `${h}px`) document.body.style.setProperty('--peek', `${h}px`);
  }

  /** Whether a pointer at `target` grabs the sheet: the handle always, and at peek the whole
   * sheet except its buttons (the peek has nothing else to tap or scroll). */
  grabs(target) {
    if (!this.active()) return false;
    if (target.closest('.sheet-handle')) return true;
    return this.state === 'peek' && !target.closest('button, a, input, select, textarea, label, summary');
  }

  /** Tap: up one state (full: back to peek); drag: up or down by the drag's length. */
  wireHandle() {
    let start = null;
    let dragged = false;
    let down = null; // what was pressed: the capture sends the click to the sheet itself
    const p = this.panel;
    p.addEventListener('pointerdown', (e) => {
      down = e.target;
      if (!this.grabs(e.target)) return;
      start = { y: e.clientY, id: e.pointerId, h: p.offsetHeight };
      dragged = false;
      p.setPointerCapture?.(e.pointerId);
    });
    p.addEventListener('pointermove', (e) => {
      if (!start || e.pointerId !== start.id) return;
      const dy = e.clientY - start.y;
      if (Math.abs(dy) > 6) dragged = true;
      if (!dragged) return;
      this.dragging = true; // the peek's height is not the map's edge while the finger moves
      // The sheet follows the finger: taller when pulled up, lower when pushed down (phone.css
      // reads --drag).
      p.style.setProperty('--drag', `${Math.max(0, Math.round(dy))}px`);
      p.style.height = dy < 0 ? `${Math.min(innerHeight - 36, start.h - dy)}px` : '';
      p.style.maxHeight = dy < 0 ? 'none' : '';
    });
    const end = (e) => {
      if (!start || e.pointerId !== start.id) return;
      const dy = e.clientY - start.y;
      start = null;
      p.style.removeProperty('--drag');
      p.style.height = '';
      p.style.maxHeight = '';
      this.dragging = false;
      if (dragged) this.set(dragState(this.state, dy));
    };
    p.addEventListener('pointerup', end);
    p.addEventListener('pointercancel', end);
    p.addEventListener('click', (e) => {
      const target = e.target === p && down ? down : e.target;
      down = null;
      if (!this.grabs(target)) return;
      // A drag ends with a click too: it has already moved the sheet.
      if (dragged) {
        dragged = false;
        e.preventDefault();
        return;
      }
      this.set(tapState(this.state));
    });
    // The search box opens the whole sheet: its results need the room.
    p.addEventListener('focusin', (e) => {
      if (this.active() && e.target.id === 'search' && this.state !== 'full') {
        this.set('full');
        e.target.scrollIntoView({ block: 'start' });
      }
    });
  }

  /** Escape inside the sheet goes down one state (an open search list closes first, in where.js). */
  onKey(e) {
    if (e.key !== 'Escape' || !this.active() || this.state === 'peek') return;
    if (document.querySelector('dialog[open]') || document.querySelector('#results')?.children.length) return;
    e.stopPropagation();
    this.set(stepState(this.state, -1));
    this.handle.focus();
  }
}

let sheet = null;

/** Makes the panel a bottom sheet on phones (once); returns the Sheet. */
export function initSheet(lang) {
  const panel = document.getElementById('panel');
  if (!sheet && panel) sheet = new Sheet(panel, lang);
  return sheet;
}
