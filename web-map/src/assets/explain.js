// Indicator explanations: a dialog with the definition, formula, unit, source and caveats of an
// indicator (map/indicators `about`, in the UI language), opened by any element with
// `data-explain="<indicator id>"` (the legend's ⓘ button, the popup's link) through one
// delegated click listener. A native <dialog>: modal, Escape closes it and focus returns to the
// button that opened it; it fits a 390 px wide screen and scrolls.
import { t } from './i18n.js';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** The ⓘ drawn as a circled serif "i" (the map's fonts lack U+24D8). */
const BTN_CSS = 'font:italic 700 12px/1 Georgia, serif;width:19px;height:19px;padding:0;margin-left:4px;' +
  'border:1.5px solid #2b5d8a;border-radius:50%;background:#fff;color:#2b5d8a;cursor:pointer;vertical-align:2px';

const DT = 'font-weight:600;font-size:12px;color:#555;text-transform:uppercase;letter-spacing:.03em;margin:10px 0 2px';
const DD = 'margin:0';

let source = { indicators: () => [], lang: () => 'vi' };

/** The ⓘ button for indicator `ind` (a map/indicators entry). */
export function explainButtonHTML(lang, ind) {
  return ` <button type="button" class="explain-btn" data-explain="${esc(ind.id)}" style="${BTN_CSS}" ` +
    `aria-haspopup="dialog" aria-label="${esc(t(lang, 'explain'))}" title="${esc(t(lang, 'explain'))}">i</button>`;
}

/** The popup's link to the explanation of `id`. */
export function explainLinkHTML(lang, id) {
  return `<p class="explain-row" style="margin:6px 0 0"><button type="button" class="explain-link" data-explain="${esc(id)}" ` +
    `style="border:0;background:none;padding:0;color:#2b5d8a;text-decoration:underline;cursor:pointer;font:inherit" ` +
    `aria-haspopup="dialog">${esc(t(lang, 'explainLink'))}</button></p>`;
}

/** The dialog's content for `ind` in `lang`. */
export function explainHTML(lang, ind) {
  const a = ind.about || {};
  const pick = (x) => (x ? x[lang] || x.vi || x.en || '' : '');
  const name = lang === 'vi' ? ind.name_vi : ind.name_en;
  const unit = lang === 'vi' ? ind.unit : ind.unit_en;
  const rows = [
    ['definition', pick(a.definition)],
    ['formula', pick(a.formula)],
    ['unitWord', unit],
    ['sourceWord', pick(a.source)],
    ['caveats', pick(a.caveats)],
  ].filter(([, v]) => v);
  const body = rows.length > 1 || a.definition
    ? `<dl style="margin:0">${rows.map(([k, v]) => `<dt style="${DT}">${esc(t(lang, k))}</dt><dd style="${DD}">${esc(v)}</dd>`).join('')}</dl>`
    : `<p>${esc(t(lang, 'noAbout'))}</p>${unit ? `<dl><dt>${esc(t(lang, 'unitWord'))}</dt><dd>${esc(unit)}</dd></dl>` : ''}`;
  return `<form method="dialog" class="explain-form"><h2 id="explain-title" style="font-size:18px;margin:0 0 4px">${esc(name)}</h2>${body}` +
    `<div class="explain-actions" style="margin-top:14px;text-align:right"><button value="close" autofocus>${esc(t(lang, 'close'))}</button></div></form>`;
}

/** The explanation dialog (made on first use). */
function dialog() {
  let d = document.getElementById('explain-dialog');
  if (!d) {
    d = document.createElement('dialog');
    d.id = 'explain-dialog';
    d.setAttribute('aria-labelledby', 'explain-title');
    // Fits a 390 px screen and scrolls; set here so the dialog needs no stylesheet of its own.
    d.style.cssText = 'max-width:min(34rem, calc(100vw - 24px));max-height:calc(100vh - 48px);overflow:auto;' +
      'box-sizing:border-box;padding:16px 18px;font:14px/1.45 system-ui, sans-serif;border:1px solid #888;border-radius:6px;';
    document.body.append(d);
  }
  return d;
}

/** Opens the explanation of indicator `id`; focus returns to `opener` on close. */
export function openExplain(id, opener) {
  const ind = source.indicators().find((d) => d.id === id);
  if (!ind) return null;
  const d = dialog();
  d.innerHTML = explainHTML(source.lang(), ind);
  d.dataset.indicator = id;
  d.addEventListener('close', () => {
    // The legend may have been redrawn meanwhile: then its new button for the same indicator.
    const back = opener?.isConnected ? opener : document.querySelector(`#legend [data-explain="${CSS.escape(id)}"]`);
    back?.focus();
  }, { once: true });
  if (d.open) d.close();
  d.showModal();
  return d;
}

/**
 * Wires every `[data-explain]` element of the page (now and later) to the dialog;
 * `indicators()` gives the map/indicators entries and `lang()` the UI language.
 */
export function wireExplain(indicators, lang) {
  source = { indicators, lang };
  if (document.body.dataset.explainWired) return;
  document.body.dataset.explainWired = '1';
  document.addEventListener('click', (e) => {
    const b = e.target.closest?.('[data-explain]');
    if (!b) return;
    e.preventDefault();
    e.stopPropagation();
    openExplain(b.dataset.explain, b);
  });
}
