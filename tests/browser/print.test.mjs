// The print layout in a real browser: `/print?<view>&paper=&orient=&format=` and the web map's
// "In / Tải bản đồ" dialog make the file in the page (MapLibre offscreen at 300 dpi, jsPDF);
// the downloads are checked with Debian's poppler (pdftoppm renders the PDF, pdftotext reads
// its text layer) and tesseract (OCR of the PNG and of the rendered PDF, Vietnamese). Files
// and their renderings land in target/browser-artifacts/ to be looked at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { frames, mmToPx } from '../../web-map/src/assets/layout.js';
import { ART, BASE, getJSON, launchChromium } from './harness.mjs';

let browser;
const errors = [];
const foreign = [];

async function newPage() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page.on('console', (m) => {
    const url = m.location()?.url || '';
    if (m.type() === 'error' && !(/\/tiles\/h3\/|\/api\/v1\/units\//.test(url) && /404/.test(m.text()))) errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  // Fonts, glyphs, tiles and jsPDF all come from popmap: nothing leaves the server.
  page.on('request', (r) => {
    if (!r.url().startsWith(`${BASE}/`) && !/^(data|blob):/.test(r.url())) foreign.push(r.url());
  });
  return page;
}

/** Runs `action` and saves the download it starts as ART/`name`. */
async function download(page, name, action) {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 240000 }), action()]);
  const path = join(ART, name);
  await d.saveAs(path);
  return { path, suggested: d.suggestedFilename() };
}

const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

/** Width and height of a PNG file (IHDR). */
function pngSize(path) {
  const b = readFileSync(path);
  assert.deepEqual([...b.subarray(1, 4)], [...Buffer.from('PNG')], `${path} is a PNG`);
  return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
}

/** OCR text of a PNG (Vietnamese) in page segmentation mode `psm`, NFC, whitespace collapsed. */
function ocr(path, { psm = 11, dpi = 300 } = {}) {
  return run('tesseract', [path, 'stdout', '-l', 'vie', '--psm', String(psm), '--dpi', String(dpi)]).normalize('NFC').replace(/\s+/g, ' ');
}

/**
 * Crops `box` (mm on the page, at `dpi`) out of the PNG `src` into ART/`name` (drawn by the
 * browser: no image library needed) so OCR reads one part of the layout at a time: on the
 * whole page the map's many borders drown the text.
 */
async function crop(src, name, box, dpi) {
  const px = { x: Math.round(mmToPx(box.x, dpi)), y: Math.round(mmToPx(box.y, dpi)), w: Math.round(mmToPx(box.w, dpi)), h: Math.round(mmToPx(box.h, dpi)) };
  const page = await browser.newPage();
  const b64 = await page.evaluate(async ({ data, px }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = px.w;
    c.height = px.h;
    c.getContext('2d').drawImage(img, px.x, px.y, px.w, px.h, 0, 0, px.w, px.h);
    return c.toDataURL('image/png').split(',')[1];
  }, { data: readFileSync(src).toString('base64'), px });
  await page.close();
  const out = join(ART, name);
  writeFileSync(out, Buffer.from(b64, 'base64'));
  return out;
}

/** Renders page 1 of `pdf` at `dpi` to ART/<base>.png (pdftoppm must succeed) and returns it. */
function renderPDF(pdf, base, dpi) {
  const out = join(ART, base);
  run('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', pdf, out]);
  assert.ok(existsSync(`${out}.png`), 'pdftoppm made a PNG');
  return `${out}.png`;
}

/** The newest month and its words: ["2026-09", "Tháng 9/2026"]. */
async function latestMonth() {
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period));
  const p = months[months.length - 1].period;
  return [p, `Tháng ${Number(p.slice(5))}/${p.slice(0, 4)}`];
}

/** Checks a national PDF: it renders at the paper's aspect, its text layer has the title, the
 * period in words and the source line, and the archipelagos' names are on the page (OCR). */
async function checkNationalPDF(path, base, orient, period) {
  const png = renderPDF(path, base, 100);
  const { w, h } = pngSize(png);
  const aspect = orient === 'landscape' ? 297 / 210 : 210 / 297;
  assert.ok(Math.abs(w / h - aspect) < 0.01, `${base}: ${w}×${h} is A4 ${orient}`);
  const text = run('pdftotext', ['-layout', path, '-']).normalize('NFC');
  assert.match(text, /Mật độ dân số \(người\/km²\)/, 'title with the unit of measure');
  assert.ok(text.includes(period), `the period in words (${period})`);
  assert.match(text, /Nguồn: popmap/, 'the source line');
  assert.match(text, /Việt Nam/, 'the area shown');
  assert.match(text, /Ngày công bố: \d{2}\/\d{2}\/\d{4}/, 'the publication date');
  assert.match(text, /không phải số liệu chính thức/, 'the synthetic-data label');
  assert.doesNotMatch(text, /@r\d|vn-20\d\d/, 'no internal ids');
  // The map is a picture: its place names are read by OCR from a 200 dpi rendering.
  // Map labels sit among islands and borders, so OCR reads the map frame at two resolutions
  // in two segmentation modes and a name counts when any reading has it.
  const f = frames('a4', orient);
  let seen = '';
  for (const dpi of [200, 300]) {
    const map = await crop(renderPDF(path, `${base}-${dpi}dpi`, dpi), `${base}-map-${dpi}dpi.png`, f.map, dpi);
    for (const psm of [3, 11]) seen += ` | ${ocr(map, { psm, dpi })}`;
  }
  for (const name of ['Hoàng Sa', 'Trường Sa']) assert.ok(seen.toLowerCase().includes(name.toLowerCase()), `${base}: OCR reads "${name}" (read: ${seen.slice(0, 400)})`);
  return text;
}

before(async () => {
  mkdirSync(ART, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

test('/print makes the national A4 landscape PDF, offered on load and by a button', async () => {
  const [period, words] = await latestMonth();
  const page = await newPage();
  const url = `${BASE}/print?ind=density&period=${period}&paper=a4&orient=landscape&format=pdf`;
  const { path, suggested } = await download(page, 'print-a4-landscape.pdf', () => page.goto(url));
  assert.match(suggested, /\.pdf$/);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
  assert.ok(await page.locator('#print-download').isVisible(), 'a visible download button');
  assert.ok(await page.locator('#print-preview').isVisible(), 'a preview of the page');
  await page.screenshot({ path: join(ART, 'print-page.png') });
  const head = readFileSync(path).subarray(0, 5).toString();
  assert.equal(head, '%PDF-');
  const text = await checkNationalPDF(path, 'print-a4-landscape', 'landscape', words);
  // The legend's numbers are Vietnamese (1.234,5), with a count per class.
  assert.match(text, /\d{1,3}(\.\d{3})+|\d+,\d/, 'numbers in Vietnamese format');
  assert.match(text, /Không có số liệu/);
  await page.close();
});

test('/print makes the national A4 portrait PDF with both archipelagos', async () => {
  const [period, words] = await latestMonth();
  const page = await newPage();
  const url = `${BASE}/print?ind=density&period=${period}&paper=a4&orient=portrait&format=pdf`;
  const { path } = await download(page, 'print-a4-portrait.pdf', () => page.goto(url));
  await checkNationalPDF(path, 'print-a4-portrait', 'portrait', words);
  await page.close();
});

test('/print makes a 300 dpi PNG of a provincial view with unit, area and scale bar', async () => {
  const [period] = await latestMonth();
  const page = await newPage();
  const url = `${BASE}/print?ind=density&period=${period}&at=9.20/21.0300/105.8400&paper=a4&orient=landscape&format=png`;
  const { path } = await download(page, 'print-a4-landscape-hanoi.png', () => page.goto(url));
  assert.deepEqual(pngSize(path), { w: 3508, h: 2480 }, 'A4 landscape at 300 dpi');
  const f = frames('a4', 'landscape');
  const head = ocr(await crop(path, 'print-hanoi-header.png', f.header, 300));
  assert.ok(/người\/km/.test(head), `OCR reads the unit of measure (read: ${head})`);
  assert.ok(head.includes('Hà Nội'), `OCR reads the area name (read: ${head})`);
  // The scale bar's label line: the page says how long the bar is.
  const bar = await page.evaluate(() => window.popmapPrint.spec.bar);
  const s = f.scale;
  const corner = { x: f.map.x + 3 * s, y: f.map.y + f.map.h - 5 * s - 1.6 * s - 6 * s, w: bar.mm + 14 * s, h: 5 * s };
  const read = ocr(await crop(path, 'print-hanoi-scalebar.png', corner, 300));
  assert.ok(read.includes(bar.label), `OCR reads the scale bar's "${bar.label}" (read: ${read})`);
  assert.match(bar.label, /^\d+ km$/);
  // The view misses the archipelagos, so the page has the inset that names them.
  const inset = await page.evaluate(() => window.popmapPrint.boxes.inset);
  assert.ok(inset, 'an inset frame');
  let names = '';
  for (const psm of [3, 11]) names += ` | ${ocr(await crop(path, 'print-hanoi-inset.png', inset, 300), { psm })}`;
  // OCR confuses the case of a lone s ("Trường sa"): names are compared without case.
  for (const name of ['Hoàng Sa', 'Trường Sa']) assert.ok(names.toLowerCase().includes(name.toLowerCase()), `the inset names ${name} (read: ${names})`);
  await page.close();
});

test('/print corrects a view the server cannot serve (k=12, fixed breaks for density) instead of failing', async () => {
  const [period] = await latestMonth();
  const page = await newPage();
  const failed = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  const url = `${BASE}/print?ind=density&period=${period}&method=fixed&k=12&at=9.20/21.0300/105.8400&paper=a4&orient=landscape&format=png`;
  await download(page, 'print-corrected.png', () => page.goto(url));
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
  const status = (await page.locator('#print-status').innerText()).normalize('NFC');
  assert.match(status, /Số lớp phải từ 2 đến 9/, `the k notice in Vietnamese (status: ${status})`);
  assert.doesNotMatch(status, /bad_request|must be|fixed breaks configured/, 'no server text');
  assert.deepEqual(failed, [], 'no request the server refuses');
  await page.close();
});

test('/print makes a change map (cmp=) with the change classes in the legend', async () => {
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period));
  const last = months[months.length - 1];
  const first = months.find((p) => p.version === last.version);
  assert.notEqual(first.period, last.period);
  const words = (p) => `Tháng ${Number(p.slice(5))}/${p.slice(0, 4)}`;
  const page = await newPage();
  const url = `${BASE}/print?ind=density&period=${last.period}&cmp=${first.period}&paper=a4&orient=landscape&format=pdf`;
  const { path } = await download(page, 'print-change.pdf', () => page.goto(url));
  renderPDF(path, 'print-change', 100);
  const text = run('pdftotext', [path, '-']).normalize('NFC');
  assert.ok(text.includes(`Mật độ dân số — thay đổi từ ${words(first.period)} đến ${words(last.period)} (người/km²)`), text.slice(0, 300));
  assert.ok(text.includes(words(last.period)));
  // The server's symmetric change classes (/api/v1/map/change) and the no-data row.
  const served = await getJSON(`/api/v1/map/change?indicator=density&period=${last.period}&base=${first.period}&level=province`);
  const classes = await page.evaluate(() => window.popmapPrint.spec.legend.rows.length);
  assert.equal(classes, served.classes.length + 1);
  await page.close();
});

test('the web map dialog makes the same layout', async () => {
  const [period, words] = await latestMonth();
  const page = await newPage();
  await page.goto(`${BASE}/?ind=density&period=${period}`);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
  await page.click('#print');
  await page.waitForSelector('#print-dialog[open]');
  const link = await page.locator('#print-link').getAttribute('href');
  assert.match(link, /^\/print\?.*period=.*&paper=a4&orient=landscape&format=pdf&bounds=/);
  await page.screenshot({ path: join(ART, 'print-dialog.png') });
  const { path } = await download(page, 'print-dialog-a4-landscape.pdf', () => page.click('#print-make'));
  const png = renderPDF(path, 'print-dialog-a4-landscape', 100);
  const { w, h } = pngSize(png);
  assert.ok(Math.abs(w / h - 297 / 210) < 0.01);
  // The national view from the dialog and from /print are the same page, pixel for pixel.
  const fromURL = join(ART, 'print-a4-landscape.png');
  if (existsSync(fromURL)) assert.ok(readFileSync(png).equals(readFileSync(fromURL)), 'the dialog and /print make the same page');
  const text = run('pdftotext', [path, '-']).normalize('NFC');
  assert.match(text, /Mật độ dân số \(người\/km²\)/);
  assert.ok(text.includes(words));
  assert.match(text, /Nguồn: popmap/);
  // PNG from the dialog: A3 portrait at 300 dpi.
  await page.selectOption('#print-format', 'png');
  await page.selectOption('#print-paper', 'a3');
  await page.selectOption('#print-orient', 'portrait');
  const { path: p2 } = await download(page, 'print-dialog-a3-portrait.png', () => page.click('#print-make'));
  const size = pngSize(p2);
  const notes = await page.locator('#print-dialog-status').textContent();
  // A GPU that cannot draw the A3 map frame at 300 dpi gets it at a lower dpi, and says so;
  // the page itself is always 300 dpi.
  assert.deepEqual(size, { w: 3508, h: 4961 }, `A3 portrait page at 300 dpi (${notes})`);
  await page.close();
});

test('no console errors on the print pages, and no request leaves the server', () => {
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
});
