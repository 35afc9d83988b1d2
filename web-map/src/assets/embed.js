// The embed dialog: builds the iframe code for /embed with a live preview. The editor chooses
// the frame (the whole country, the selected unit or a typed code), the options, a responsive
// (width 100 %, aspect kept) or fixed size, may edit the embed address by hand, and sees the
// parameters' problems in words as they edit (frame.js's strict check, the one the embed
// itself applies). Copy puts the snippet on the clipboard and says so in a status line.
import { t } from './i18n.js';
import { format, parse } from './state.js';
import { fetchArea, problems, viewTitle } from './frame.js';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const ASPECTS = ['16/10', '4/3', '1/1'];

/** The /embed URL of view `s` with the dialog's options. */
export function embedURL(origin, s, opts, camera) {
  const lock = [opts.lockInd && 'ind', opts.lockPeriod && 'period', opts.lockLevel && 'level'].filter(Boolean);
  const area = opts.area || '';
  const e = {
    ...s, lock: lock.join(','), controls: opts.hideControls ? '0' : '1', sel: area ? '' : s.sel,
    // A framed unit sets the camera itself (fitted to any frame size): `at` is left out.
    at: opts.frameView && !area ? camera : '', area, sa: area && opts.searchArea ? '1' : '',
  };
  // The indicator always named (even the default one): a portal's frame must not change
  // indicator if the map's default ever does.
  let q = format(e);
  if (!/[?&]ind=/.test(q)) q = `?ind=${encodeURIComponent(s.ind)}${q ? `&${q.slice(1)}` : ''}`;
  return `${origin}/embed${q}`;
}

/** The iframe snippet of `url` titled `title`: responsive (`size.mode` 'fluid') or fixed. */
export function snippet(url, title, size) {
  const src = esc(url);
  const common = `title="${esc(title)}" loading="lazy" allowfullscreen`;
  if (size.mode === 'fixed') return `<iframe src="${src}" width="${size.w}" height="${size.h}" style="border:0" ${common}></iframe>`;
  return `<iframe src="${src}" style="width:100%;aspect-ratio:${size.aspect};border:0" ${common}></iframe>`;
}

/** Copies `text`: the async clipboard, else a selected textarea and execCommand (older browsers, http). */
async function copyText(text, area) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    area.select();
    return document.execCommand('copy');
  }
}

const form0 = (dialog) => dialog.querySelector('form');

function formHTML(L, sel, aspect) {
  const check = (name, on) => `<label><input type="checkbox" name="${name}"${on ? ' checked' : ''}> ${esc(t(L, name))}</label>`;
  const radio = (name, value, label, on, extra = '') =>
    `<label><input type="radio" name="${name}" value="${value}"${on ? ' checked' : ''}${extra}> ${label}</label>`;
  return `<form method="dialog" class="embed-form"><h2>${esc(t(L, 'embedTitle'))}</h2>
    <fieldset><legend>${esc(t(L, 'frameLegend'))}</legend>
      <div class="row">${radio('frame', 'all', esc(t(L, 'frameAll')), !sel)}
      ${radio('frame', 'sel', `${esc(t(L, 'frameSel'))}${sel ? `: <span id="embed-sel-name">${esc(sel.name)}</span>` : ''}`, !!sel, sel ? '' : ' disabled')}
      ${radio('frame', 'code', esc(t(L, 'frameCode')), false)}
      <label>${esc(t(L, 'frameCodeLabel'))} <input type="text" name="code" size="7" inputmode="numeric" autocomplete="off"></label></div>
      <div class="row"><span id="embed-area-name" role="status"></span>${check('searchArea', true)}</div>
    </fieldset>
    <fieldset><legend>${esc(t(L, 'optionsLegend'))}</legend><div class="row">
      ${check('lockInd', true)}${check('lockPeriod', false)}${check('lockLevel', false)}${check('hideControls', false)}${check('frameView', true)}
    </div></fieldset>
    <fieldset><legend>${esc(t(L, 'sizeLegend'))}</legend>
      <div class="row">${radio('size', 'fluid', esc(t(L, 'sizeFluid')), true)}
        <label>${esc(t(L, 'aspect'))} <select name="aspect">${ASPECTS.map((a) =>
          `<option value="${a}"${a === aspect ? ' selected' : ''}>${a.replace('/', ':')}</option>`).join('')}</select></label></div>
      <div class="row">${radio('size', 'fixed', esc(t(L, 'sizeFixed')), false)}
        <label>${esc(t(L, 'widthPx'))} <input name="w" type="number" value="800" min="200" max="2000"></label>
        <label>${esc(t(L, 'heightPx'))} <input name="h" type="number" value="500" min="200" max="2000"></label></div>
    </fieldset>
    <label>${esc(t(L, 'embedURL'))}<input type="url" id="embed-url" name="url" spellcheck="false"></label>
    <ul id="embed-problems" role="alert"></ul>
    <label>${esc(t(L, 'embedCode'))}<textarea id="embed-code" rows="4" readonly></textarea></label>
    <div class="row"><button type="button" id="embed-copy">${esc(t(L, 'copy'))}</button><span id="embed-copied" role="status"></span></div>
    <div class="lbl">${esc(t(L, 'preview'))}</div>
    <div class="embed-preview-box"><iframe id="embed-preview" title="${esc(t(L, 'preview'))}"></iframe></div>
    <button value="close">${esc(t(L, 'close'))}</button></form>`;
}

/**
 * Opens the dialog for view `getState()`; `camera()` is the current camera string, `meta` the
 * page's {indicators, periods, versions}, `selected()` the selected unit {code, name} or null.
 */
export function openEmbedDialog(dialog, lang, getState, camera, meta, selected = () => null) {
  const L = lang;
  const sel = selected();
  dialog.setAttribute('aria-labelledby', 'embed-title');
  dialog.innerHTML = formHTML(L, sel, '16/10');
  const framed = getState().area; // the map already frames a unit (area=): offered as the typed code
  if (framed) {
    form0(dialog).elements.code.value = framed;
    form0(dialog).elements.frame.value = 'code';
  }
  dialog.querySelector('h2').id = 'embed-title';
  const form = dialog.querySelector('form');
  const el = form.elements;
  const $ = (s) => form.querySelector(s);
  let edited = null; // the address as the editor typed it (wins over the options until they change)
  let seq = 0;
  let reload = 0; // the preview's pending reload
  const areaCode = () => (el.frame.value === 'sel' ? sel?.code || '' : el.frame.value === 'code' ? el.code.value.trim() : '');
  const size = () => ({ mode: el.size.value, aspect: el.aspect.value, w: +el.w.value || 800, h: +el.h.value || 500 });

  const render = async (url) => {
    const my = ++seq;
    const s = parse(new URL(url, location.origin).search);
    let area;
    try {
      area = s.area ? await fetchArea(s.area, s.period, s.bv) : undefined;
    } catch {
      area = undefined; // the server could not answer: no verdict on the code
    }
    if (my !== seq) return; // a newer edit is being checked
    const list = problems(s, meta, L, area);
    $('#embed-problems').innerHTML = list.map((p) => `<li data-param="${esc(p.param)}">${esc(p.text)}</li>`).join('');
    $('#embed-area-name').textContent = area ? `${t(L, 'frameArea')}: ${area.properties.name}` : '';
    const title = viewTitle(meta, s, area?.properties?.name, L);
    const sz = size();
    $('#embed-code').value = snippet(url, title, sz);
    const box = $('.embed-preview-box');
    box.style.aspectRatio = sz.mode === 'fixed' ? `${sz.w}/${sz.h}` : sz.aspect;
    box.style.width = sz.mode === 'fixed' ? `min(100%, ${sz.w}px)` : '100%';
    const preview = $('#embed-preview');
    preview.title = `${t(L, 'preview')}: ${title}`;
    // The preview reloads once the editor pauses: each load of /embed is some fifty requests.
    clearTimeout(reload);
    reload = setTimeout(() => preview.getAttribute('src') !== url && preview.setAttribute('src', url), 400);
    dialog.dataset.checked = String(my);
  };
  const update = (e) => {
    if (e?.target === el.url) edited = el.url.value;
    else if (e && e.target !== el.size && e.target !== el.aspect && e.target !== el.w && e.target !== el.h) edited = null;
    if (e?.target === el.code && el.code.value) el.frame.value = 'code';
    const opts = Object.fromEntries(['lockInd', 'lockPeriod', 'lockLevel', 'hideControls', 'frameView', 'searchArea'].map((k) => [k, el[k].checked]));
    opts.area = areaCode();
    el.frameView.disabled = !!opts.area; // a framed unit fits the camera itself
    const url = edited ?? embedURL(location.origin, getState(), opts, camera());
    if (edited === null) el.url.value = url;
    $('#embed-copied').textContent = '';
    render(url);
  };
  form.addEventListener('change', update);
  form.addEventListener('input', update);
  $('#embed-copy').addEventListener('click', async () => {
    const ok = await copyText($('#embed-code').value, $('#embed-code'));
    $('#embed-copied').textContent = t(L, ok ? 'copied' : 'copyFailed');
  });
  update();
  dialog.showModal();
}
