// The table view of the map (issue 16, contract 4), in Chromium against the demo server: the
// "Bảng số liệu" dialog lists EVERY unit of the level drawn with the values of
// /api/v1/map/values formatted the Vietnamese way, ranks with shared ties, the legend's classes
// as swatch and words, flags in words; sorting (aria-sort), filtering by parent, following the
// map (indicator, level, period, comparison), a row opening the unit's popup, 10,040 vn-2019
// communes without freezing, and the phone layout. Screenshots: target/browser-artifacts/table-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, newPage, waitReady, settle, getJSON, consoleErrors, bench, ART } from './harness.mjs';

useBrowser('bench-table.json');

const VI = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
/** The legend's number format (i18n.js `num`): 1.234,5, '—' for no value. */
const fmt = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : VI.format(v));

/** Competition ranks (1 = highest, ties share): computed here, independently of table.js. */
function ranksOf(values) {
  return values.map((v) => (Number.isFinite(v) ? 1 + values.filter((w) => Number.isFinite(w) && w > v).length : null));
}

/** The rows written in the table: code, name, parent, value, class text, rank, flags. */
function rowsOf(page) {
  return page.$$eval('#table-data tbody tr[data-code]', (trs) => trs.map((tr) => {
    const text = (sel) => tr.querySelector(sel)?.textContent.trim() ?? null;
    return {
      code: tr.dataset.code,
      name: text('.tb-unit'),
      parent: text('.tb-parent'),
      value: text('[data-v]'),
      cls: text('.cls'),
      swatch: tr.querySelector('.cls .sw')?.style.background || null,
      rank: text('.rk'),
      flags: text('.flags'),
    };
  }));
}

/** Runs `act` in the page and waits for the table to be re-rendered with `n` units. */
async function rerender(page, act, n) {
  await page.evaluate(() => { window.popmap.tableTimings = null; });
  await act();
  await page.waitForFunction((n) => window.popmap.tableTimings?.rows === n, n, { timeout: 60000 });
}

/** The API's answer for what the table shows now (its level, the map's period and indicator). */
async function apiNow(page) {
  const { level, period, ind } = await page.evaluate(() => ({
    level: document.querySelector('#table-dialog').dataset.level,
    period: document.body.dataset.period,
    ind: window.popmap.state().ind,
  }));
  const r = await getJSON(`/api/v1/map/values?period=${encodeURIComponent(period)}&level=${level}&indicators=${ind}`);
  return { level, period, ind, r, values: r.values[ind] };
}

const sortState = (page) => page.$$eval('#table-data thead th[aria-sort]', (ths) =>
  Object.fromEntries(ths.map((th) => [th.dataset.col, th.getAttribute('aria-sort')])));

test('the table lists every unit of the level with the API values, sorts, filters, follows the map and opens popups', async () => {
  const page = await newPage({ width: 1366, height: 768 });
  await page.goto(`${process.env.POPMAP_URL || 'http://127.0.0.1:18103'}/`);
  await waitReady(page);
  await settle(page);

  // Open it: focus goes into the dialog (its title), every unit of the level drawn is listed.
  await page.click('#table-open');
  await page.waitForFunction(() => window.popmap.tableTimings?.rows > 0);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'table-title');
  let api = await apiNow(page);
  let rows = await rowsOf(page);
  assert.equal(rows.length, api.r.codes.length, `every ${api.level} of the API, not only those in view`);
  assert.equal(await page.textContent('#table-count'), `${VI.format(api.r.codes.length)} đơn vị`);
  const caption = await page.textContent('#table-data caption');
  assert.match(caption, /Tháng \d+\/\d{4}|Quý [IV]+\/\d{4}|Năm \d{4}/, caption);
  assert.match(caption, /Ranh giới từ \d\d\/\d\d\/\d{4}/, caption);
  assert.doesNotMatch(caption, /vn-20|@r\d/, 'no internal id in the caption');
  const byCode = new Map(api.r.codes.map((c, i) => [c, i]));
  const ranks = ranksOf(api.values);
  // The legend's range texts: the table shows the same classes as the map's colours.
  const legendRanges = await page.$$eval('#legend .lg-rows li .rg', (els) => els.map((e) => e.textContent.trim()));
  for (const row of rows) {
    const i = byCode.get(row.code);
    assert.ok(i !== undefined, `${row.code} is a unit of the API`);
    assert.equal(row.name, api.r.names[i]);
    assert.equal(row.value, fmt(api.values[i]), `${row.name}: value formatted like the legend`);
    assert.equal(row.rank, String(ranks[i] ?? '—'), `${row.name}: rank`);
    assert.ok(legendRanges.some((r) => r.startsWith(row.cls.replace(/ \(.*$/, ''))), `${row.name}: class "${row.cls}" is a legend row`);
    assert.ok(row.swatch, 'a colour swatch beside the class words');
  }
  await page.screenshot({ path: join(ART, 'table-1366.png') });

  // Sort by value: the header's aria-sort says so and the rows follow the API's values.
  await page.click('#table-data th[data-col="value"] button');
  assert.deepEqual(await sortState(page), { name: 'none', value: 'descending', rank: 'none' });
  let vals = (await rowsOf(page)).map((r) => api.values[byCode.get(r.code)]).filter(Number.isFinite);
  assert.ok(vals.every((v, k) => k === 0 || vals[k - 1] >= v), 'descending values');
  assert.equal((await rowsOf(page))[0].rank, '1');
  await page.click('#table-data th[data-col="value"] button');
  assert.equal((await sortState(page)).value, 'ascending');
  vals = (await rowsOf(page)).map((r) => api.values[byCode.get(r.code)]).filter(Number.isFinite);
  assert.ok(vals.every((v, k) => k === 0 || vals[k - 1] <= v), 'ascending values');
  // By name: Vietnamese collation (Đ after D, not after Z).
  await page.click('#table-data th[data-col="name"] button');
  assert.equal((await sortState(page)).name, 'ascending');
  const names = (await rowsOf(page)).map((r) => r.name);
  assert.deepEqual(names, [...names].sort(new Intl.Collator('vi').compare));

  // The table follows the map: SRB by commune (3,321 on vn-2025), many of them unstable.
  api = { r: await getJSON(`/api/v1/map/values?period=${encodeURIComponent(await page.evaluate(() => document.body.dataset.period))}&level=commune&indicators=srb`) };
  await rerender(page, () => page.evaluate(() => window.popmap.set({ ind: 'srb', level: 'commune' })), api.r.codes.length);
  api = await apiNow(page);
  assert.equal(api.level, 'commune');
  assert.equal(await page.textContent('#table-count'), `${VI.format(api.r.codes.length)} đơn vị`);
  assert.equal(await page.getAttribute('#table-data', 'aria-rowcount'), String(api.r.codes.length + 1));
  assert.match(await page.textContent('#table-data caption'), /Tỷ số giới tính khi sinh|giới tính/i);

  // Filter by a parent (a province): only its communes, each saying whether it is unstable.
  const parent = api.r.parents[0];
  const children = api.r.codes.filter((c, i) => api.r.parents[i] === parent);
  await page.selectOption('#table-parent', parent);
  await page.waitForFunction((n) => window.popmap.tableTimings?.rows === n, children.length);
  rows = await rowsOf(page);
  assert.deepEqual(rows.map((r) => r.code).sort(), [...children].sort(), 'the filter keeps exactly the parent\'s children');
  assert.match(await page.textContent('#table-count'), new RegExp(`^${VI.format(children.length)} trên ${VI.format(api.r.codes.length)} đơn vị$`));
  const byCode2 = new Map(api.r.codes.map((c, i) => [c, i]));
  const unstable = api.r.unstable.srb;
  let flagged = 0;
  for (const row of rows) {
    const i = byCode2.get(row.code);
    assert.equal(/không ổn định/.test(row.flags), !!unstable[i], `${row.name}: unstable in words iff the API flags it`);
    if (unstable[i]) flagged += 1;
    assert.equal(row.value, fmt(api.values[i]));
  }
  assert.ok(flagged > 0, 'the province has unstable communes to show');
  await page.screenshot({ path: join(ART, 'table-1366-commune.png') });

  // A row's name opens that unit's popup and selects it; the table stays open beside it.
  const pick = rows[Math.min(3, rows.length - 1)];
  await page.click(`#table-data button[data-code="${pick.code}"]`);
  await page.waitForFunction((name) => document.querySelector('.maplibregl-popup .pp h3')?.textContent.includes(name), pick.name, { timeout: 20000 });
  assert.equal(await page.evaluate(() => document.body.dataset.selected), pick.code);
  assert.ok(await page.evaluate(() => document.querySelector('#table-dialog').open), 'the table stays open on a laptop');
  assert.equal(await page.getAttribute(`#table-data tr[data-code="${pick.code}"]`, 'aria-current'), 'true', 'the row of the selection is marked');
  await page.waitForSelector('.maplibregl-popup .series[data-view]', { timeout: 20000 }); // its chart drawn
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const pop = await page.$eval('.maplibregl-popup', (e) => e.getBoundingClientRect().toJSON());
  const dlg = await page.$eval('#table-dialog', (e) => e.getBoundingClientRect().toJSON());
  assert.ok(pop.right <= dlg.left, `the popup is beside the table, not under it (${pop.right} > ${dlg.left})`);
  await page.screenshot({ path: join(ART, 'table-1366-popup.png') });

  // Escape closes it and gives the focus back to the button.
  await page.focus('#table-parent');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.querySelector('#table-dialog').open), false);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'table-open');
  assert.equal(await page.evaluate(() => document.body.dataset.selected), pick.code, 'the table\'s Escape keeps the selection');
  await page.close();
  assert.deepEqual(consoleErrors, []);
});

test('10,040 vn-2019 communes: virtual rows, sorted over all, no freeze; harmonised estimates and change mode in words', async () => {
  const page = await newPage({ width: 1366, height: 768 });
  await page.goto(`${process.env.POPMAP_URL || 'http://127.0.0.1:18103'}/?ind=density&period=2025-06&g=month&level=commune`);
  await waitReady(page);
  await settle(page);
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });
  });
  const api = await apiNow(page).catch(() => null);
  const all = api ? api.r : await getJSON('/api/v1/map/values?period=2025-06&level=commune&indicators=density');
  assert.equal(all.codes.length, 10040);
  const t0 = Date.now();
  await page.click('#table-open');
  await page.waitForFunction(() => window.popmap.tableTimings?.rows === 10040, null, { timeout: 60000 });
  const openMs = Date.now() - t0;
  const timings = await page.evaluate(() => window.popmap.tableTimings);
  const longest = await page.evaluate(() => Math.max(0, ...window.longTasks));
  bench.table_10040 = { open_ms: openMs, ...timings, longest_task_ms: longest };
  const written = (await rowsOf(page)).length;
  assert.ok(written > 10 && written < 400, `virtual rows: ${written} written of 10,040`);
  assert.equal(await page.textContent('#table-count'), '10.040 đơn vị');
  assert.ok(longest < 1000, `no long freeze: longest task ${longest} ms`);

  // Sorted over all 10,040, not over the rows written: the first row is the densest commune.
  await page.click('#table-data th[data-col="value"] button');
  const values = all.values.density;
  const max = Math.max(...values.filter(Number.isFinite));
  const first = (await rowsOf(page))[0];
  assert.equal(first.value, fmt(max));
  assert.equal(first.rank, '1');
  // Scrolled to the end: the last rows are written (the least dense commune).
  await page.$eval('#table-dialog .tb-scroll', (el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction(() => document.querySelector('#table-data tbody tr[aria-rowindex="10041"]'));
  const min = Math.min(...values.filter(Number.isFinite));
  const last = await page.$eval('#table-data tbody tr[aria-rowindex="10041"] [data-v]', (e) => e.textContent);
  assert.equal(last, fmt(min));
  // Ties share a rank (competition ranking: 1, 2, 2, 4).
  const lastRank = await page.$eval('#table-data tbody tr[aria-rowindex="10041"] .rk', (e) => e.textContent);
  assert.equal(lastRank, String(1 + values.filter((v) => Number.isFinite(v) && v > min).length));
  const shown = await rowsOf(page);
  for (const r of shown) {
    const v = values[all.codes.indexOf(r.code)];
    assert.equal(r.rank, String(1 + values.filter((w) => Number.isFinite(w) && w > v).length), `${r.name}: rank`);
  }
  await page.screenshot({ path: join(ART, 'table-1366-10040.png') });

  // Keyboard: Tab from a name moves to the next name, also across the written window's edge.
  await page.$eval('#table-dialog .tb-scroll', (el) => { el.scrollTop = 0; });
  await page.waitForFunction(() => document.querySelector('#table-data tbody tr[aria-rowindex="2"]'));
  await page.focus('#table-data tbody tr[aria-rowindex="2"] .tb-unit');
  for (let k = 0; k < 150; k++) await page.keyboard.press('Tab');
  const focusedRow = () => page.evaluate(() => document.activeElement.closest('tr')?.getAttribute('aria-rowindex'));
  assert.equal(await focusedRow(), '152');
  for (let k = 0; k < 100; k++) await page.keyboard.press('ArrowDown');
  assert.equal(await focusedRow(), '252', 'ArrowDown moves row by row');
  for (let k = 0; k < 2; k++) await page.keyboard.press('ArrowUp');
  assert.equal(await focusedRow(), '250');

  // Harmonised onto the 2025 boundaries (bv=): split estimates say 'ước tính' in words.
  const est = await getJSON('/api/v1/map/values?period=2025-06&level=province&indicators=density&version=vn-2025');
  await rerender(page, () => page.evaluate(() => window.popmap.set({ bv: 'vn-2025', level: 'province' })), est.codes.length);
  assert.match(await page.textContent('#table-data caption'), /Quy đổi về ranh giới từ 01\/07\/2025/);
  const erows = await rowsOf(page);
  assert.equal(erows.length, 34);
  assert.ok(est.estimated.some(Boolean) && !est.estimated.every(Boolean), 'the demo has estimated and exact provinces');
  for (const r of erows) {
    const i = est.codes.indexOf(r.code);
    assert.equal(/ước tính/.test(r.flags || ''), est.estimated[i], `${r.name}: estimated in words iff the API says so`);
    assert.equal(r.value, fmt(est.values.density[i]));
  }

  // Change mode (cmp=): the change column and the two periods' values, from map/change.
  const change = await getJSON('/api/v1/map/change?indicator=density&period=2026-09&base=2026-06&level=province');
  await rerender(page, () => page.evaluate(() => window.popmap.set({ period: '2026-09', cmp: '2026-06', level: 'province', bv: '' })), change.codes.length);
  const heads = await page.$$eval('#table-data thead th', (ths) => ths.map((th) => th.textContent.trim()));
  assert.ok(heads.includes('Tháng 6/2026') && heads.includes('Tháng 9/2026'), heads.join(' | '));
  assert.match(await page.textContent('#table-data caption'), /thay đổi từ Tháng 6\/2026 đến Tháng 9\/2026/);
  const crows = await page.$$eval('#table-data tbody tr[data-code]', (trs) => trs.map((tr) => [tr.dataset.code, ...[...tr.querySelectorAll('td.num')].map((td) => td.textContent)]));
  assert.equal(crows.length, change.codes.length);
  for (const [code, from, to, value] of crows) {
    const i = change.codes.indexOf(code);
    assert.deepEqual([from, to, value], [fmt(change.from[i]), fmt(change.to[i]), fmt(change.values[i])], code);
  }
  await page.close();
  assert.deepEqual(consoleErrors, []);
});

test('on a phone the table fits 390×844, scrolls inside, and gives way to the popup', async () => {
  const page = await newPage({ width: 390, height: 844 });
  await page.goto(`${process.env.POPMAP_URL || 'http://127.0.0.1:18103'}/`);
  await waitReady(page);
  await settle(page);
  // The button is in the panel (a bottom sheet on phones, phone.css): the sheet is opened by
  // its handle until the button shows, then the button is reached as a keyboard user would.
  for (let k = 0; k < 3 && !(await page.isVisible('#table-open')); k++) await page.click('.sheet-handle');
  await page.focus('#table-open');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.popmap.tableTimings?.rows > 0);
  assert.ok(await page.$eval('#table-dialog', (d) => d.matches(':modal')), 'modal on a phone: the page behind is inert');
  const box = await page.$eval('#table-dialog', (e) => e.getBoundingClientRect().toJSON());
  assert.ok(box.left >= 0 && box.top >= 0 && box.right <= 390 && box.bottom <= 844, `dialog inside the screen: ${JSON.stringify(box)}`);
  const wide = await page.$$eval('#table-dialog *', (els) => els.filter((e) => e.getBoundingClientRect().right > 390.5 && e.getClientRects().length).map((e) => e.tagName + '.' + e.className));
  assert.deepEqual(wide, [], 'nothing in the dialog is wider than the screen');
  const scroll = await page.$eval('#table-dialog .tb-scroll', (e) => ({ sh: e.scrollHeight, ch: e.clientHeight }));
  assert.ok(scroll.sh > scroll.ch, 'the rows scroll inside the dialog');
  await page.screenshot({ path: join(ART, 'table-390.png') });
  const code = await page.$eval('#table-data tbody tr[data-code]', (tr) => tr.dataset.code);
  await page.click(`#table-data button[data-code="${code}"]`);
  await page.waitForSelector('.maplibregl-popup .pp', { timeout: 20000 });
  assert.equal(await page.evaluate(() => document.querySelector('#table-dialog').open), false, 'the dialog closes for the popup');
  assert.notEqual(await page.evaluate(() => document.body.dataset.sheet), 'full', 'the bottom sheet goes down for the popup');
  const pop = await page.$eval('.maplibregl-popup', (e) => e.getBoundingClientRect().toJSON());
  assert.ok(pop.top >= 0 && pop.left >= 0 && pop.right <= 390 && pop.bottom <= 844 + 1, `popup on screen: ${JSON.stringify(pop)}`);
  await page.screenshot({ path: join(ART, 'table-390-popup.png') });
  await page.close();
  assert.deepEqual(consoleErrors, []);
});
