// The period model of the web map: one granularity at a time (months, quarters or years: a
// quarter's births are never shown beside a month's), a timeline slider over the periods of that
// granularity with Play/Pause, Loop and speed, and the comparison picker (periods of the same
// granularity only: the server refuses others) with the change measure. The pure functions at the
// top are unit-tested; `Timeline` wires them to the panel's controls.
import { t, num } from './i18n.js';
import { periodWords } from './layout.js';

/** The granularities in the switch's order. */
export const GRANULARITIES = ['month', 'quarter', 'year'];
/** Play speeds (× the base step). */
export const SPEEDS = [0.5, 1, 2];
/** Milliseconds between two frames of Play at speed 1×. */
export const STEP_MS = 1500;

/** The projection variants, low first. */
export const VARIANTS = ['low', 'medium', 'high'];

/** Whether granularity `g` is a projection's (`projection-medium`): computed years, never
 * reported ones, shown in the "Dự báo" mode. */
export function isProjection(g) {
  return /^projection-/.test(String(g || ''));
}

/** The variant of a projection granularity or period (`projection-high`, `2030-high`), else ''. */
export function variantOf(x) {
  const m = /(?:^projection-|^\d{4}-)(low|medium|high)$/.exec(String(x || '').split('@')[0]);
  return m ? m[1] : '';
}

/** The variants with published projection years in `entries`, low first. */
export function variantsOf(entries) {
  return VARIANTS.filter((v) => entries.some((e) => (e.granularity || granularityOf(e.period)) === `projection-${v}`));
}

/** The same projected year in variant `v` (`2030-medium` → `2030-high`). */
export function withVariant(period, v) {
  return `${String(period).slice(0, 4)}-${v}`;
}

/** The granularity of a period name: month (2025-07), quarter (2025-Q3), year (2025), or a
 * projection's (2030-medium: projection-medium). */
export function granularityOf(period) {
  const p = String(period || '').split('@')[0];
  const v = variantOf(p);
  if (v) return `projection-${v}`;
  if (/^\d{4}-\d{2}$/.test(p)) return 'month';
  if (/^\d{4}-Q[1-4]$/.test(p)) return 'quarter';
  return 'year';
}

/** The granularity of a /api/v1/periods entry (its field, else from its name). */
const kindOf = (e) => e.granularity || granularityOf(e.period);

/** The periods of granularity `g` in `entries`, oldest first. */
export function periodsOf(entries, g) {
  return entries.filter((e) => kindOf(e) === g).map((e) => e.period).sort();
}

/** The periods of granularity `g` the mapped indicator has values in, oldest first: with
 * `ages` (an indicator made of age groups), only the periods that carry them (a server that
 * does not say is taken to have them), so Play and the comparison never land on an empty map. */
export function periodsFor(entries, g, ages) {
  if (!ages) return periodsOf(entries, g);
  return periodsOf(entries.filter((e) => e.ages !== false), g);
}

/** The granularities that have at least one period (a granularity without periods is not
 * offered): the reported ones, then each projection variant's. */
export function granularitiesOf(entries) {
  return [...GRANULARITIES, ...VARIANTS.map((v) => `projection-${v}`)].filter((g) => entries.some((e) => kindOf(e) === g));
}

/** The buttons of the granularity switch: the reported granularities, and one "Dự báo" button
 * (its granularity the current variant's, else medium's, else the first) when projections exist. */
export function granularityButtons(entries, g) {
  const offered = granularitiesOf(entries);
  const reported = offered.filter((x) => !isProjection(x));
  const variants = variantsOf(entries);
  if (!variants.length) return reported;
  const v = variants.includes(variantOf(g)) ? variantOf(g) : variants.includes('medium') ? 'medium' : variants[0];
  return [...reported, `projection-${v}`];
}

/** The newest period of granularity `g` ('' when there is none). */
export function newestOf(entries, g) {
  const list = periodsOf(entries, g);
  return list[list.length - 1] || '';
}

/**
 * The view's period model made consistent with what is published: a known period sets the
 * granularity; otherwise the period is the newest of `g` (month by default, or the first
 * granularity that has periods). A comparison period of another granularity is dropped and
 * reported (`refused`), an unknown one dropped. Returns {g, period, cmp, refused}.
 */
export function resolvePeriods(S, entries) {
  const known = (p) => entries.some((e) => e.period === p);
  const offered = granularitiesOf(entries);
  let g = offered.includes(S.g) ? S.g : offered[0] || 'month';
  let period = S.period;
  if (known(period)) g = granularityOf(period);
  else period = newestOf(entries, g) || period;
  let cmp = S.cmp;
  let refused = false;
  if (cmp && (!known(cmp) || cmp === period)) cmp = '';
  if (cmp && granularityOf(cmp) !== g) {
    cmp = '';
    refused = true;
  }
  return { g, period, cmp, refused };
}

/** The period after `p` in `list`: the first again at the end with `loop` (or when `p` is not
 * in the list), else null. */
export function nextPeriod(list, p, loop) {
  const i = list.indexOf(p);
  if (i < 0) return list[0] ?? null;
  if (i + 1 < list.length) return list[i + 1];
  return loop ? list[0] : null;
}

/** The periods of granularity `g` where the boundary version differs from the previous one's
 * (the first period on new boundaries: 2025-07 for the July 2025 reorganisation). */
export function boundaryChanges(entries, g) {
  const list = entries.filter((e) => kindOf(e) === g).sort((a, b) => (a.period < b.period ? -1 : 1));
  return list.filter((e, i) => i > 0 && e.version && list[i - 1].version && e.version !== list[i - 1].version).map((e) => e.period);
}

/** A period in words with its revision where more than one exists ("Tháng 9/2026 (bản sửa 2)"). */
export function periodLabel(entry, lang) {
  if (!entry) return '';
  const revised = entry.revision > 1 ? ` (${t(lang, 'revision')} ${entry.revision})` : '';
  return `${periodWords(entry.period, lang)}${revised}`;
}

const GRAN_KEYS = { month: 'gMonth', quarter: 'gQuarter', year: 'gYear', projection: 'gProjection' };
const granKey = (g) => GRAN_KEYS[isProjection(g) ? 'projection' : g];

function option(value, label, selected) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  if (selected) o.selected = true;
  return o;
}

/**
 * The timeline controls. `ctx` gives {state() (the view), entries() (/api/v1/periods),
 * lang(), set(changes, push) (applies a view change and resolves when drawn), unitOf() (the
 * mapped indicator's unit)}. `render()` redraws the controls from the state; Play advances with
 * `set(…, false)` and waits for each frame before the next. `ages()`: whether the mapped
 * indicator is made of age groups.
 */
export class Timeline {
  constructor(ctx) {
    this.ctx = ctx;
    this.playing = false;
    this.timer = null;
    this.loop = false;
    this.speed = 1;
    this.$ = (id) => document.getElementById(id);
  }

  /** The periods of the view's granularity that the mapped indicator has values in. */
  list() {
    return periodsFor(this.ctx.entries(), this.ctx.state().g, this.ctx.ages?.());
  }

  /** Fills the controls from the state (granularity buttons, slider, words, play, comparison). */
  render() {
    const S = this.ctx.state();
    const L = this.ctx.lang();
    const entries = this.ctx.entries();
    const gran = this.$('gran');
    if (gran) {
      const offered = granularityButtons(entries, S.g);
      gran.replaceChildren(...offered.map((g) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.g = g;
        b.textContent = t(L, granKey(g));
        b.setAttribute('aria-pressed', String(g === S.g || (isProjection(g) && isProjection(S.g))));
        if (isProjection(g)) b.classList.add('proj');
        return b;
      }));
      gran.hidden = offered.length < 2;
      gran.setAttribute('aria-label', t(L, 'granularity'));
    }
    this.renderVariant(S, L, entries);
    const list = this.list();
    const range = this.$('period');
    range.min = '0';
    range.max = String(Math.max(0, list.length - 1));
    range.value = String(Math.max(0, list.indexOf(S.period)));
    range.disabled = list.length < 2;
    this.showWords(S.period);
    const play = this.$('play');
    play.setAttribute('aria-pressed', String(this.playing));
    play.textContent = this.playing ? `⏸ ${t(L, 'pause')}` : `▶ ${t(L, 'play')}`;
    play.disabled = list.length < 2;
    const loop = this.$('loop');
    if (loop) loop.checked = this.loop;
    const speed = this.$('speed');
    if (speed) {
      speed.replaceChildren(...SPEEDS.map((x) => option(String(x), `${num(L, x, 1)}×`, x === this.speed)));
      speed.setAttribute('aria-label', t(L, 'speed'));
    }
    this.renderCompare(S, L, entries, list);
  }

  /** The variant picker of the projection mode (hidden in the reported modes). */
  renderVariant(S, L, entries) {
    const row = this.$('row-variant');
    const sel = this.$('variant');
    if (!row || !sel) return;
    row.hidden = !isProjection(S.g);
    const cur = variantOf(S.g);
    sel.replaceChildren(...variantsOf(entries).map((v) => option(v, t(L, `variant_${v}`), v === cur)));
  }

  /** The period's words beside the slider (also while dragging, before the map follows). */
  showWords(period) {
    const L = this.ctx.lang();
    const entry = this.ctx.entries().find((e) => e.period === period);
    const words = periodLabel(entry || { period }, L);
    this.$('period-words').textContent = words;
    this.$('period').setAttribute('aria-valuetext', words);
  }

  /** The comparison picker (same granularity, not the period itself) and the measure switch. */
  renderCompare(S, L, entries, list) {
    const cmp = this.$('cmp');
    cmp.replaceChildren(option('', t(L, 'none'), !S.cmp),
      ...list.filter((p) => p !== S.period).map((p) => option(p, periodWords(p, L), p === S.cmp)));
    const measure = this.$('measure');
    if (!measure) return;
    measure.hidden = !S.cmp;
    const pp = this.ctx.unitOf() === '%';
    const names = { abs: pp ? 'measurePp' : 'measureAbs', pct: 'measurePct' };
    measure.replaceChildren(...['abs', 'pct'].map((m) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.cm = m;
      b.textContent = t(L, names[m]);
      b.setAttribute('aria-pressed', String((S.cm || 'abs') === m));
      return b;
    }));
    measure.setAttribute('aria-label', t(L, 'measure'));
  }

  /** Wires the controls once. */
  wire() {
    const { set } = this.ctx;
    this.$('gran')?.addEventListener('click', (e) => {
      const g = e.target.closest('button')?.dataset.g;
      if (!g || g === this.ctx.state().g) return;
      this.stop();
      const entries = this.ctx.entries();
      const cmp = this.ctx.state().cmp;
      set({ g, period: newestOf(entries, g), cmp: cmp && granularityOf(cmp) === g ? cmp : '' });
    });
    const range = this.$('period');
    range.addEventListener('input', () => this.showWords(this.list()[Number(range.value)]));
    range.addEventListener('change', () => {
      const p = this.list()[Number(range.value)];
      if (p && p !== this.ctx.state().period) set({ period: p });
    });
    this.$('play').addEventListener('click', () => this.toggle());
    this.$('loop')?.addEventListener('change', (e) => {
      this.loop = e.target.checked;
    });
    this.$('speed')?.addEventListener('change', (e) => {
      this.speed = Number(e.target.value) || 1;
    });
    this.$('cmp').addEventListener('change', (e) => set({ cmp: e.target.value }));
    this.$('variant')?.addEventListener('change', (e) => {
      const v = e.target.value;
      const S = this.ctx.state();
      const year = withVariant(S.period, v);
      const list = periodsOf(this.ctx.entries(), `projection-${v}`);
      set({ g: `projection-${v}`, period: list.includes(year) ? year : list[list.length - 1] || '', cmp: '' });
    });
    this.$('measure')?.addEventListener('click', (e) => {
      const m = e.target.closest('button')?.dataset.cm;
      if (m) set({ cm: m });
    });
  }

  /** Play or pause. Play at the last period starts again from the first. */
  toggle() {
    if (this.playing) {
      this.stop();
      return;
    }
    this.playing = true;
    const list = this.list();
    const S = this.ctx.state();
    if (list.indexOf(S.period) === list.length - 1) {
      this.ctx.set({ period: list[0] }, false).then(() => this.schedule());
    } else {
      this.schedule();
    }
    this.render();
  }

  /** Stops Play (a no-op when paused). */
  stop() {
    const was = this.playing;
    this.playing = false;
    clearTimeout(this.timer);
    this.timer = null;
    if (was) this.render();
  }

  schedule() {
    if (!this.playing) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      const next = nextPeriod(this.list(), this.ctx.state().period, this.loop);
      if (!this.playing) return;
      if (!next) {
        this.stop();
        return;
      }
      await this.ctx.set({ period: next }, false);
      this.schedule();
    }, STEP_MS / this.speed);
  }
}
