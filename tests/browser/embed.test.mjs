// Embeds for portals (issue 16): strict parameters (a bad indicator, period or unit is an error
// over the map and nothing is drawn), framing a unit (`area=`: outline, mask, camera fitted,
// names in words), search inside it (`sa=1`), the compact legend of `controls=0`, the embed
// dialog (Copy, responsive and fixed snippets, live validation), `/` inside a portal's frame,
// and the allow-list of portals that may frame /embed (moved here from map.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ART, BASE, HOST_PORT, OTHER_PORT, axe, browser, consoleErrors, getJSON, newPage, waitReady, settle, useBrowser } from './harness.mjs';

useBrowser('bench-embed.json');

const LAST = '2026-09';

/** axe-core's serious and critical violations in `page` (a page or a frame), as readable lines. */
async function serious(page, context) {
  return (await axe(page, context)).filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target).join(', ')}`);
}

/** The API requests a page makes (path + query), recorded from now on. */
function apiRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/') || u.pathname.startsWith('/styles/')) seen.push(u.pathname + u.search);
  });
  return seen;
}

test('an embed with a bad indicator, period or area shows the error and draws no indicator', async () => {
  const page = await newPage({ width: 800, height: 500 });
  // A valid embed first: a map, a legend, the values requested.
  const ok = apiRequests(page);
  await page.goto(`${BASE}/embed?ind=density&period=${LAST}`);
  await waitReady(page);
  assert.equal(await page.locator('#embed-error').count(), 0);
  assert.ok(await page.evaluate(() => document.querySelectorAll('#map canvas').length) > 0);
  assert.ok((await page.locator('#legend .lg-rows li').count()) >= 3);
  assert.ok(ok.some((p) => p.startsWith('/api/v1/map/values')), 'a valid embed fetches its values');
  assert.equal(await page.title(), 'Mật độ dân số — Việt Nam — Tháng 9/2026');

  const cases = [
    { q: 'ind=notanindicator', param: 'ind', value: 'notanindicator', also: /density \(Mật độ dân số\)/ },
    { q: 'ind=density&period=2031-01', param: 'period', value: '2031-01', also: /Tháng 1\/2024 – Tháng 9\/2026/ },
    { q: `ind=density&period=${LAST}&area=999`, param: 'area', value: '999', also: /ranh giới từ 01\/07\/2025/ },
    // Codes were reused in July 2025: 12 is Lai Châu on vn-2025 and on vn-2019; 30 (Hải Dương) is gone.
    { q: `ind=density&period=${LAST}&area=30`, param: 'area', value: '30', also: /ranh giới/ },
  ];
  for (const c of cases) {
    const p = await newPage({ width: 800, height: 500 });
    const seen = apiRequests(p);
    await p.goto(`${BASE}/embed?${c.q}`);
    await waitReady(p);
    const err = p.locator('#embed-error');
    assert.equal(await err.isVisible(), true, `${c.q}: the error is shown`);
    const text = await err.textContent();
    assert.ok(text.includes(`${c.param}=${c.value}`), `${c.q}: names the parameter and the value: ${text}`);
    assert.match(text, c.also, `${c.q}: says what is available`);
    assert.equal(await p.evaluate(() => document.body.dataset.error), c.param);
    // No map lies: no map, no legend, no values or style fetched for the indicator.
    assert.equal(await p.evaluate(() => !!window.popmap.map), false, `${c.q}: no map`);
    assert.equal(await p.evaluate(() => document.querySelectorAll('#map canvas').length), 0);
    assert.equal(await p.locator('#legend .lg-rows li').count(), 0, `${c.q}: no legend`);
    assert.deepEqual(seen.filter((s) => /^\/api\/v1\/map\/values|^\/styles\//.test(s)), [], `${c.q}: nothing drawn`);
    assert.equal(await p.getAttribute('#embed-error', 'role'), 'alert');
    if (c.param === 'ind') {
      await p.screenshot({ path: join(ART, 'embed-error.png') });
      assert.deepEqual(await serious(p), [], 'axe on the error');
    }
    await p.close();
  }
  // In English, by `lang`.
  const en = await newPage({ width: 800, height: 500 });
  await en.goto(`${BASE}/embed?ind=notanindicator&lang=en`);
  await waitReady(en);
  assert.match(await en.locator('#embed-error').textContent(), /There is no indicator "ind=notanindicator"\. Indicators: density \(Population density\)/);
  await en.close();
  // The full map keeps correcting (with a notice): an unknown area is dropped, the map drawn.
  await page.goto(`${BASE}/?ind=density&period=${LAST}&area=999`);
  await waitReady(page);
  assert.equal(await page.locator('#embed-error').count(), 0);
  assert.match(await page.locator('#notice').textContent(), /area=999/);
  await page.close();
});

test('area= frames a unit on the version of the period: outline, mask, camera fitted, names in words', async () => {
  for (const vp of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
    const page = await newPage(vp);
    await page.goto(`${BASE}/embed?ind=density&period=${LAST}&area=15&at=4/10/100`);
    await waitReady(page);
    await settle(page);
    const geo = await getJSON(`/api/v1/units/15/geometry?period=${LAST}`);
    assert.equal(geo.properties.name, 'Tỉnh Lào Cai');
    const r = await page.evaluate(([w, s, e, n]) => {
      const map = window.popmap.map;
      const c = map.getCanvas();
      const a = map.project([w, n]);
      const b = map.project([e, s]);
      const mid = map.project([(w + e) / 2, (s + n) / 2]);
      return {
        layers: ['area-mask', 'area-outline'].map((id) => !!map.getLayer(id)),
        box: [a.x, a.y, b.x, b.y], cw: c.clientWidth, ch: c.clientHeight,
        maskAtCorner: map.queryRenderedFeatures([2, 2], { layers: ['area-mask'] }).length,
        maskInside: map.queryRenderedFeatures([mid.x, mid.y], { layers: ['area-mask'] }).length,
      };
    }, geo.bbox);
    assert.deepEqual(r.layers, [true, true], 'mask and outline layers');
    const [x0, y0, x1, y1] = r.box;
    // `at` is ignored when `area` is given: the unit's box is inside the map and fills most of it.
    assert.ok(x0 >= -1 && y0 >= -1 && x1 <= r.cw + 1 && y1 <= r.ch + 1, `box ${r.box} inside ${r.cw}×${r.ch}`);
    const fill = Math.max((x1 - x0) / r.cw, (y1 - y0) / r.ch);
    assert.ok(fill > 0.75, `the unit fills the frame (${fill.toFixed(2)})`);
    assert.ok(r.maskAtCorner > 0, 'outside the unit is dimmed');
    assert.equal(r.maskInside, 0, 'the unit itself is not dimmed');
    assert.equal(await page.title(), 'Mật độ dân số — Tỉnh Lào Cai — Tháng 9/2026');
    assert.match(await page.locator('#area-name').textContent(), /Tỉnh Lào Cai/);
    if (vp.width === 1366) {
      // The title follows the view.
      await page.evaluate(() => window.popmap.set({ period: '2026-08' }));
      await settle(page);
      assert.equal(await page.title(), 'Mật độ dân số — Tỉnh Lào Cai — Tháng 8/2026');
    }
    await page.screenshot({ path: join(ART, `embed-area-${vp.width}.png`) });
    await page.close();
  }
  // Code 15 named Yên Bái before July 2025: the area follows the period's boundary version.
  const old = await newPage({ width: 800, height: 500 });
  await old.goto(`${BASE}/embed?ind=density&period=2024-09&area=15&lang=en`);
  await waitReady(old);
  assert.equal(await old.title(), 'Population density — Tỉnh Yên Bái — September 2024');
  await old.close();
});

test('sa=1 limits the embed search to the framed unit', async () => {
  const page = await newPage({ width: 1000, height: 650 });
  await page.goto(`${BASE}/embed?ind=density&period=${LAST}&area=15&sa=1`);
  await waitReady(page);
  assert.equal(await page.locator('#search').isVisible(), true, 'the search box is shown with sa=1');
  const results = async (q) => {
    await page.fill('#search', q);
    await page.waitForTimeout(800);
    return page.locator('#results li').allTextContents();
  };
  const inside = await results('Sa Pa');
  assert.ok(inside.some((t) => /Sa Pa/.test(t)), `a commune of Lào Cai is found: ${inside}`);
  const outside = await results('Hà Nội');
  assert.ok(!outside.some((t) => /Hà Nội/.test(t)), `nothing outside Lào Cai: ${outside}`);
  // Without sa=1 the embed has no search box.
  await page.goto(`${BASE}/embed?ind=density&period=${LAST}&area=15`);
  await waitReady(page);
  assert.equal(await page.locator('#search').isVisible(), false);
  await page.close();
});

test('controls=0: the compact legend covers at most a fifth of a 400×300 frame and folds', async () => {
  const page = await newPage({ width: 400, height: 300 });
  await page.goto(`${BASE}/embed?ind=density&period=${LAST}&controls=0&area=15`);
  await waitReady(page);
  await settle(page);
  const measure = () => page.evaluate(() => {
    const r = document.getElementById('panel').getBoundingClientRect();
    return { share: (r.width * r.height) / (window.innerWidth * window.innerHeight), r: [r.x, r.y, r.width, r.height] };
  });
  const open = await measure();
  assert.ok(open.share <= 0.2, `legend covers ${(open.share * 100).toFixed(1)} % (${open.r})`);
  assert.match(await page.locator('#legend .lg-title').textContent(), /^Mật độ dân số/);
  assert.match(await page.locator('#legend .lg-sub').textContent(), /Tháng 9\/2026/);
  assert.ok(await page.locator('#legend .lg-rows li').first().isVisible(), 'classes shown');
  await page.screenshot({ path: join(ART, 'embed-compact-400x300.png') });
  assert.deepEqual(await serious(page), [], 'axe on the compact embed');
  const toggle = page.locator('#legend-toggle');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  assert.equal(await toggle.getAttribute('aria-label'), 'Ẩn/hiện chú giải');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  const folded = await measure();
  assert.ok(folded.share < open.share * 0.6, `folded ${(folded.share * 100).toFixed(1)} % of the frame, open ${(open.share * 100).toFixed(1)} %`);
  assert.equal(await page.locator('#legend .lg-title').isVisible(), true, 'still names the indicator');
  assert.equal(await page.locator('#legend .lg-sub').isVisible(), true, 'and the period');
  console.log(`compact legend: ${(open.share * 100).toFixed(1)} % open, ${(folded.share * 100).toFixed(1)} % folded of 400×300`);
  await page.close();
});

test('the embed dialog: frame, live validation, responsive and fixed snippets, Copy', async () => {
  for (const vp of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
    const context = await browser.newContext({ viewport: vp, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    await page.goto(`${BASE}/?ind=cbr&period=${LAST}&sel=15`);
    await waitReady(page);
    // On a phone the button sits in the bottom sheet (sheet.js); the dialog is what is tested here.
    await page.evaluate(() => document.getElementById('embed').click());
    const code = page.locator('#embed-code');
    // The selected unit is the default frame: named, and in the snippet's address and title.
    await page.waitForFunction(() => /area=15/.test(document.getElementById('embed-code').value));
    await page.waitForFunction(() => /Lào Cai/.test(document.getElementById('embed-area-name').textContent));
    let snippet = await code.inputValue();
    assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\?ind=cbr&amp;period=2026-09&amp;lock=ind&amp;area=15&amp;sa=1"/);
    assert.match(snippet, /title="Tỷ suất sinh thô — Tỉnh Lào Cai — Tháng 9\/2026"/);
    assert.match(snippet, /style="width:100%;aspect-ratio:16\/10;border:0"/, 'responsive by default');
    // The whole country.
    await page.check('input[name=frame][value=all]');
    await page.waitForFunction(() => /Việt Nam/.test(document.getElementById('embed-code').value));
    assert.doesNotMatch(await code.inputValue(), /area=/);
    // A typed code is checked live: unknown → the problem in words.
    await page.fill('input[name=code]', '999');
    const problems = page.locator('#embed-problems li');
    await problems.first().waitFor();
    assert.match(await problems.first().textContent(), /area=999/);
    await page.fill('input[name=code]', '79');
    await page.waitForFunction(() => !document.querySelector('#embed-problems li') && /Hồ Chí Minh/.test(document.getElementById('embed-code').value));
    // An edited address with a bad indicator is shown too.
    const url = page.locator('#embed-url');
    await url.fill((await url.inputValue()).replace('ind=cbr', 'ind=notanindicator'));
    await page.waitForFunction(() => document.querySelector('#embed-problems li[data-param="ind"]'));
    await url.fill((await url.inputValue()).replace('ind=notanindicator', 'ind=density'));
    await page.waitForFunction(() => !document.querySelector('#embed-problems li'));
    assert.match(await code.inputValue(), /title="Mật độ dân số — Thành phố Hồ Chí Minh — Tháng 9\/2026"/);
    // Aspect and fixed size.
    await page.selectOption('select[name=aspect]', '4/3');
    assert.match(await code.inputValue(), /aspect-ratio:4\/3/);
    await page.check('input[name=size][value=fixed]');
    await page.fill('input[name=w]', '640');
    await page.fill('input[name=h]', '480');
    assert.match(await code.inputValue(), /width="640" height="480" style="border:0"/);
    assert.equal(await page.locator('label:has(input[name=w])').textContent(), 'Rộng (px) ');
    await page.check('input[name=size][value=fluid]');
    // Copy: the snippet on the clipboard, confirmed in a status line.
    await page.click('#embed-copy');
    await page.waitForFunction(() => document.getElementById('embed-copied').textContent.length > 0);
    assert.equal(await page.locator('#embed-copied').textContent(), 'Đã chép mã nhúng vào bộ nhớ tạm.');
    assert.equal(await page.getAttribute('#embed-copied', 'role'), 'status');
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(clip, await code.inputValue());
    assert.match(clip, /width:100%/);
    // The preview frames /embed (not /), scaled to the dialog.
    // Scrolled into view: a frame outside the viewport may not render (no idle, no ready).
    await page.locator('#embed-preview').scrollIntoViewIfNeeded();
    const preview = await (await page.waitForSelector('#embed-preview')).contentFrame();
    await preview.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
    assert.equal(await preview.evaluate(() => document.body.dataset.framed || ''), '');
    const fit = await page.evaluate(() => {
      const d = document.getElementById('embed-dialog').getBoundingClientRect();
      const p = document.getElementById('embed-preview').getBoundingClientRect();
      const wide = [...document.querySelectorAll('#embed-dialog *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5);
      return { d: [d.left, d.right, d.height], p: [p.left, p.right], vw: window.innerWidth, vh: window.innerHeight, wide: wide.length };
    });
    assert.ok(fit.d[0] >= 0 && fit.d[1] <= fit.vw && fit.d[2] <= fit.vh, `dialog fits ${JSON.stringify(fit)}`);
    assert.ok(fit.p[0] >= fit.d[0] && fit.p[1] <= fit.d[1], 'preview inside the dialog');
    assert.equal(fit.wide, 0, 'no element wider than the viewport');
    await page.screenshot({ path: join(ART, `embed-dialog-${vp.width}.png`) });
    assert.deepEqual(await serious(page, '#embed-dialog'), [], 'axe on the dialog');
    await context.close();
  }
});

test('/ inside a portal frame explains to use the embed link', async () => {
  const page = await newPage({ width: 1000, height: 700 });
  const seen = [];
  page.on('request', (r) => {
    if (/\/\?ind=cbr/.test(r.frame().url()) && new URL(r.url()).pathname.startsWith('/api/')) seen.push(r.url());
  });
  await page.goto(`http://127.0.0.1:${HOST_PORT}/`);
  await page.evaluate((src) => {
    document.getElementById('f').src = src;
  }, `${BASE}/?ind=cbr&period=${LAST}&level=province`);
  const frame = await (await page.waitForSelector('#f')).contentFrame();
  await frame.waitForURL(/\/\?ind=cbr/);
  await frame.waitForFunction(() => document.body.dataset.framed === '1', null, { timeout: 30000 });
  const link = frame.locator('#framed-embed');
  assert.equal(await link.getAttribute('href'), `${BASE}/embed?ind=cbr&period=${LAST}&level=province`);
  assert.equal(await link.getAttribute('target'), '_top');
  assert.match(await frame.locator('h1').textContent(), /không dùng để nhúng/);
  assert.equal(await frame.evaluate(() => document.querySelectorAll('canvas').length), 0, 'no map');
  await page.waitForTimeout(300);
  assert.deepEqual(seen, [], 'no data fetched');
  await page.screenshot({ path: join(ART, 'embed-framed-root.png') });
  assert.deepEqual(await serious(frame), [], 'axe on the explanation');
  await page.close();
});

test('the embed page renders in an allowed portal iframe and is refused elsewhere', async () => {
  const page = await newPage({ width: 1000, height: 700 });
  await page.goto(`http://127.0.0.1:${HOST_PORT}/`);
  const frame = await (await page.waitForSelector('#f')).contentFrame();
  await frame.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
  const n = await frame.evaluate(() => window.popmap.map.queryRenderedFeatures().length);
  assert.ok(n > 0, 'embedded map has features');
  assert.equal(await frame.locator('#row-ind').isHidden(), true, 'locked indicator picker is hidden');
  await page.screenshot({ path: join(ART, 'embed-in-portal.png') });
  await page.close();

  const other = await browser.newPage();
  const blocked = [];
  other.on('console', (m) => blocked.push(m.text()));
  await other.goto(`http://127.0.0.1:${OTHER_PORT}/`);
  await other.waitForTimeout(1500);
  const f2 = await (await other.waitForSelector('#f')).contentFrame();
  const ready = await f2.evaluate(() => document.body?.dataset?.ready ?? null).catch(() => null);
  assert.notEqual(ready, '1', 'a portal not in the allow-list cannot frame the map');
  assert.ok(blocked.some((m) => /frame-ancestors/.test(m)), 'Chromium reports the CSP refusal');
  await other.close();
});

test('no console errors in the embed tests', () => {
  assert.deepEqual(consoleErrors, []);
});
