// Where am I: wires the selection (outline + breadcrumb), the level switch camera and the
// labels (language, value labels) into the map. main.js hands it what it needs as getters,
// because its view state is replaced on back/forward.
import { NATIONAL, CAPITAL, levelSwitchCamera, nationalPadding } from './camera.js';
import { provinceOf } from './units.js';
import { Breadcrumb, applyOutline, crumbs } from './selection.js';
import { applyLanguage, ValueLabels } from './labels.js';

/**
 * The map's where-am-I behaviour. `ctx` holds: map; state() (the view state, with `sel` and
 * `vl`); writeURL(); set(changes) (an update); loadIndex() and index() (the unit index, see
 * units.js); levels() ([{level, min, max, layer}]); levelAtZoom(); shown() (level → values);
 * styleDoc() (the server's style); lang(); goTo(unit) (frames a unit).
 */
export class Where {
  constructor(ctx) {
    this.ctx = ctx;
    const { map } = ctx;
    this.breadcrumb = new Breadcrumb((code) => this.pickCrumb(code), () => this.select(''));
    map.addControl(this.breadcrumb, 'top-left');
    this.values = new ValueLabels(map, () => {
      const level = ctx.levelAtZoom();
      return { level, shown: ctx.shown()[level], lang: ctx.lang() };
    });
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      document.querySelector('#results')?.replaceChildren();
      this.select('');
    });
  }

  /** What follows every update: label language, the selection's outline, the value labels. */
  afterUpdate() {
    const { map, styleDoc, lang } = this.ctx;
    if (styleDoc()) applyLanguage(map, styleDoc(), lang());
    this.refresh();
    this.values.on = this.ctx.state().vl === '1';
    this.values.install();
    this.values.refresh();
  }

  /** Turns the value labels on or off (the `vl=1` of the link). */
  setValueLabels(on) {
    this.ctx.state().vl = on ? '1' : '';
    this.ctx.writeURL(false);
    this.values.set(on);
  }

  /** Selects unit `code` ('' clears): outlined, in the breadcrumb and in the link (`sel=`). */
  select(code) {
    const S = this.ctx.state();
    if (S.sel !== code) {
      S.sel = code;
      this.ctx.writeURL(false);
    }
    return this.refresh();
  }

  /** Draws the outline and the breadcrumb of the selection (the unit index loads if needed). */
  async refresh() {
    const { map, state, loadIndex, index, levels, lang } = this.ctx;
    const sel = state().sel;
    const idx = sel ? await loadIndex().catch(() => null) : index();
    const u = sel ? idx?.byCode.get(sel) : null;
    applyOutline(map, levels(), u ? { code: u.code, level: u.level } : null);
    this.breadcrumb.render(u ? crumbs(idx, u.code, lang()) : [], lang());
    document.body.dataset.selected = u ? u.code : '';
  }

  /** Frames the selection (a shared link with `sel=` and no camera opens on the unit). */
  async frameSelection() {
    const sel = this.ctx.state().sel;
    const idx = sel ? await this.ctx.loadIndex().catch(() => null) : null;
    const u = idx?.byCode.get(sel);
    if (u) this.ctx.goTo(u);
  }

  /** A crumb: the country shows the national view and clears the selection; a unit is selected and framed. */
  pickCrumb(code) {
    const u = code ? this.ctx.index()?.byCode.get(code) : null;
    if (!u) {
      this.select('');
      this.ctx.map.fitBounds(NATIONAL, { padding: nationalPadding(this.ctx.map.getContainer().clientWidth), duration: 0 });
      return;
    }
    this.ctx.goTo(u);
    this.select(u.code);
  }

  /** A province's label point (inside its largest polygon) from the loaded tiles, or null. */
  labelPoint(code) {
    const f = this.ctx.map.querySourceFeatures('popmap', { sourceLayer: 'province_label', filter: ['==', ['get', 'code'], code] })[0];
    return f?.geometry?.type === 'Point' ? f.geometry.coordinates : null;
  }

  /** The province to stay on when the level changes: the selection's, else the one under the centre. */
  async focusProvince() {
    const { map, state, loadIndex, levels } = this.ctx;
    const idx = await loadIndex().catch(() => null);
    if (!idx) return null;
    let code = state().sel;
    if (!code || !idx.byCode.has(code)) {
      const layers = levels().map((l) => l.layer).filter((id) => map.getLayer(id));
      code = map.queryRenderedFeatures(map.project(map.getCenter()), { layers })[0]?.properties.code;
    }
    const p = code ? provinceOf(idx, code) : null;
    return p ? { bbox: p.bbox, anchor: this.labelPoint(p.code) } : null;
  }

  /** Switches the level, first moving the camera to where that level is drawn (camera.js). */
  async switchLevel(level) {
    const { map, levels, index, set } = this.ctx;
    const row = levels().find((l) => l.level === level);
    const view = { width: map.getContainer().clientWidth, height: map.getContainer().clientHeight };
    if (levelSwitchCamera({ row, zoom: map.getZoom(), view })) {
      const focus = await this.focusProvince();
      const capital = index()?.byCode.get(CAPITAL.code);
      const fallback = { bbox: capital?.bbox, anchor: this.labelPoint(CAPITAL.code) || CAPITAL.anchor };
      const cam = levelSwitchCamera({ row, zoom: map.getZoom(), view, focus, fallback });
      // Unlock the zoom first: the current level's lock would clamp the jump.
      map.setMinZoom(0);
      map.setMaxZoom(16);
      map.jumpTo(cam);
    }
    return set({ level });
  }
}
