// The map's "Tải số liệu" menu (web-map/src/assets/downloads.js) links to the API's complete
// downloads, not to the tiles in view: its CSV downloads (a real browser download) a file that
// starts with the UTF-8 BOM and holds every unit of the level drawn; its Excel link a .xlsx (a
// zip: "PK"); its GeoJSON link the API's full-geometry file; with a unit selected it offers
// "only within" that unit; on other boundaries it asks for the harmonised file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ART, BASE, newPage, waitReady, settle, getJSON, consoleErrors, useBrowser, axe } from './harness.mjs';

useBrowser('bench-downloads.json');

const BOM = [0xef, 0xbb, 0xbf];

/** Opens the menu and waits for its links. */
async function openMenu(page) {
  if (!(await page.evaluate(() => document.querySelector('#downloads').open))) await page.click('#downloads summary');
  await page.waitForSelector('#downloads .dl-links a[data-format="csv"]');
}

/** Clicks `selector` and returns the downloaded file's bytes and suggested name. */
async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = join(ART, `dl-${d.suggestedFilename()}`);
  await d.saveAs(path);
  return { bytes: readFileSync(path), name: d.suggestedFilename() };
}

/** A CSV (after its BOM) as rows of column → cell; Vietnamese names have no commas or quotes. */
function csvRows(bytes) {
  const [head, ...lines] = bytes.subarray(3).toString('utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [cols[i], c])));
}

const href = (page, format) => page.getAttribute(`#downloads .dl-links a[data-format="${format}"]`, 'href');

test('the download menu gives every unit of the level drawn as CSV with a BOM, Excel and GeoJSON', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?ind=population&level=commune`);
  await waitReady(page);
  await settle(page);
  const drawn = await page.evaluate(() => document.body.dataset.period);
  const values = await getJSON(`/api/v1/map/values?period=${encodeURIComponent(drawn)}&level=commune`);
  assert.equal(values.codes.length, 3321, 'the newest month is drawn on vn-2025');
  // The old tile exports are gone; PNG stays.
  assert.equal(await page.$('#csv'), null);
  assert.equal(await page.$('#geojson'), null);
  assert.ok(await page.$('#png'));
  assert.equal((await page.textContent('#downloads summary')).trim(), 'Tải số liệu');

  await openMenu(page);
  const note = await page.textContent('#downloads .dl-note');
  assert.match(note, /Mọi đơn vị cấp xã, mọi chỉ tiêu công khai, Tháng \d+\/\d{4} \(3\.321 đơn vị\)/);
  assert.doesNotMatch(note, /vn-20|@r/);
  const csvHref = await href(page, 'csv');
  assert.equal(csvHref, `/api/v1/download/${encodeURIComponent(drawn)}/commune.csv`);
  const csv = await download(page, '#downloads .dl-links a[data-format="csv"]');
  assert.deepEqual([...csv.bytes.subarray(0, 3)], BOM, 'the CSV starts with the UTF-8 BOM');
  assert.match(csv.name, /^popmap-.*-commune\.csv$/);
  const rows = csvRows(csv.bytes);
  assert.equal(rows.length, values.codes.length, 'every unit of the level drawn, not only those in view');
  assert.deepEqual(rows.map((r) => r.code).sort(), [...values.codes].sort());
  assert.ok(rows.every((r) => r.parent_name && r.boundary_version === 'vn-2025' && r.harmonised === 'false'));
  assert.ok(rows.some((r) => r.name === 'Phường Ba Đình' && r.parent_name === 'Thành phố Hà Nội'));

  const xlsx = await download(page, '#downloads .dl-links a[data-format="xlsx"]');
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK', 'an .xlsx is a zip');
  assert.match(xlsx.name, /\.xlsx$/);

  const gj = new URL(await href(page, 'geojson'), BASE);
  assert.equal(gj.origin, new URL(BASE).origin);
  assert.equal(gj.pathname, `/api/v1/download/${encodeURIComponent(drawn)}/commune.geojson`);
  assert.equal(await page.getAttribute('#downloads a.dl-docs', 'href'), '/api/docs');
  await page.screenshot({ path: join(ART, 'downloads-menu.png') });
  await page.close();
});

test('with a unit selected the menu offers only that unit; other boundaries ask for the harmonised file', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?ind=population&level=commune&sel=01`);
  await waitReady(page);
  await settle(page);
  await page.waitForFunction(() => document.body.dataset.selected === '01');
  await openMenu(page);
  const within = page.locator('#downloads input[name="dl-scope"][value="parent"]');
  assert.match(await page.textContent('#downloads .dl-scope'), /Chỉ trong Thành phố Hà Nội/);
  assert.doesNotMatch(await href(page, 'csv'), /parent=/, 'the whole level until asked');
  await within.check();
  assert.match(await href(page, 'xlsx'), /commune\.xlsx\?parent=01$/);
  const serious = (await axe(page, '#downloads')).filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(serious, [], 'the open menu passes axe');
  const csv = await download(page, '#downloads .dl-links a[data-format="csv"]');
  const rows = csvRows(csv.bytes);
  assert.ok(rows.length > 50, `${rows.length} communes of Hà Nội`);
  assert.ok(rows.every((r) => r.parent_code === '01'));

  // June 2024 (vn-2019) drawn on the vn-2025 provinces: the harmonised file, which says so.
  await page.goto(`${BASE}/?ind=population&level=province&period=2024-06&bv=vn-2025`);
  await waitReady(page);
  await settle(page);
  await openMenu(page);
  assert.match(await href(page, 'csv'), /\/api\/v1\/download\/2024-06[^/]*\/province\.csv\?version=vn-2025$/);
  assert.match(await page.textContent('#downloads .dl-body'), /quy đổi sang ranh giới/);
  const h = csvRows((await download(page, '#downloads .dl-links a[data-format="csv"]')).bytes);
  assert.equal(h.length, 34);
  assert.ok(h.every((r) => r.harmonised === 'true' && r.harmonised_from === 'vn-2019' && r.boundary_version === 'vn-2025'));
  await page.close();
});

test('no console errors in the download pages', () => {
  assert.deepEqual(consoleErrors, []);
});
