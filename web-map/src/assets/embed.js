// The embed dialog: builds the iframe code for /embed with a live preview.
import { t } from './i18n.js';
import { format } from './state.js';

/** The /embed URL of view `s` with the dialog's options. */
export function embedURL(origin, s, opts, camera) {
  const lock = [opts.lockInd && 'ind', opts.lockPeriod && 'period', opts.lockLevel && 'level'].filter(Boolean);
  const e = { ...s, lock: lock.join(','), controls: opts.hideControls ? '0' : '1', at: opts.frameView ? camera : '' };
  return `${origin}/embed${format(e)}`;
}

/** Opens the dialog for view `getState()`; `camera()` is the current camera string. */
export function openEmbedDialog(dialog, lang, getState, camera) {
  const opts = { lockInd: true, lockPeriod: false, lockLevel: false, hideControls: false, frameView: true };
  const labels = { lockInd: 'lockInd', lockPeriod: 'lockPeriod', lockLevel: 'lockLevel', hideControls: 'hideControls', frameView: 'frameView' };
  dialog.innerHTML = `<form method="dialog" class="embed-form"><h2>${t(lang, 'embed')}</h2>
    <div class="opts">${Object.entries(labels).map(([k, l]) =>
      `<label><input type="checkbox" name="${k}" ${opts[k] ? 'checked' : ''}> ${t(lang, l)}</label>`).join('')}
    <label>W <input name="w" type="number" value="800" min="200" max="2000"></label>
    <label>H <input name="h" type="number" value="500" min="200" max="2000"></label></div>
    <label>${t(lang, 'embedCode')}<textarea id="embed-code" rows="3" readonly></textarea></label>
    <div class="lbl">${t(lang, 'preview')}</div><iframe id="embed-preview" title="preview"></iframe>
    <button value="close">${t(lang, 'close')}</button></form>`;
  const form = dialog.querySelector('form');
  const update = () => {
    for (const k of Object.keys(labels)) opts[k] = form.elements[k].checked;
    const url = embedURL(location.origin, getState(), opts, camera());
    const w = +form.elements.w.value || 800;
    const h = +form.elements.h.value || 500;
    const code = `<iframe src="${url.replace(/&/g, '&amp;')}" width="${w}" height="${h}" style="border:0" ` +
      `title="${t(lang, 'title')}" loading="lazy" allowfullscreen></iframe>`;
    form.querySelector('#embed-code').value = code;
    const preview = form.querySelector('#embed-preview');
    if (preview.getAttribute('src') !== url) preview.setAttribute('src', url);
    preview.style.width = `${Math.min(w, 760)}px`;
    preview.style.height = `${Math.min(h, 420)}px`;
  };
  form.addEventListener('change', update);
  form.addEventListener('input', update);
  update();
  dialog.showModal();
}
