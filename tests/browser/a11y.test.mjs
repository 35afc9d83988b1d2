// Accessibility of the web map (issue 16, contract 5), in Debian's Chromium against a real
// `popmap demo`: axe-core finds no serious or critical violation on / and /embed at desktop and
// phone sizes, with the unit popup and the table open; the map's keys, MapLibre's own texts,
// the labels, Play's aria-pressed and the legend's live region in the UI language. The
// keyboard-only script of the must-holds is keyboard.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, newPage, waitReady, settle, getJSON, consoleErrors, axe, bench, BASE, ART, tabTo, onCanvas } from './harness.mjs';

useBrowser('bench-a11y.json');

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const GRAVE = new Set(['serious', 'critical']);

/** Every violation seen (all impacts), for target/browser-artifacts/a11y.json. */
const seen = [];

async function check(page, where, context = null) {
  const v = await axe(page, context);
  for (const x of v) seen.push({ where, id: x.id, impact: x.impact, help: x.help, nodes: x.nodes.map((n) => n.target) });
  return v.filter((x) => GRAVE.has(x.impact)).map((x) => `${where}: ${x.impact} ${x.id} (${x.help}) at ${x.nodes.map((n) => n.target).join(', ')}`);
}


/** With the keyboard only: focus the canvas, choose the next unit with N, open its popup with Enter. */
async function keyboardPopup(page) {
  await page.evaluate(() => document.activeElement?.blur());
  await tabTo(page, onCanvas);
  await page.keyboard.press('n');
  await page.waitForFunction(() => !!document.body.dataset.selected);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.maplibregl-popup[role=dialog] .pp .val');
  await page.waitForSelector('.maplibregl-popup .series svg, .maplibregl-popup .series p.lbl', { timeout: 20000 });
}

/** On a phone, opens the bottom sheet (sheet.js) with its handle until the table button shows. */
async function openSheet(page) {
  for (let k = 0; k < 3 && !(await page.isVisible('#table-open')); k++) {
    await page.focus('.sheet-handle');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300); // the sheet's transition
  }
}

/** Opens the table with the keyboard (on a phone the bottom sheet first). */
async function openTable(page) {
  await openSheet(page);
  await page.focus('#table-open');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#table-dialog[open] tbody tr[data-code]');
}

test('axe: / and /embed at 1366×768 and 390×844, with the popup and the table open, have no serious or critical violation', async () => {
  const grave = [];
  try {
    await axeAll(grave);
  } finally {
    writeFileSync(join(ART, 'a11y.json'), JSON.stringify(seen, null, 2));
  }
  assert.deepEqual(grave, [], `serious or critical axe violations:\n${grave.join('\n')}`);
  assert.deepEqual(consoleErrors, []);
});

async function axeAll(grave) {
  for (const path of ['/', '/embed?controls=1']) {
    for (const vp of [DESKTOP, PHONE]) {
      const at = `${path.split('?')[0]} ${vp.width}×${vp.height}`;
      const page = await newPage(vp);
      await page.goto(`${BASE}${path}`);
      await waitReady(page);
      await settle(page);
      grave.push(...(await check(page, at)));
      await keyboardPopup(page);
      grave.push(...(await check(page, `${at} popup`)));
      await page.keyboard.press('Escape');
      await page.waitForSelector('.maplibregl-popup', { state: 'detached' });
      if (vp === PHONE) {
        await openSheet(page);
        grave.push(...(await check(page, `${at} sheet open`)));
      }
      await openTable(page);
      // The table is a modal <dialog>: the page behind it is inert (axe's target-size still
      // measures the controls under it as "obscured"), so the dialog is what is checked.
      grave.push(...(await check(page, `${at} table`, '#table-dialog')));
      await page.keyboard.press('Escape');
      await page.close();
    }
  }
}

test('the map says its keys, MapLibre speaks the UI language, every control is labelled, Play and the legend are announced', async () => {
  const page = await newPage(DESKTOP);
  // Play from 2025-07 stays on the vn-2025 boundaries.
  await page.goto(`${BASE}/?ind=density&period=2025-07`);
  await waitReady(page);
  await settle(page);
  const canvasInfo = () => page.evaluate(() => {
    const c = document.querySelector('.maplibregl-canvas');
    const hint = document.getElementById(c.getAttribute('aria-describedby'));
    return { label: c.getAttribute('aria-label'), description: c.getAttribute('aria-description'), hint: hint?.textContent,
      shown: hint ? getComputedStyle(hint).display !== 'none' : false,
      zoomIn: document.querySelector('.maplibregl-ctrl-zoom-in')?.getAttribute('aria-label'),
      zoomOut: document.querySelector('.maplibregl-ctrl-zoom-out')?.getAttribute('aria-label'),
      attrib: document.querySelector('.maplibregl-ctrl-attrib-button')?.getAttribute('aria-label') };
  });
  let info = await canvasInfo();
  assert.equal(info.label, 'Bản đồ');
  assert.equal(info.zoomIn, 'Phóng to');
  assert.equal(info.zoomOut, 'Thu nhỏ');
  assert.equal(info.attrib, 'Hiện/ẩn nguồn bản đồ');
  assert.match(info.description, /N \/ P.*Enter.*Esc/);
  assert.equal(info.hint, info.description);
  assert.equal(info.shown, false, 'the key hint is hidden until the canvas has keyboard focus');
  // The first Tab stop is the skip link to the map; Enter puts the focus on the canvas.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-map');
  assert.equal(await page.textContent('.skip-map'), 'Đến bản đồ (chọn đơn vị bằng bàn phím)');
  await page.keyboard.press('Enter');
  assert.ok(await page.evaluate(onCanvas), 'the skip link leads to the canvas');
  assert.equal((await canvasInfo()).shown, true, 'the key hint shows on keyboard focus');

  // Alt + arrow moves to a neighbour, Enter opens a named dialog whose close button is reachable
  // by Tab and says so in Vietnamese; Escape closes it and focus is back on the canvas.
  await page.keyboard.press('n');
  await page.waitForFunction(() => !!document.body.dataset.selected);
  const first = await page.evaluate(() => document.body.dataset.selected);
  await page.keyboard.press('Alt+ArrowRight');
  await page.waitForFunction((c) => document.body.dataset.selected && document.body.dataset.selected !== c, first);
  // Announced (the live region is emptied, then written 50 ms later so a repeat is read again).
  await page.waitForFunction(() => document.getElementById('map-live')?.textContent);
  assert.match(await page.textContent('#map-live'), /^Đã chọn .+\. Nhấn Enter/);
  assert.equal(await page.getAttribute('#map-live', 'role'), 'status');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.maplibregl-popup[role=dialog] .pp .val');
  const dialog = await page.evaluate(() => {
    const p = document.querySelector('.maplibregl-popup');
    return { name: p.getAttribute('aria-label'), heading: p.querySelector('h3').firstChild.textContent.trim(),
      close: p.querySelector('.maplibregl-popup-close-button').getAttribute('aria-label'), focusInside: p.contains(document.activeElement) };
  });
  assert.equal(dialog.name, `Số liệu: ${dialog.heading}`);
  assert.equal(dialog.close, 'Đóng thông tin');
  assert.ok(dialog.focusInside, 'focus moves into the popup');
  await tabTo(page, () => document.activeElement?.classList.contains('maplibregl-popup-close-button'), 30);
  await page.keyboard.press('Escape');
  await page.waitForSelector('.maplibregl-popup', { state: 'detached' });
  assert.ok(await page.evaluate(onCanvas), 'focus returns to the canvas');
  assert.ok(await page.evaluate(() => !!document.body.dataset.selected), 'Escape in the popup keeps the selection');
  // Enter again from the canvas reopens it; Escape on the canvas closes it, the selection stays.
  await page.keyboard.press('Enter');
  await page.waitForSelector('.maplibregl-popup[role=dialog] .pp .val');
  await page.focus('.maplibregl-canvas');
  await page.keyboard.press('Escape');
  await page.waitForSelector('.maplibregl-popup', { state: 'detached' });
  assert.ok(await page.evaluate(() => !!document.body.dataset.selected), 'Escape on the canvas closes the popup only');

  // Labels: the number of classes has a real one; no placeholder-only control, no title="k".
  assert.equal(await page.getByLabel('Số lớp', { exact: true }).getAttribute('id'), 'k');
  assert.equal(await page.locator('[title="k"], [placeholder="k"]').count(), 0);

  // The legend: every class row has its range in text; the live region sums it up once.
  const rows = await page.$$eval('#legend .lg-rows li', (ls) => ls.map((l) => l.querySelector('.rg')?.textContent.trim()));
  assert.ok(rows.length >= 3 && rows.every((r) => r && /\d|Không có số liệu/.test(r)), `legend rows in text: ${rows}`);
  await page.waitForFunction(() => document.getElementById('legend-live')?.textContent);
  const summary = await page.textContent('#legend-live');
  assert.match(summary, /^Chú giải: .+, Tháng \d{1,2}\/\d{4}, .+, \d+ lớp$/);
  assert.equal(await page.getAttribute('#legend-live', 'aria-live'), 'polite');

  // Play: aria-pressed follows; the live region is not rewritten on every frame.
  await page.evaluate(() => {
    window.liveWrites = 0;
    new MutationObserver(() => { window.liveWrites += 1; }).observe(document.getElementById('legend-live'), { childList: true, characterData: true, subtree: true });
  });
  await page.waitForTimeout(1000);
  await page.evaluate(() => { window.liveWrites = 0; });
  const periods = [];
  await page.evaluate(() => {
    window.periodsSeen = new Set();
    window.periodTimer = setInterval(() => window.periodsSeen.add(new URLSearchParams(location.search).get('period')), 100);
  });
  await page.focus('#play');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
  await page.waitForTimeout(8000);
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
  periods.push(...(await page.evaluate(() => { clearInterval(window.periodTimer); return [...window.periodsSeen]; })));
  const writes = await page.evaluate(() => window.liveWrites);
  Object.assign(bench, { play_frames_8s: periods.length, legend_live_announcements_8s: writes });
  // 1.5 s a frame at 1× (fewer on a loaded machine); at most one announcement per 4 s.
  assert.ok(periods.length >= 3, `Play advanced (${periods.join(', ')})`);
  assert.ok(writes <= 3 && writes < periods.length, `${writes} live announcements for ${periods.length} frames`);

  // English: the same texts follow the language switch.
  await page.focus('#lang');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await settle(page);
  info = await canvasInfo();
  assert.equal(info.label, 'Map');
  assert.equal(info.zoomIn, 'Zoom in');
  assert.match(info.description, /^N \/ P: next/);
  assert.equal(await page.textContent('.skip-map'), 'Skip to the map (choose units with the keyboard)');
  assert.equal(await page.getByLabel('Classes', { exact: true }).getAttribute('id'), 'k');
  await page.close();

  // Colour is never alone: unstable values have a hatch swatch and words in the legend.
  const srb = await newPage(DESKTOP);
  await srb.goto(`${BASE}/?ind=srb&level=commune&g=month&period=2026-09`);
  await waitReady(srb);
  await settle(srb);
  await srb.waitForSelector('#legend li[data-class=unstable]');
  const un = await srb.$eval('#legend li[data-class=unstable]', (li) => ({
    pattern: getComputedStyle(li.querySelector('.sw')).backgroundImage, text: li.querySelector('.rg').textContent }));
  assert.match(un.pattern, /gradient/);
  assert.equal(un.text, 'Số liệu nhỏ, không ổn định');
  await srb.close();
  assert.deepEqual(consoleErrors, []);
});
