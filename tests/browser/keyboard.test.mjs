// The must-hold keyboard-only script of issue 16, in Debian's Chromium against a real `popmap
// demo`: with page.keyboard only — search "ha noi" and choose it, open the table, sort by value,
// read a unit's value; choose a unit on the map (keynav.js) and read its popup — and no pointer,
// mouse or touch event dispatched at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, newPage, waitReady, settle, getJSON, consoleErrors, bench, BASE, tabTo, onCanvas } from './harness.mjs';

useBrowser('bench-keyboard.json');

const DESKTOP = { width: 1366, height: 768 };


test('keyboard only: search "ha noi", open the table, sort by value, read a value; choose a unit on the map and read its popup — no pointer event', async () => {
  const page = await newPage(DESKTOP);
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await settle(page);
  // Every pointer, mouse, touch and click event the page receives, trusted or not.
  await page.evaluate(() => {
    window.pointerEvents = [];
    for (const type of ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'touchstart', 'touchend', 'click', 'contextmenu', 'wheel']) {
      window.addEventListener(type, (e) => {
        // A click that Enter or Space fires on a button has no pointer (detail 0, no pointerType).
        if (type === 'click' && e.detail === 0 && !e.pointerType) return;
        window.pointerEvents.push(`${type}:${e.isTrusted}:${e.pointerType || ''}`);
      }, true);
    }
  });

  // The search: Tab to it, type, ArrowDown, Enter chooses Hà Nội (its outline and breadcrumb).
  await page.evaluate(() => document.activeElement?.blur());
  bench.tabs_to_search = await tabTo(page, () => document.activeElement?.id === 'search');
  await page.keyboard.type('ha noi');
  await page.waitForSelector('#results [role=option]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.selected === '01', null, { timeout: 20000 });
  await settle(page);

  // The table: Tab to "Bảng số liệu", Enter, Tab to the value column's sort button, Enter.
  bench.tabs_search_to_table = await tabTo(page, () => document.activeElement?.id === 'table-open' && document.activeElement.textContent === 'Bảng số liệu');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#table-dialog[open] tbody tr[data-code]');
  await tabTo(page, () => document.activeElement?.dataset.sort === 'value', 20);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#table-data th[data-col=value][aria-sort=descending]');
  const top = await page.$eval('#table-data tbody tr[data-code]', (tr) => ({
    code: tr.dataset.code, name: tr.querySelector('.tb-unit').textContent, value: tr.querySelector('td[data-v]').textContent.trim() }));
  // The same number as the API, in Vietnamese format.
  const view = await page.evaluate(() => ({ level: document.querySelector('#table-dialog').dataset.level, ind: document.querySelector('#ind').value,
    period: window.popmap.map.getStyle().metadata['popmap:period'] }));
  const api = await getJSON(`/api/v1/map/values?period=${view.period}&level=${view.level}&indicators=${view.ind}`);
  const vals = api.values[view.ind];
  const max = Math.max(...vals.filter(Number.isFinite));
  assert.equal(top.code, api.codes[vals.indexOf(max)], `${top.name} has the highest value`);
  assert.equal(top.value, max.toLocaleString('vi-VN', { maximumFractionDigits: 2 }));
  bench.table_top = `${top.name} ${top.value} (${view.level})`;
  await page.keyboard.press('Escape');
  await page.waitForSelector('#table-dialog[open]', { state: 'detached' });

  // The map: Tab to the canvas, N selects a unit in view, Enter opens its popup with its value.
  bench.tabs_table_to_canvas = await tabTo(page, onCanvas);
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.body.dataset.selected && document.body.dataset.selected !== '01');
  const code = await page.evaluate(() => document.body.dataset.selected);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.maplibregl-popup[role=dialog] .pp .val');
  const shown = await page.$eval('.maplibregl-popup .pp', (pp) => ({ code: pp.querySelector('h3 small').textContent, value: pp.querySelector('.val b').textContent }));
  assert.equal(shown.code, code);
  const i = api.codes.indexOf(code);
  assert.ok(i >= 0, `${code} is a unit of the level in the table`);
  assert.equal(shown.value, vals[i].toLocaleString('vi-VN', { maximumFractionDigits: 2 }));
  bench.map_popup = `${api.names[i]} ${shown.value}`;
  assert.deepEqual(await page.evaluate(() => window.pointerEvents), [], 'no pointer, mouse or touch event');
  await page.close();
  assert.deepEqual(consoleErrors, []);
});
