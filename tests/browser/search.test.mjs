// The search box as a WAI-ARIA 1.2 combobox over the server's search, in Debian's Chromium
// against a real `popmap demo`: chosen with the keyboard only (no pointer event), what people
// type ("tp hcm", "hanoi") and a unit of older boundaries ("Bình Dương", a province until 2025,
// now part of Thành phố Hồ Chí Minh) on the default 2026 period, the no-result announcement,
// Escape, and a click elsewhere closing the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, newPage, waitReady, settle, consoleErrors, axe, BASE } from './harness.mjs';

useBrowser('bench-search.json');

/** Empties the box and types `text` with the keyboard; resolves on the list or the status. */
async function typeInto(page, text) {
  await page.focus('#search');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  // The list is busy from a keystroke until the answer to the text typed is shown.
  await page.waitForFunction((t) => document.querySelector('#search').value === t
    && document.querySelector('#results').getAttribute('aria-busy') === 'false', text, { timeout: 10000 });
}

/** The options listed: {name, detail} of each. */
const options = (page) => page.$$eval('#results [role=option]', (lis) =>
  lis.map((li) => ({ name: li.querySelector('b').textContent, detail: li.querySelector('small').textContent })));

test('search: a keyboard-only combobox over the server search, across boundary versions', async () => {
  const page = await newPage({ width: 1366, height: 768 });
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await settle(page);
  await page.evaluate(() => {
    window.pointerEvents = [];
    for (const type of ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'touchstart', 'click']) {
      window.addEventListener(type, (e) => {
        if (type === 'click' && e.detail === 0 && !e.pointerType) return; // Enter on a button
        window.pointerEvents.push(type);
      }, true);
    }
  });
  const box = page.locator('#search');
  assert.equal(await box.getAttribute('role'), 'combobox');
  assert.equal(await box.getAttribute('aria-controls'), 'results');
  assert.equal(await box.getAttribute('aria-autocomplete'), 'list');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.getAttribute('#results', 'role'), 'listbox');
  assert.ok(await box.getAttribute('aria-label') || (await page.$$eval('label[for=search]', (l) => l.length)), 'the box has a name');

  // "ha noi", ArrowDown, Enter: Hà Nội is selected (breadcrumb and sel= in the URL).
  await typeInto(page, 'ha noi');
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  const hn = await options(page);
  assert.equal(hn[0].name, 'Thành phố Hà Nội');
  assert.match(hn[0].detail, /^Thành phố/, 'the real type, not "Tỉnh"');
  assert.equal(hn.filter((o) => o.name === 'Thành phố Hà Nội').length, 1, 'listed once, not once per boundary version');
  await page.keyboard.press('ArrowDown');
  // The open combobox, its listbox and options pass axe (serious or critical: none).
  const bad = (await axe(page, '.search')).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], JSON.stringify(bad, null, 1));
  const active = await box.getAttribute('aria-activedescendant');
  assert.equal(await page.getAttribute(`#${active}`, 'aria-selected'), 'true');
  assert.match(await page.textContent(`#${active}`), /Thành phố Hà Nội/);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.selected === '01', null, { timeout: 20000 });
  await settle(page);
  assert.match(page.url(), /[?&]sel=01(&|$)/);
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('#results').isVisible(), false, 'the list closes on choosing');
  assert.deepEqual(await page.evaluate(() => window.pointerEvents), [], 'no pointer event');

  // What people type finds the expected unit first.
  for (const [typed, name] of [['tp hcm', 'Thành phố Hồ Chí Minh'], ['hanoi', 'Thành phố Hà Nội'], ['Phường Biên Hòa', 'Phường Biên Hòa']]) {
    await typeInto(page, typed);
    const got = await options(page);
    assert.equal(got[0]?.name, name, `${typed}: ${JSON.stringify(got)}`);
  }
  const bh = await options(page);
  assert.equal(bh[0].detail, 'Phường · Tỉnh Đồng Nai', 'type and parent name, not "Xã"');

  // "Bình Dương" on the default 2026 period: the 2019 province, now part of Hồ Chí Minh City;
  // choosing it frames and selects the city it is now part of.
  await typeInto(page, 'Bình Dương');
  const bd = await options(page);
  const at = bd.findIndex((o) => o.name === 'Tỉnh Bình Dương');
  assert.ok(at >= 0, `the 2019 province is listed: ${JSON.stringify(bd)}`);
  assert.equal(bd[at].detail, 'Tỉnh · nay thuộc Thành phố Hồ Chí Minh');
  for (let i = 0; i <= at; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.selected === '79', null, { timeout: 20000 });
  await settle(page);
  const c = await page.evaluate(() => window.popmap.map.getCenter());
  assert.ok(Math.abs(c.lng - 106.7) < 1 && Math.abs(c.lat - 10.9) < 1.2, `framed on Hồ Chí Minh City: ${JSON.stringify(c)}`);
  assert.deepEqual(await page.evaluate(() => window.popmap.pointerEvents || window.pointerEvents), [], 'still no pointer event');

  // Nothing found is announced; Escape closes and clears the list.
  await typeInto(page, 'zzzz');
  assert.equal(await page.textContent('#search-status'), 'Không tìm thấy “zzzz”');
  assert.equal(await page.getAttribute('#search-status', 'role'), 'status');
  assert.equal(await page.locator('#results [role=option]').count(), 0);
  await typeInto(page, 'dong nai');
  assert.ok(await page.locator('#results').isVisible());
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#results [role=option]').count(), 0);
  assert.equal(await box.getAttribute('aria-expanded'), 'false');

  // A click elsewhere (on the map) closes the list: it never stays over the legend.
  await typeInto(page, 'hue');
  assert.ok(await page.locator('#results').isVisible());
  await page.mouse.click(900, 400);
  assert.equal(await page.locator('#results').isVisible(), false);

  // On a 2024 period (2019 boundaries) the old province is framed on its own boundaries.
  await page.goto(`${BASE}/?period=2024-06`);
  await waitReady(page);
  await typeInto(page, 'tinh binh duong');
  assert.equal((await options(page))[0]?.name, 'Tỉnh Bình Dương');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.selected === '74', null, { timeout: 20000 });

  // In English: the types, "now part of" and the no-result text; the box's name too.
  await page.goto(`${BASE}/?lang=en`);
  await waitReady(page);
  assert.match(await box.getAttribute('aria-label'), /^Find an administrative unit/);
  await typeInto(page, 'binh duong');
  const en = await options(page);
  assert.ok(en.some((o) => o.name === 'Tỉnh Bình Dương' && o.detail === 'Province · now part of Thành phố Hồ Chí Minh'), JSON.stringify(en));
  assert.ok(en.some((o) => o.name === 'Phường Bình Dương' && o.detail === 'Ward · Thành phố Hồ Chí Minh'), JSON.stringify(en));
  await typeInto(page, 'zzzz');
  assert.equal(await page.textContent('#search-status'), 'No unit matches “zzzz”');
  await page.close();
  assert.deepEqual(consoleErrors, []);
});
