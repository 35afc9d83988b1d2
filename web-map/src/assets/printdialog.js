// The web map's "In / Tải bản đồ" dialog: format, paper and orientation for the view on screen;
// it makes the same file as the /print page (printjob.js) and shows that page's link for a
// portal. Loaded as its own module by index.html: it reads the map through window.popmap.
import { format as formatState } from './state.js';
import { makePrint } from './printjob.js';
import { download } from './export.js';
import { errorText } from './i18n.js';

const TEXT = {
  vi: { open: 'In / Tải bản đồ', format: 'Định dạng', paper: 'Khổ giấy', orient: 'Hướng giấy', landscape: 'Ngang', portrait: 'Dọc',
    make: 'Tạo tệp', close: 'Đóng', busy: 'Đang vẽ bản đồ ở 300 dpi…', done: 'Đã tạo', link: 'Liên kết in cho cổng thông tin', failed: 'Không in được' },
  en: { open: 'Print / download', format: 'Format', paper: 'Paper', orient: 'Orientation', landscape: 'Landscape', portrait: 'Portrait',
    make: 'Make the file', close: 'Close', busy: 'Drawing the map at 300 dpi…', done: 'Made', link: 'Print link for a portal', failed: 'Could not print' },
};

const select = (id, options) => `<select id="${id}">${options.map(([v, l]) => `<option value="${v}">${l}</option>`).join('')}</select>`;

/** The /print URL of a view and print options (what a portal links to). */
export function printURL(S, { paper, orient, format, bounds }) {
  const q = formatState(S);
  const extra = new URLSearchParams({ paper, orient, format, ...(bounds ? { bounds } : {}) }).toString().replace(/%2C/g, ',');
  return `/print${q ? `${q}&` : '?'}${extra}`;
}

/** Opens the dialog for the map's current view. */
export function openPrintDialog(dialog, popmap) {
  const S = popmap.state();
  const L = TEXT[S.lang === 'en' ? 'en' : 'vi'];
  const row = (label, control) => `<label style="display:grid;grid-template-columns:9em 10em;gap:.5em;margin:.4em 0">${label} ${control}</label>`;
  dialog.style.maxWidth = '34em';
  dialog.innerHTML = `<form method="dialog" class="print-form"><h2 style="margin-top:0">${L.open}</h2>` +
    row(L.format, select('print-format', [['pdf', 'PDF'], ['png', 'PNG']])) +
    row(L.paper, select('print-paper', [['a4', 'A4'], ['a3', 'A3']])) +
    row(L.orient, select('print-orient', [['landscape', L.landscape], ['portrait', L.portrait]])) +
    `<p><button id="print-make" type="button">${L.make}</button> <button value="close">${L.close}</button></p>` +
    `<p id="print-dialog-status" role="status"></p>` +
    `<p style="font-size:.85em;overflow-wrap:anywhere">${L.link}: <a id="print-link" target="_blank" rel="noopener"></a></p></form>`;
  const $ = (s) => dialog.querySelector(s);
  const b = popmap.map.getBounds();
  const bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(4)).join(',');
  const opts = () => ({ paper: $('#print-paper').value, orient: $('#print-orient').value, format: $('#print-format').value, bounds });
  const link = () => {
    const url = printURL(S, opts());
    $('#print-link').href = url;
    $('#print-link').textContent = `${location.origin}${url}`;
  };
  for (const id of ['#print-format', '#print-paper', '#print-orient']) $(id).addEventListener('change', link);
  link();
  $('#print-make').addEventListener('click', async () => {
    $('#print-make').disabled = true;
    $('#print-dialog-status').textContent = L.busy;
    try {
      const out = await makePrint(S, opts());
      download(out.name, out.blob);
      $('#print-dialog-status').textContent = [`${L.done} ${out.name}.`, ...out.notes].join(' ');
    } catch (e) {
      $('#print-dialog-status').textContent = `${L.failed}: ${errorText(S.lang === 'en' ? 'en' : 'vi', e)}`;
    } finally {
      $('#print-make').disabled = false;
    }
  });
  dialog.showModal();
}

const button = document.querySelector('#print');
const dialog = document.querySelector('#print-dialog');
if (button && dialog) {
  button.textContent = TEXT[new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'vi'].open;
  button.addEventListener('click', () => {
    if (window.popmap?.map) openPrintDialog(dialog, window.popmap);
  });
}
