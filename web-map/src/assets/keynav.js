// Units chosen with the keyboard (issue 16). When the map canvas has focus: N / P (also
// PageDown / PageUp) select the next / previous unit in view in reading order (rows from the
// top, left to right in a row), Alt + an arrow the nearest unit in that direction, Enter opens
// the selected unit's popup (unitpopup.js), Escape closes it (focus comes back to the canvas).
// Plain arrows and + / − stay MapLibre's panning and zoom. The keys are said in a hint shown
// while the canvas has keyboard focus and in the canvas's description, in the UI language;
// each selection is announced in a polite live region. A skip link, the page's first Tab stop,
// leads to the canvas.
import { t, tf } from './i18n.js';
import { liveRegion } from './live.js';

const DIRS = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };

/**
 * The units of `layer` drawn in the map's view: [{code, name, level, lngLat (the centre of
 * its visible part), x, y (that point on the screen)}] in reading order.
 */
export function unitsInView(map, layer) {
  const boxes = new Map();
  for (const f of map.queryRenderedFeatures({ layers: [layer] })) {
    const code = f.properties.code;
    if (!code) continue;
    let b = boxes.get(code);
    if (!b) {
      b = { code, name: f.properties.name || '', level: f.sourceLayer, box: [Infinity, Infinity, -Infinity, -Infinity] };
      boxes.set(code, b);
    }
    const walk = (c) => {
      if (typeof c[0] !== 'number') return c.forEach(walk);
      b.box = [Math.min(b.box[0], c[0]), Math.min(b.box[1], c[1]), Math.max(b.box[2], c[0]), Math.max(b.box[3], c[1])];
    };
    walk(f.geometry.coordinates);
  }
  const v = map.getBounds();
  const [w, h] = [map.getCanvas().clientWidth, map.getCanvas().clientHeight];
  const out = [];
  for (const b of boxes.values()) {
    // The part of the unit's box on the screen, so its point (and its popup) is in view.
    const x0 = Math.max(b.box[0], v.getWest()), x1 = Math.min(b.box[2], v.getEast());
    const y0 = Math.max(b.box[1], v.getSouth()), y1 = Math.min(b.box[3], v.getNorth());
    if (x0 > x1 || y0 > y1) continue;
    const lngLat = [(x0 + x1) / 2, (y0 + y1) / 2];
    const p = map.project(lngLat);
    if (p.x < 0 || p.y < 0 || p.x > w || p.y > h) continue;
    out.push({ code: b.code, name: b.name, level: b.level, lngLat, x: p.x, y: p.y });
  }
  return readingOrder(out, h);
}

/** Sorts points {x, y} in reading order: rows of a sixth of the height `h`, then left to right. */
export function readingOrder(points, h) {
  const row = Math.max(1, h / 6);
  return points.sort((a, b) => Math.floor(a.y / row) - Math.floor(b.y / row) || a.x - b.x || a.y - b.y);
}

/** The unit of `units` nearest to `from` in direction `dir` ([dx, dy] on the screen), or null:
 * the distance along the direction plus twice the distance across it, within a 60° cone. */
export function nearestInDirection(units, from, dir) {
  let best = null;
  let bestScore = Infinity;
  for (const u of units) {
    if (u.code === from.code) continue;
    const dx = u.x - from.x, dy = u.y - from.y;
    const along = dx * dir[0] + dy * dir[1];
    const across = Math.abs(dx * dir[1] - dy * dir[0]);
    if (along <= 0 || across > along * Math.tan(Math.PI / 3)) continue;
    const score = along + 2 * across;
    if (score < bestScore) [best, bestScore] = [u, score];
  }
  return best;
}

/**
 * Wires the keys on `ctx.map`'s canvas. `ctx`: map, lang(), state() (the view; `sel` is the
 * selection), layer() (the style layer of the admin level drawn, null on the H3 grid),
 * select(code) (the selection: outline, breadcrumb, link), open({code, level, lngLat}) (the
 * unit's popup), popup() (the popup on the map, unitpopup.js's currentPopup), levelOf(code)
 * (a unit's level from the unit index, or null).
 */
export class KeyNav {
  constructor(ctx) {
    this.ctx = ctx;
    const canvas = ctx.map.getCanvas();
    this.hint = document.createElement('div');
    this.hint.className = 'keyhint';
    this.hint.id = 'map-keys';
    this.live = liveRegion('map-live');
    // After the canvas, so `canvas:focus-visible + .keyhint` shows it.
    canvas.after(this.hint);
    ctx.map.getContainer().append(this.live);
    canvas.setAttribute('aria-describedby', 'map-keys');
    // The page's first stop for Tab: straight to the map (the panel has some twenty controls).
    this.skip = document.createElement('a');
    this.skip.className = 'skip-map';
    this.skip.href = '#map';
    this.skip.addEventListener('click', (e) => {
      e.preventDefault();
      canvas.focus();
    });
    document.body.prepend(this.skip);
    canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.render();
  }

  /** The hint and the canvas's description in the UI language. */
  render() {
    const text = t(this.ctx.lang(), 'keysHint');
    this.hint.textContent = text;
    this.skip.textContent = t(this.ctx.lang(), 'skipToMap');
    this.ctx.map.getCanvas().setAttribute('aria-description', text);
  }

  onKey(e) {
    if (e.ctrlKey || e.metaKey) return;
    const key = e.key;
    let step = 0;
    if (!e.altKey && (key === 'n' || key === 'N' || key === 'PageDown')) step = 1;
    if (!e.altKey && (key === 'p' || key === 'P' || key === 'PageUp')) step = -1;
    const dir = e.altKey ? DIRS[key] : null;
    if (step || dir) {
      e.preventDefault();
      e.stopPropagation(); // MapLibre's keyboard handler pans on arrows
      this.move(step, dir);
    } else if (key === 'Enter' && !e.altKey && !e.shiftKey) {
      e.preventDefault();
      this.openSelected();
    } else if (key === 'Escape' && this.ctx.popup()?.isOpen()) {
      e.preventDefault();
      e.stopPropagation(); // where.js's Escape would clear the selection: only the popup closes
      this.ctx.popup().remove();
    }
  }

  /** The units in view, or [] (announced) when there are none or the map draws H3 cells. */
  units() {
    const layer = this.ctx.layer();
    if (!layer) {
      this.say(t(this.ctx.lang(), 'keyH3'));
      return [];
    }
    const list = unitsInView(this.ctx.map, layer);
    if (!list.length) this.say(t(this.ctx.lang(), 'keyNoUnit'));
    return list;
  }

  /** Selects the next/previous unit (`step` ±1) or the nearest in direction `dir`. */
  move(step, dir) {
    const list = this.units();
    if (!list.length) return null;
    const sel = this.ctx.state().sel;
    const i = list.findIndex((u) => u.code === sel);
    let next;
    if (dir) {
      next = i < 0 ? list[0] : nearestInDirection(list, list[i], dir);
      if (!next) return null;
    } else {
      next = i < 0 ? list[step > 0 ? 0 : list.length - 1] : list[(i + step + list.length) % list.length];
    }
    this.current = next;
    this.ctx.select(next.code);
    this.say(tf(this.ctx.lang(), 'keySelected', { name: next.name }));
    return next;
  }

  /** Opens the popup of the selected unit (the first in view when none is selected). */
  async openSelected() {
    const sel = this.ctx.state().sel;
    let u = this.current?.code === sel ? this.current : null;
    if (!u) {
      const list = this.units();
      // A selection out of view or of another level (from the search, say) opens at its centre.
      const level = sel ? this.ctx.levelOf(sel) : null;
      u = list.find((x) => x.code === sel) || (level ? { code: sel, level } : null) || (sel ? null : this.move(1, null));
    }
    if (!u) return null;
    return this.ctx.open(u);
  }

  /** Announces `text` in the live region (cleared first so a repeat is read again). */
  say(text) {
    this.live.textContent = '';
    setTimeout(() => {
      this.live.textContent = text;
    }, 50);
  }
}
