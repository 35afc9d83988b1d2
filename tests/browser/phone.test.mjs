// Real-browser tests of the web map on a phone (issue 16, Build item 1): at 390×844 with touch
// the map and a compact legend are both on screen at first load (the panel is a bottom sheet:
// peek / half / full, sheet.js + phone.css), the handle changes the sheet's state by tap, drag
// and Escape, the visible controls are touch targets of at least 44 px, a tapped unit's popup
// is a sheet inside the screen (not under the attribution, the scale bar or the breadcrumb)
// whose chart can be scrolled to, the embed, print and explanation dialogs have no element
// wider than the screen, a narrow /embed keeps the map first, and 1366×768 keeps the side panel.
// Screenshots go to target/browser-artifacts/phone-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ART, BASE, browser, consoleErrors, useBrowser, waitReady, settle } from './harness.mjs';

useBrowser();

const PHONE = { width: 390, height: 844 };

/** A touch phone page (isMobile, hasTouch) recording console errors like harness.newPage. */
async function phonePage(viewport = PHONE) {
  const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('console', (m) => {
    const url = m.location()?.url || '';
    if (m.type() !== 'error' || (/\/tiles\/h3\/|\/api\/v1\/units\//.test(url) && /404/.test(m.text()))) return;
    consoleErrors.push(`${page.url()}: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

/** The box of the first element matching `sel` as [left, top, right, bottom], or null. */
function box(page, sel) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null;
  }, sel);
}

const inside = (b, v = PHONE) => b && b[0] >= -0.5 && b[1] >= -0.5 && b[2] <= v.width + 0.5 && b[3] <= v.height + 0.5;
const overlaps = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/**
 * The controls a finger can reach now (buttons, selects, inputs, links, the labels of check
 * boxes, the search results): visible and not covered (the topmost element at their centre is
 * them or inside them), with their size.
 */
function reachableControls(page) {
  return page.evaluate(() => {
    const sel = 'button, select, input:not([type=checkbox]):not([type=radio]), a[href], summary, label.check, label.lg-breaks, #results li, [role=button]';
    const out = [];
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
      const cx = r.left + r.width / 2;
      const cy = r.top + r.height / 2;
      if (cx < 0 || cy < 0 || cx > innerWidth || cy > innerHeight) continue;
      const top = document.elementFromPoint(cx, cy);
      if (!top || !(el === top || el.contains(top))) continue;
      const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${el.className || ''} «${(el.getAttribute('aria-label') || el.textContent).trim().slice(0, 30)}»`;
      out.push({ name, w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10 });
    }
    return out;
  });
}

async function assertTouchTargets(page, where) {
  const found = await reachableControls(page);
  assert.ok(found.length >= 2, `${where}: controls found: ${JSON.stringify(found)}`);
  const small = found.filter((c) => c.w < 43.5 || c.h < 43.5);
  assert.deepEqual(small, [], `${where}: touch targets under 44 px`);
  return found;
}

/**
 * Elements of the page wider than the screen (their right edge past the viewport). With
 * `scrolled`, an element inside a container that fits and scrolls sideways (the one-line legend
 * of a small embed) is not counted: the reader scrolls it into view.
 */
function tooWide(page, root = 'body', scrolled = false) {
  return page.evaluate(([root, scrolled]) => [...document.querySelector(root).querySelectorAll('*')]
    .filter((el) => {
      const r = el.getBoundingClientRect();
      if (!(r.width > 0 && r.height > 0 && r.right > innerWidth + 1)) return false;
      for (let a = el.parentElement; scrolled && a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX === 'auto' && a.getBoundingClientRect().right <= innerWidth + 1) return false;
      }
      return true;
    })
    .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`), [root, scrolled]);
}

/** Taps the sheet's handle and waits for the state `want`. */
async function tapHandle(page, want) {
  await page.tap('.sheet-handle');
  await page.waitForFunction((w) => document.body.dataset.sheet === w, want, { timeout: 5000 });
  await page.waitForTimeout(250); // the height transition
}

let shared = null; // one phone page for the sheet, popup and dialog tests

test('at 390×844 with touch the map and a compact legend are on screen at first load, and the handle moves the sheet', async () => {
  const page = await phonePage();
  shared = page;
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await settle(page);
  assert.equal(await page.evaluate(() => document.body.dataset.sheet), 'peek');
  // The map and the legend (title, period in words, every class) inside the screen, uncovered.
  const map = await box(page, '#map');
  assert.ok(inside(map) && map[3] - map[1] >= 0.7 * PHONE.height, `the map fills most of the screen: ${map}`);
  for (const sel of ['#legend .lg-title', '#legend .lg-sub', '#legend .lg-rows', '#synthetic']) {
    const b = await box(page, sel);
    assert.ok(inside(b), `${sel} inside the screen: ${b}`);
    assert.ok(b[1] >= map[3] - 1, `${sel} below the map, not over it`);
  }
  const rows = await page.evaluate(() => [...document.querySelectorAll('#legend .lg-rows li')].map((li) => {
    const r = li.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + 6, r.top + r.height / 2);
    return { text: li.textContent, shown: r.bottom <= innerHeight && li.contains(top) };
  }));
  assert.ok(rows.length >= 3 && rows.every((r) => r.shown), `every legend row visible: ${JSON.stringify(rows)}`);
  assert.match(await page.locator('#legend .lg-sub').innerText(), /^(Tháng \d{1,2}|Quý [IV]+|Năm) ?\/?\d{4}/, 'the period in words');
  assert.match(await page.locator('#synthetic').innerText(), /Dữ liệu minh hoạ/, 'the synthetic-data note stays on screen');
  const canvasHit = await page.evaluate(() => {
    const r = document.querySelector('#map').getBoundingClientRect();
    return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.tagName;
  });
  assert.equal(canvasHit, 'CANVAS', 'the map itself is under the centre of the map box');
  // The whole country fits, Trường Sa's label too (the camera pads the east on a phone).
  const archipelagos = await page.evaluate(() => {
    const m = window.popmap.map;
    const w = m.getContainer().clientWidth;
    return [[112.0, 16.5], [114.3, 10.0], [102.2, 22.5], [104.8, 8.6]].map((p) => { const q = m.project(p); return q.x >= 0 && q.x <= w && q.y >= 0; });
  });
  assert.deepEqual(archipelagos, [true, true, true, true], 'Hoàng Sa, Trường Sa, the north-west and Cà Mau in view');
  // Both archipelagos' names are drawn whole: neither label touches the map's left or right edge.
  const names = await page.evaluate(() => {
    const m = window.popmap.map;
    const w = m.getCanvas().clientWidth;
    const h = m.getCanvas().clientHeight;
    const layers = ['context-archipelago-label'];
    const at = (box) => m.queryRenderedFeatures(box, { layers }).map((f) => f.properties.name);
    return { drawn: at(undefined).sort(), cut: [...at([[0, 0], [2, h]]), ...at([[w - 2, 0], [w, h]])] };
  });
  assert.deepEqual(names.drawn, ['Quần đảo Hoàng Sa (Đà Nẵng)', 'Quần đảo Trường Sa (Khánh Hòa)']);
  assert.deepEqual(names.cut, [], 'no archipelago name cut at the edge');
  await page.screenshot({ path: join(ART, 'phone-peek.png') });

  // The handle: a labelled button that says whether the sheet is open.
  const handle = page.locator('.sheet-handle');
  assert.equal(await handle.getAttribute('aria-expanded'), 'false');
  assert.match(await handle.getAttribute('aria-label'), /Mở rộng/);
  await assertTouchTargets(page, 'peek');

  // Tap: half (the pickers on screen), then full (the exports), then back to peek.
  await tapHandle(page, 'half');
  assert.equal(await handle.getAttribute('aria-expanded'), 'true');
  for (const sel of ['#search', '#ind', '#gran button', '#period']) assert.ok(inside(await box(page, sel)), `${sel} on screen at half`);
  await assertTouchTargets(page, 'half');
  await page.screenshot({ path: join(ART, 'phone-half.png') });
  // Further down the half sheet: the rest of the pickers, still 44 px.
  await page.evaluate(() => { const p = document.querySelector('#panel'); p.scrollTop = p.scrollHeight; });
  await assertTouchTargets(page, 'half, scrolled');
  await tapHandle(page, 'full');
  for (const sel of ['#embed', '#print', '#lang']) {
    await page.locator(sel).scrollIntoViewIfNeeded();
    assert.ok(inside(await box(page, sel)), `${sel} reachable at full`);
  }
  await assertTouchTargets(page, 'full');
  await page.screenshot({ path: join(ART, 'phone-full.png') });
  // Escape goes back one state, the handle from full to peek.
  await handle.focus();
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.body.dataset.sheet), 'half');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.body.dataset.sheet), 'peek');
  await tapHandle(page, 'half');
  await tapHandle(page, 'full');
  await tapHandle(page, 'peek');
  // A mouse click works the same (a narrow desktop window).
  await page.click('.sheet-handle');
  await page.waitForFunction(() => document.body.dataset.sheet === 'half');
  await page.click('.sheet-handle');
  await page.waitForFunction(() => document.body.dataset.sheet === 'full');
  await page.click('.sheet-handle');
  await page.waitForFunction(() => document.body.dataset.sheet === 'peek');

  // A drag up opens the sheet, a drag down closes it.
  const drag = async (dy) => {
    const h = await box(page, '.sheet-handle');
    const x = (h[0] + h[2]) / 2;
    const y = (h[1] + h[3]) / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(x, y + (dy * i) / 6);
    await page.mouse.up();
    await page.waitForTimeout(250);
    return page.evaluate(() => document.body.dataset.sheet);
  };
  assert.equal(await drag(-160), 'half', 'dragged up one state');
  assert.equal(await drag(140), 'peek', 'dragged down one state');
  assert.equal(await drag(-10), 'peek', 'a short drag changes nothing');
  // At peek the whole sheet is a handle: a tap on the legend opens it.
  await page.tap('#legend .lg-rows li');
  await page.waitForFunction(() => document.body.dataset.sheet === 'half');
  // The search box comes first in the open sheet, and focusing it opens the whole sheet.
  const first = await page.evaluate(() => ['#search', '#ind'].map((s) => document.querySelector(s).getBoundingClientRect().top));
  assert.ok(first[0] < first[1], `the search box above the pickers: ${first}`);
  await page.tap('#search');
  await page.waitForFunction(() => document.body.dataset.sheet === 'full');
  assert.ok(inside(await box(page, '#search')), 'the search box on screen');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.body.dataset.sheet === 'peek');
});

test('a tapped unit opens a popup sheet inside the screen, clear of the attribution, scale bar and breadcrumb, its chart reachable', async () => {
  const page = shared;
  await tapHandle(page, 'half'); // the popup sends the sheet down
  // Tap Hà Nội (its label point is inside the province).
  const at = await page.evaluate(() => {
    const m = window.popmap.map;
    const p = m.project([105.7, 21.0]);
    const r = m.getContainer().getBoundingClientRect();
    const f = m.queryRenderedFeatures(p, { layers: ['province-fill'] })[0];
    return { x: r.left + p.x, y: r.top + p.y, code: f?.properties.code };
  });
  assert.equal(at.code, '01', 'Hà Nội is under the point tapped');
  await page.touchscreen.tap(at.x, at.y);
  await page.waitForSelector('.maplibregl-popup .pp .series svg', { timeout: 20000 });
  await page.waitForFunction(() => document.body.dataset.selected === '01');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.body.dataset.sheet), 'peek', 'the sheet went down for the popup');
  const popup = await box(page, '.maplibregl-popup');
  assert.ok(inside(popup), `the popup inside the screen: ${popup}`);
  assert.ok(popup[2] - popup[0] >= PHONE.width - 1, 'the popup is the width of the screen');
  assert.ok(popup[3] - popup[1] <= 0.62 * PHONE.height, `the popup leaves the map above it: ${popup}`);
  // Nothing of the map's own chrome over it (the breadcrumb names the unit, above the popup).
  const chrome = await page.evaluate(() => ['.maplibregl-ctrl-attrib', '.maplibregl-ctrl-scale', '.breadcrumb', '.maplibregl-ctrl-group']
    .flatMap((s) => [...document.querySelectorAll(s)])
    .filter((el) => getComputedStyle(el).visibility !== 'hidden' && el.getBoundingClientRect().width > 0)
    .map((el) => { const r = el.getBoundingClientRect(); return { cls: el.className, b: [r.left, r.top, r.right, r.bottom] }; }));
  assert.ok(chrome.some((c) => /breadcrumb/.test(c.cls)), 'the breadcrumb is shown');
  for (const c of chrome) assert.ok(!overlaps(c.b, popup), `${c.cls} ${c.b} overlaps the popup ${popup}`);
  assert.deepEqual(await tooWide(page, '.maplibregl-popup'), [], 'nothing in the popup wider than the screen');
  const close = await box(page, '.maplibregl-popup-close-button');
  assert.ok(close[2] - close[0] >= 44 && close[3] - close[1] >= 44, `close button ≥ 44 px: ${close}`);
  // The chart and the last line of the popup can be scrolled to and are then on screen, uncovered.
  for (const sel of ['.maplibregl-popup .series svg', '.maplibregl-popup .pp > :last-child']) {
    const seen = await page.evaluate((sel) => {
      const el = document.querySelector(sel);
      el.scrollIntoView({ block: 'nearest' });
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 10));
      return { b: [r.left, r.top, r.right, r.bottom], hit: el === top || el.contains(top) };
    }, sel);
    assert.ok(inside(seen.b) && seen.b[1] >= popup[1] && seen.hit, `${sel} reachable: ${JSON.stringify(seen)}`);
  }
  await page.evaluate(() => { document.querySelector('.maplibregl-popup .pp').scrollTop = 0; });
  await page.screenshot({ path: join(ART, 'phone-popup.png') });
  await page.tap('.maplibregl-popup-close-button');
  await page.waitForFunction(() => !document.querySelector('.maplibregl-popup'));
  assert.ok(await page.evaluate(() => getComputedStyle(document.querySelector('.maplibregl-ctrl-bottom-right')).visibility === 'visible'),
    'the attribution is back once the popup is closed');
});

test('the embed, print and explanation dialogs fit 390×844: no element wider than the screen, and they scroll', async () => {
  const page = shared;
  const check = async (name, opener, dialogSel) => {
    await page.tap(opener);
    await page.waitForSelector(`${dialogSel}[open]`);
    await page.waitForTimeout(500);
    const d = await box(page, `${dialogSel}[open]`);
    assert.ok(inside(d), `${name} dialog inside the screen: ${d}`);
    assert.deepEqual(await tooWide(page), [], `${name}: no element wider than the screen`);
    const scrolls = await page.evaluate((s) => {
      const el = document.querySelector(s);
      return el.scrollHeight <= el.clientHeight + 1 || ['auto', 'scroll'].includes(getComputedStyle(el).overflowY);
    }, dialogSel);
    assert.ok(scrolls, `${name} dialog scrolls when taller than the screen`);
    await page.screenshot({ path: join(ART, `phone-${name}.png`) });
    await page.keyboard.press('Escape');
    await page.waitForFunction((s) => !document.querySelector(`${s}[open]`), dialogSel);
  };
  await tapHandle(page, 'half');
  await tapHandle(page, 'full');
  await page.locator('#embed').scrollIntoViewIfNeeded();
  await check('embed', '#embed', '#embed-dialog');
  await page.locator('#print').scrollIntoViewIfNeeded();
  await check('print', '#print', '#print-dialog');
  await tapHandle(page, 'peek');
  await check('explain', '#legend .explain-btn', '#explain-dialog');
  await page.context().close();
});

test('a narrow /embed keeps the map first, with the legend on screen', async () => {
  for (const viewport of [{ width: 360, height: 300 }, PHONE]) {
    const page = await phonePage(viewport);
    await page.goto(`${BASE}/embed?ind=density&controls=1`);
    await waitReady(page);
    await settle(page);
    const map = await box(page, '#map');
    assert.ok(inside(map, viewport) && map[3] - map[1] >= 0.65 * viewport.height, `${viewport.width}×${viewport.height}: the map is most of the frame: ${map}`);
    for (const sel of ['#legend .lg-title', '#legend .lg-sub', '#legend .lg-rows li']) assert.ok(inside(await box(page, sel), viewport), `${sel} on screen`);
    assert.deepEqual(await tooWide(page, 'body', true), [], 'nothing wider than the frame (the one-line legend scrolls)');
    await page.screenshot({ path: join(ART, `phone-embed-${viewport.width}x${viewport.height}.png`) });
    await page.context().close();
  }
});

test('1366×768 keeps the side panel (no sheet)', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await settle(page);
  assert.equal(await page.evaluate(() => document.body.dataset.sheet), undefined);
  assert.deepEqual(await box(page, '#panel'), [0, 0, 300, 768]);
  assert.deepEqual(await box(page, '#map'), [300, 0, 1366, 768]);
  assert.equal(await box(page, '.sheet-handle'), null, 'no handle');
  const order = await page.evaluate(() => ['#title', '#synthetic', '#ind', '#legend', '#embed'].map((s) => document.querySelector(s).getBoundingClientRect().top));
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'title, note, pickers, legend, actions from the top');
  await page.screenshot({ path: join(ART, 'phone-desktop-1366.png') });
  await context.close();
});

test('no console errors in any page', () => {
  assert.deepEqual(consoleErrors, []);
});
