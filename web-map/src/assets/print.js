// The /print page: `/print?<the map's URL state>&paper=a4|a3&orient=landscape|portrait&format=pdf|png`
// (optionally `bounds=w,s,e,n`) makes the print layout of that view, offers the file (downloaded
// on load and behind a button) and shows a preview of the page. A portal links here.
import { parse, format as formatState } from './state.js';
import { makePrint } from './printjob.js';
import { download } from './export.js';
import { errorText } from './i18n.js';

const $ = (s) => document.querySelector(s);
const TEXT = {
  vi: { title: 'In / Tải bản đồ', busy: 'Đang vẽ bản đồ…', ready: 'Bản đồ đã sẵn sàng.', download: 'Tải xuống', back: 'Mở bản đồ', failed: 'Không in được' },
  en: { title: 'Print / download the map', busy: 'Drawing the map…', ready: 'The map is ready.', download: 'Download', back: 'Open the map', failed: 'Could not print' },
};

/** The print options of a query string, defaulted and checked. */
export function printOptions(search) {
  const p = new URLSearchParams(search);
  const pick = (k, allowed) => (allowed.includes(p.get(k)) ? p.get(k) : allowed[0]);
  return { paper: pick('paper', ['a4', 'a3']), orient: pick('orient', ['landscape', 'portrait']), format: pick('format', ['pdf', 'png']), bounds: p.get('bounds') || '' };
}

async function main() {
  const S = parse(location.search);
  const L = TEXT[S.lang === 'en' ? 'en' : 'vi'];
  document.documentElement.lang = S.lang === 'en' ? 'en' : 'vi';
  $('#print-title').textContent = L.title;
  $('#print-status').textContent = L.busy;
  $('#print-back').textContent = L.back;
  $('#print-back').href = `/${formatState(S)}`;
  const opts = printOptions(location.search);
  try {
    const out = await makePrint(S, opts);
    const a = $('#print-download');
    a.href = URL.createObjectURL(out.blob);
    a.download = out.name;
    a.textContent = `${L.download} (${opts.format.toUpperCase()}, ${opts.paper.toUpperCase()})`;
    a.hidden = false;
    const img = $('#print-preview');
    img.src = out.preview.toDataURL('image/png');
    img.alt = out.spec.title;
    img.hidden = false;
    $('#print-status').textContent = [L.ready, ...out.notes].join(' ');
    download(out.name, out.blob);
    document.body.dataset.ready = '1';
    window.popmapPrint = { name: out.name, spec: out.spec, notes: out.notes, boxes: out.boxes };
  } catch (e) {
    // Never the server's or a library's text: a short sentence in the page's language.
    $('#print-status').textContent = `${L.failed}: ${errorText(S.lang === 'en' ? 'en' : 'vi', e)}`;
    document.body.dataset.ready = 'error';
    console.warn('popmap print failed', e);
  }
}

main();
