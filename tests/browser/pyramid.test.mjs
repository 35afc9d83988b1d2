// Real-browser tests of the popup's population pyramid (issue 19 item 3): on the demo, a
// province clicked in a period with age groups draws its pyramid, males left in the males'
// colour and females right in the females', each bar's rendered length in proportion to the
// API's counts (and, after the toggle, shares), the parent/national outline and the year before
// overlaid; a period without age says which period has them and its button draws that
// period's pyramid; axe-core finds nothing serious in the popup; at 390×844 the pyramid fits
// the phone's sheet; an H3 cell clicked in the H3 view of an age indicator draws the cell's
// pyramid from /api/v1/h3/{period}/{cell}/pyramid with the same drawing, and a suppressed cell
// says so. Screenshots: target/browser-artifacts/pyramid-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ART, BASE, browser, consoleErrors, getJSON, newPage, useBrowser, waitReady, settle, axe } from './harness.mjs';

useBrowser();

const MALES = [0x3a, 0x78, 0xb5];
const FEMALES = [0xc8, 0x55, 0x3d];

/** Clicks (or taps) Hà Nội on the map and waits for its popup's pyramid slot to be filled. */
async function openHanoi(page, tap = false) {
  const at = await page.evaluate(() => {
    const m = window.popmap.map;
    const p = m.project([105.7, 21.0]);
    const r = m.getContainer().getBoundingClientRect();
    const f = m.queryRenderedFeatures(p, { layers: ['province-fill'] })[0];
    return { x: r.left + p.x, y: r.top + p.y, code: f?.properties.code };
  });
  assert.equal(at.code, '01', 'Hà Nội is under the point clicked');
  if (tap) await page.touchscreen.tap(at.x, at.y);
  else await page.mouse.click(at.x, at.y);
  await page.waitForSelector('.maplibregl-popup .pyramid svg.pyr, .maplibregl-popup .pyramid .pshow', { timeout: 30000 });
}

/** Each bar's rendered box and the colour of the pixel at its middle (the SVG drawn on a
 * canvas in the page at its on-screen size). */
async function bars(page) {
  return page.evaluate(async () => {
    const svg = document.querySelector('.maplibregl-popup .pyramid svg.pyr');
    const box = svg.getBoundingClientRect();
    const img = new Image();
    const text = new XMLSerializer().serializeToString(svg);
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = Math.round(box.width);
    c.height = Math.round(box.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0, c.width, c.height);
    return [...svg.querySelectorAll('rect.m, rect.f')].map((r) => {
      const b = r.getBoundingClientRect();
      const x = Math.round(b.left - box.left + b.width / 2);
      const y = Math.round(b.top - box.top + b.height / 2);
      const px = b.width >= 2 ? [...ctx.getImageData(x, y, 1, 1).data].slice(0, 3) : null;
      return { sex: r.classList.contains('m') ? 'males' : 'females', age: r.dataset.age, v: Number(r.dataset.v),
        left: b.left - box.left, right: b.right - box.left, width: b.width, px, mid: box.width / 2 };
    });
  });
}

function near(a, b, tol = 6) {
  return a.every((x, i) => Math.abs(x - b[i]) <= tol);
}

/** Checks the drawn bars against the API's groups in `mode`. */
function checkBars(drawn, api, mode) {
  assert.equal(drawn.length, 34);
  assert.ok(drawn.filter((d) => d.px).length >= 30, 'the colours of (nearly) every bar were read');
  const key = (g, sex) => (mode === 'shares' ? g[`${sex}_share`] : g[sex]);
  const big = drawn.reduce((a, b) => (b.v > a.v ? b : a));
  for (const d of drawn) {
    const g = api.groups.find((x) => x.age === d.age);
    assert.equal(d.v, key(g, d.sex), `${d.age} ${d.sex}: the API's value`);
    // Rendered lengths in the API's proportions (within a pixel).
    assert.ok(Math.abs(d.width - (big.width * d.v) / big.v) <= 1, `${d.age} ${d.sex}: ${d.width} px for ${d.v}`);
    if (d.sex === 'males') assert.ok(d.right <= d.mid, `${d.age}: males left of the middle`);
    else assert.ok(d.left >= d.mid, `${d.age}: females right of the middle`);
    if (d.px) assert.ok(near(d.px, d.sex === 'males' ? MALES : FEMALES), `${d.age} ${d.sex}: colour ${d.px}`);
  }
}

test('a province clicked in a period with age groups: its pyramid in the API\'s numbers, toggled to shares', async () => {
  const api = await getJSON('/api/v1/units/01/pyramid');
  const period = api.period.period;
  const page = await newPage({ width: 1280, height: 800 });
  await page.goto(`${BASE}/?ind=population&level=province&period=${period}`);
  await waitReady(page);
  await settle(page);
  await openHanoi(page);
  const shown = await getJSON(`/api/v1/units/01/pyramid?period=${period}&version=${api.version}`);
  checkBars(await bars(page), shown, 'counts');
  const legend = await page.textContent('.maplibregl-popup .pyramid .pleg');
  assert.match(legend, /Nam/);
  assert.match(legend, /Nữ/);
  assert.match(legend, /Đường viền: Việt Nam/, 'a province is outlined against the country');
  const head = await page.textContent('.maplibregl-popup .pyramid .lbl');
  assert.match(head, /^Tháp dân số · (Tháng \d+|Quý [IV]+|Năm)/);
  assert.doesNotMatch(await page.textContent('.maplibregl-popup .pyramid'), /@r\d|vn-20/);
  // The year before, when published with age groups, overlaid as hollow bars.
  const before = await fetch(`${BASE}/api/v1/units/01/pyramid?period=${period}&compare=${Number(period.slice(0, 4)) - 1}${period.slice(4)}`);
  if (before.status === 200) {
    assert.equal(await page.locator('.maplibregl-popup .pyramid rect.cm').count(), 17);
    assert.match(legend, /Khung đen: /);
  }
  // The table for screen readers: Vietnamese numbers, 17 groups and the total.
  const table = await page.evaluate(() => [...document.querySelectorAll('.maplibregl-popup .pyramid table tr')].map((r) => r.textContent));
  assert.equal(table.length, 19);
  const g80 = shown.groups[16];
  assert.ok(table[1].startsWith(`80+${g80.males.toLocaleString('vi-VN')}`), table[1]);
  await page.screenshot({ path: join(ART, 'pyramid-desktop.png') });
  await page.locator('.maplibregl-popup .pyramid').screenshot({ path: join(ART, 'pyramid-desktop-popup.png') });
  // Shares.
  await page.click('.maplibregl-popup [data-pmode="shares"]');
  await page.waitForSelector('.maplibregl-popup svg.pyr[data-mode="shares"]');
  checkBars(await bars(page), shown, 'shares');
  const serious = (await axe(page, '.maplibregl-popup')).filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => n.target).join(', ')}`), []);
  await page.close();
});

test('a period without age groups says which period has them, and its button draws that pyramid', async () => {
  const api = await getJSON('/api/v1/units/01/pyramid');
  const periods = await getJSON('/api/v1/periods');
  const months = periods.map((p) => p.period).filter((p) => /^\d{4}-\d{2}$/.test(p) && p !== api.period.period);
  let without = null;
  for (const p of months.reverse()) {
    if ((await fetch(`${BASE}/api/v1/units/01/pyramid?period=${p}`)).status === 404) { without = p; break; }
  }
  assert.ok(without, 'the demo has a month without age groups');
  const page = await newPage({ width: 1280, height: 800 });
  await page.goto(`${BASE}/?ind=population&level=province&period=${without}`);
  await waitReady(page);
  await settle(page);
  await openHanoi(page);
  const line = await page.textContent('.maplibregl-popup .pyramid');
  assert.match(line, /Kỳ này không có số liệu theo tuổi\./);
  assert.ok(line.includes(api.period.words_vi), `${line} names ${api.period.words_vi}`);
  await page.click('.maplibregl-popup .pyramid .pshow');
  await page.waitForSelector('.maplibregl-popup .pyramid svg.pyr');
  assert.equal(await page.getAttribute('.maplibregl-popup .pyramid', 'data-period'), api.period.period);
  await page.close();
});

test('on a phone (390×844) the pyramid fits the popup sheet', async () => {
  const api = await getJSON('/api/v1/units/01/pyramid');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  await page.goto(`${BASE}/?ind=population&level=province&period=${api.period.period}`);
  await waitReady(page);
  await settle(page);
  await openHanoi(page, true);
  await page.waitForSelector('.maplibregl-popup .pyramid svg.pyr');
  const fit = await page.evaluate(() => {
    const svg = document.querySelector('.maplibregl-popup .pyramid svg.pyr');
    svg.scrollIntoView({ block: 'nearest' });
    const r = svg.getBoundingClientRect();
    return { left: r.left, right: r.right, width: r.width, top: r.top, bottom: r.bottom };
  });
  assert.ok(fit.left >= 0 && fit.right <= 390 && fit.width >= 300, `the pyramid inside the screen and wide: ${JSON.stringify(fit)}`);
  const shown = await getJSON(`/api/v1/units/01/pyramid?period=${api.period.period}&version=${api.version}`);
  checkBars(await bars(page), shown, 'counts');
  const toggle = await page.locator('.maplibregl-popup [data-pmode="shares"]').boundingBox();
  assert.ok(toggle.height >= 44, `the toggle is a touch target: ${toggle.height}`);
  await page.screenshot({ path: join(ART, 'pyramid-phone.png') });
  await context.close();
});

/** Opens the H3 view of `ind` in `period` over Hà Nội at zoom 11 (r7 cells), waits for it. */
async function openH3(page, ind, period) {
  await page.goto(`${BASE}/?ind=${ind}&level=h3&period=${period}&at=11/21.03/105.85`);
  await waitReady(page);
  await settle(page);
}

/** The screen point and cell of a rendered H3 cell at its hexagon's centre: `hidden` false, a
 * populated cell with a median age; true, a suppressed cell. */
async function cellAt(page, hidden) {
  return page.evaluate((want) => {
    const m = window.popmap.map;
    const ok = (p) => (want ? p.suppressed === true : !p.suppressed && p.population > 1000 && p.median_age > 0);
    const r = m.getContainer().getBoundingClientRect();
    const w = r.width;
    const h = r.height;
    for (const f of m.queryRenderedFeatures({ layers: ['h3-fill'] })) {
      if (!ok(f.properties)) continue;
      const ring = f.geometry.coordinates[0];
      const c = ring.slice(1).reduce((a, p) => [a[0] + p[0], a[1] + p[1]], [0, 0]).map((v) => v / (ring.length - 1));
      const p = m.project(c);
      // Away from the edges and the panel (a phone's sheet: the lower half), and the same
      // cell under the point.
      const phone = w < 700;
      if (p.x < (phone ? 20 : 380) || p.x > w - 40 || p.y < 60 || p.y > (phone ? h * 0.4 : h - 60)) continue;
      const under = m.queryRenderedFeatures(p, { layers: ['h3-fill'] })[0];
      if (under?.properties.cell !== f.properties.cell) continue;
      return { x: r.left + p.x, y: r.top + p.y, cell: f.properties.cell, props: f.properties };
    }
    return null;
  }, hidden);
}

test('an H3 cell clicked in a period with age groups: its pyramid in the API\'s numbers; a suppressed cell says so', async () => {
  const api = await getJSON('/api/v1/units/01/pyramid');
  const period = api.period.period;
  for (const [size, name] of [[{ width: 1366, height: 768 }, 'desktop'], [{ width: 390, height: 844 }, 'phone']]) {
    const page = await newPage(size);
    await openH3(page, 'median_age', period);
    const style = await page.evaluate(() => window.popmap.map.getStyle().sources.popmap.url);
    assert.match(style, /\/tiles\/h3\/.+\.json\?ages=1$/, 'an age indicator is drawn from the age tiles');
    const at = await cellAt(page, false);
    assert.ok(at, 'a populated r7 cell in view');
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector('.maplibregl-popup .pyramid svg.pyr', { timeout: 30000 });
    const rev = await page.evaluate(() => window.popmap.map.getStyle().metadata['popmap:period']);
    const cellAPI = await getJSON(`/api/v1/h3/${rev}/${at.cell}/pyramid`);
    assert.equal(cellAPI.suppressed, false);
    checkBars(await bars(page), cellAPI, 'counts');
    const text = await page.textContent('.maplibregl-popup');
    assert.match(text, /Tháp dân số · Tháng 12\/\d{4}/);
    assert.match(text, /Đường viền: Việt Nam/);
    assert.doesNotMatch(text, /@r\d|vn-20/);
    // The cell's median age is in the popup (the indicator shown), as the API gives it.
    const values = await getJSON(`/api/v1/h3/${rev}/${at.cell}`);
    const row = await page.textContent('.maplibregl-popup tr[data-ind="median_age"]');
    assert.ok(row.includes(values.values.median_age.toLocaleString('vi-VN')), `${row} shows ${values.values.median_age}`);
    await page.evaluate(() => document.querySelector('.maplibregl-popup .pyramid svg.pyr').scrollIntoView({ block: 'nearest' }));
    await page.screenshot({ path: join(ART, `pyramid-h3-${name}.png`) });
    await page.close();
  }
  // A suppressed cell (the age tiles mark it): one line in Vietnamese, no bars.
  const page = await newPage({ width: 1366, height: 768 });
  await openH3(page, 'median_age', period);
  let hidden = null;
  // Coasts, where cells holding a sliver of a commune are small (found on the demo).
  for (const [lat, lng] of [[20.75, 106.75], [10.4, 106.9], [21.2, 107.4]]) {
    await page.evaluate(([la, ln]) => window.popmap.map.jumpTo({ center: [ln, la], zoom: 11 }), [lat, lng]);
    await settle(page);
    hidden = await cellAt(page, true);
    if (hidden) break;
  }
  assert.ok(hidden, 'a suppressed r7 cell in one of the views');
  await page.mouse.click(hidden.x, hidden.y);
  await page.waitForSelector('.maplibregl-popup .pyramid .pyr-hidden', { timeout: 30000 });
  const line = await page.textContent('.maplibregl-popup .pyramid');
  assert.match(line, /Ô này có ít người: không công bố cơ cấu tuổi và giới tính\./);
  assert.equal(await page.locator('.maplibregl-popup .pyramid svg.pyr').count(), 0);
  await page.screenshot({ path: join(ART, 'pyramid-h3-suppressed.png') });
  await page.close();
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
