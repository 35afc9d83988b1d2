// Real-browser tests of issue 15's period model, stable legend, change maps and series on the
// demo (Playwright driving Debian's Chromium against a real `popmap demo`): the default view is
// the newest month and Play advances; Play 2025-01 → 2026-09 keeps the legend's thresholds in
// every frame (across the July 2025 reorganisation); the granularity switch and the comparison
// picker offer one granularity; a change map comes from /api/v1/map/change with at most half the
// communes neutral 2024-06 → 2026-06; the popup's default series of a code whose unit changed in
// July 2025 is harmonised, marks the reorganisation and is visible without scrolling. Screenshots
// at 1366×768 and 390×844 go to target/browser-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ART, BASE, consoleErrors, getJSON, newPage, waitReady, settle, sample, useBrowser } from './harness.mjs';

useBrowser('bench-timeline.json');

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const months = async () => (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period)).map((p) => p.period);

/** The legend as drawn: title, each row's range text and count, the notes. */
function readLegend(page) {
  return page.evaluate(() => {
    const el = document.querySelector('#legend');
    return {
      title: el.querySelector('.lg-title')?.textContent || '',
      sub: el.querySelector('.lg-sub')?.textContent || '',
      rows: [...el.querySelectorAll('.lg-rows li')].map((li) => ({
        range: li.querySelector('.rg')?.textContent || '', count: Number(li.querySelector('.ct')?.textContent),
      })),
      text: el.textContent,
    };
  });
}

/** Whether the panel and legend show an internal id ("2026-09@r1", "vn-2025", "(r1)"). */
async function assertNoIds(page) {
  const text = await page.locator('#panel').innerText();
  assert.doesNotMatch(text, /@r\d|vn-20\d\d|\(r\d\)|\d{4}-\d{2}\b|\d{4}-Q\d/, `no internal ids in the panel: ${text}`);
}

test('the default view is the newest month and Play on it advances (aria-pressed, URL follows)', async () => {
  const page = await newPage(DESKTOP);
  await page.goto(`${BASE}/`);
  await waitReady(page);
  const list = await months();
  const newest = list[list.length - 1];
  assert.equal(await page.evaluate(() => window.popmap.state().period), newest);
  assert.equal(await page.evaluate(() => document.body.dataset.period.split('@')[0]), newest);
  const [y, m] = newest.split('-');
  assert.equal(await page.locator('#period-words').textContent(), `Tháng ${Number(m)}/${y}`);
  assert.equal(await page.locator('#gran button[aria-pressed="true"]').textContent(), 'Tháng');
  // The projection mode follows the reported lengths when the server has projections.
  const projected = (await getJSON('/api/v1/periods')).some((p) => p.kind === 'projection');
  assert.deepEqual(await page.locator('#gran button').allTextContents(), ['Tháng', 'Quý', 'Năm', ...(projected ? ['Dự báo'] : [])]);
  assert.equal(await page.locator('#period').getAttribute('max'), String(list.length - 1), 'the slider spans the months only');
  await assertNoIds(page);
  await page.screenshot({ path: join(ART, 'timeline-default-1366.png') });
  assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
  await page.click('#play');
  assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'true');
  await page.waitForFunction((p) => window.popmap.state().period !== p, newest, { timeout: 15000 });
  const now = await page.evaluate(() => window.popmap.state().period);
  assert.ok(list.includes(now) && now !== newest, `Play moved to another month (${now})`);
  await page.waitForFunction((p) => window.popmap.state().period !== p, now, { timeout: 15000 });
  assert.equal(await page.evaluate(() => window.popmap.state().period), list[list.indexOf(now) + 1], 'then to the next month');
  await page.click('#play');
  assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
  await settle(page);
  assert.match(page.url(), /period=\d{4}-\d{2}/);
  await page.close();
  // On a phone the controls sit under the map: the timeline fits the width, nothing cut off.
  const phone = await newPage(PHONE);
  await phone.goto(`${BASE}/`);
  await waitReady(phone);
  await phone.click('.sheet-handle'); // the pickers are in the half-open bottom sheet (phone.css)
  await phone.locator('#row-period').scrollIntoViewIfNeeded();
  const fits = await phone.evaluate(() => [...document.querySelectorAll('#row-period *')].every((el) => {
    const r = el.getBoundingClientRect();
    return r.width === 0 || (r.left >= 0 && r.right <= window.innerWidth);
  }));
  assert.ok(fits, 'every timeline control within the phone screen');
  await phone.screenshot({ path: join(ART, 'timeline-default-390.png') });
  await phone.close();
});

test('an age indicator: the slider and Play step through the periods with ages only, with no correction notice', async () => {
  const withAges = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period) && p.ages).map((p) => p.period);
  assert.ok(withAges.length >= 2, `the demo has at least two months with ages: ${withAges}`);
  const page = await newPage(DESKTOP);
  await page.goto(`${BASE}/?ind=dependency_total&period=${withAges[0]}`);
  await waitReady(page);
  assert.equal(await page.locator('#period').getAttribute('max'), String(withAges.length - 1), 'the slider spans the months with ages');
  await page.click('#play');
  await page.waitForFunction((p) => window.popmap.state().period !== p, withAges[0], { timeout: 15000 });
  await page.click('#play').catch(() => {});
  await settle(page);
  assert.equal(await page.evaluate(() => window.popmap.state().period), withAges[1], 'Play went to the next month with ages');
  const notice = await page.locator('#notice').isVisible().catch(() => false);
  assert.ok(!notice, `no correction notice: ${notice && await page.locator('#notice').textContent()}`);
  await page.close();
});

test('Play 2025-01 → 2026-09 keeps the legend thresholds identical in every frame', async () => {
  const page = await newPage(DESKTOP);
  const list = await months();
  const from = '2025-01';
  const to = list[list.length - 1];
  await page.goto(`${BASE}/?ind=density&period=${from}&level=province`);
  await waitReady(page);
  await settle(page);
  // Every legend drawn, with the period it was drawn for.
  await page.evaluate(() => {
    window.__frames = [];
    const el = document.querySelector('#legend');
    new MutationObserver(() => {
      const ranges = [...el.querySelectorAll('.lg-rows li .rg')].map((x) => x.textContent);
      window.__frames.push({ period: document.body.dataset.period, ranges });
    }).observe(el, { childList: true });
  });
  await page.selectOption('#speed', '2');
  await page.click('#play');
  await page.waitForFunction((p) => window.popmap.state().period === p, to, { timeout: 120000, polling: 200 });
  await settle(page);
  await page.click('#play').catch(() => {});
  const frames = await page.evaluate(() => window.__frames);
  const periods = [...new Set(frames.map((f) => f.period.split('@')[0]))];
  const want = list.slice(list.indexOf(from) + 1, list.indexOf(to) + 1);
  for (const p of want) assert.ok(periods.includes(p), `a legend was drawn for ${p}`);
  assert.ok(periods.includes('2025-06') && periods.includes('2025-07'), 'across the July 2025 boundary change');
  const first = frames[0].ranges;
  assert.ok(first.length >= 4, `legend rows: ${first}`);
  for (const f of frames) assert.deepEqual(f.ranges, first, `the legend of ${f.period} has the same thresholds`);
  const lg = await readLegend(page);
  assert.match(lg.text, /Cùng ngưỡng cho \d+ kỳ, Tháng 1\/2024 – Tháng \d+\/\d{4}/);
  await page.screenshot({ path: join(ART, 'timeline-play-end-1366.png') });
  await page.close();
});

test('"Chỉ kỳ này" asks breaks=period and the legend says so; unticked, the timeline breaks return', async () => {
  const page = await newPage(DESKTOP);
  const styles = [];
  page.on('request', (r) => { if (r.url().includes('/styles/density.json')) styles.push(r.url()); });
  await page.goto(`${BASE}/?ind=density&period=2025-01&level=province`);
  await waitReady(page);
  await settle(page);
  const before = (await readLegend(page)).rows.map((r) => r.range);
  const api = await getJSON('/api/v1/classes?indicator=density&level=province&period=2025-01&breaks=period');
  await page.locator('#legend [data-breaks]').check();
  await settle(page);
  assert.ok(styles.some((u) => u.includes('breaks=period')), styles.join('\n'));
  assert.match(page.url(), /br=period/);
  const after = await readLegend(page);
  assert.ok(await page.locator('#legend [data-breaks]').isChecked());
  assert.doesNotMatch(after.text, /Cùng ngưỡng cho/);
  assert.equal(after.rows.length - 1, api.classes.length, 'the period classes as the API gives them');
  await page.locator('#legend [data-breaks]').uncheck();
  await settle(page);
  assert.deepEqual((await readLegend(page)).rows.map((r) => r.range), before);
  await page.close();
});

test('the granularity switch: quarters, the newest quarter, comparisons among quarters only', async () => {
  const page = await newPage(DESKTOP);
  await page.goto(`${BASE}/?ind=population`);
  await waitReady(page);
  await page.click('#gran button[data-g="quarter"]');
  await settle(page);
  const periods = await getJSON('/api/v1/periods');
  const quarters = periods.filter((p) => /Q/.test(p.period)).map((p) => p.period);
  const newest = quarters[quarters.length - 1];
  const state = await page.evaluate(() => window.popmap.state());
  assert.deepEqual([state.g, state.period], ['quarter', newest]);
  assert.match(page.url(), /g=quarter/);
  const [y, q] = newest.split('-Q');
  assert.equal(await page.locator('#period-words').textContent(), `Quý ${['I', 'II', 'III', 'IV'][q - 1]}/${y}`);
  const offered = await page.locator('#cmp option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(offered, quarters.filter((p) => p !== newest), 'only the other quarters');
  assert.match(await page.locator('#cmp').innerText(), /Quý I\/2024/);
  await assertNoIds(page);
  await page.screenshot({ path: join(ART, 'timeline-quarter-1366.png') });
  // A link comparing a month with a quarter is refused in the UI, with a message, and the
  // server is not asked for it.
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/map/change')) asked.push(r.url()); });
  await page.goto(`${BASE}/?ind=births&period=2026-06&cmp=2026-Q2`);
  await waitReady(page);
  await settle(page);
  assert.match(await page.locator('#status').textContent(), /Chỉ so sánh được hai kỳ cùng độ dài/);
  assert.deepEqual(asked, []);
  assert.equal(await page.evaluate(() => window.popmap.state().cmp), '');
  await page.close();
});

test('a commune change map 2024-06 → 2026-06 from the server: at most half neutral, measure switch', async () => {
  for (const [vp, name] of [[DESKTOP, '1366'], [PHONE, '390']]) {
    const page = await newPage(vp);
    const asked = [];
    page.on('request', (r) => { if (r.url().includes('/api/v1/map/')) asked.push(r.url()); });
    await page.goto(`${BASE}/?ind=density&period=2026-06&cmp=2024-06&level=commune&at=9.00/21.0000/105.8000`);
    await waitReady(page);
    await settle(page);
    const lg = await readLegend(page);
    // (An explanation link may follow the title.)
    assert.match(lg.title, /^Mật độ dân số — thay đổi từ Tháng 6\/2024 đến Tháng 6\/2026 \(quy đổi về ranh giới từ 01\/07\/2025\)/);
    assert.match(lg.sub, /người\/km²/);
    const neutral = lg.rows.filter((r) => /coi như không đổi/.test(r.range));
    assert.equal(neutral.length, 1, `one neutral class: ${JSON.stringify(lg.rows)}`);
    const total = lg.rows.reduce((s, r) => s + r.count, 0);
    const communes = (await getJSON('/api/v1/map/values?period=2026-06&level=commune')).codes.length;
    assert.equal(total, communes, 'every commune counted once');
    assert.ok(neutral[0].count <= total / 2, `${neutral[0].count} of ${total} communes neutral`);
    assert.ok(asked.some((u) => u.includes('/api/v1/map/change?indicator=density&period=2026-06&base=2024-06&level=commune')), asked.join('\n'));
    assert.ok(!asked.some((u) => u.includes('/map/values') && u.includes('2024-06')), 'no client-side subtraction');
    // The colours drawn are the server's classes of the change: the communes of one class share
    // one colour, and the classes differ (fills are 90 % opaque over the background, so the
    // pixels are compared with each other, not with the swatches).
    const ch = await getJSON('/api/v1/map/change?indicator=density&period=2026-06&base=2024-06&level=commune');
    const classOf = new Map(ch.ids.map((id, i) => [String(id), Number.isFinite(ch.values[i]) ? ch.thresholds.filter((x) => x <= ch.values[i]).length : -1]));
    const seen = await sample(page, 'commune-fill');
    const ids = Object.keys(seen).filter((id) => classOf.has(id));
    assert.ok(ids.length >= 10, `${ids.length} communes sampled`);
    const colours = new Map();
    for (const id of ids) {
      const k = classOf.get(id);
      if (!colours.has(k)) colours.set(k, new Map());
      colours.get(k).set(seen[id][0], (colours.get(k).get(seen[id][0]) || 0) + 1);
    }
    const main = [...colours].map(([k, m]) => [k, [...m].sort((a, b) => b[1] - a[1])[0]]);
    for (const [k, [, n]] of main) {
      const all = [...colours.get(k).values()].reduce((a, b) => a + b, 0);
      assert.ok(n >= all * 0.9, `class ${k}: ${n}/${all} sampled communes in its colour`);
    }
    assert.ok(main.length >= 3, `${main.length} change classes drawn`);
    assert.equal(new Set(main.map(([, [c]]) => c)).size, main.length, 'one colour per class');
    assert.equal(await page.locator('#measure button[aria-pressed="true"]').textContent(), 'Tuyệt đối');
    await assertNoIds(page);
    await page.locator('#legend').scrollIntoViewIfNeeded(); // below the map on a phone
    await page.screenshot({ path: join(ART, `change-commune-${name}.png`) });
    if (name === '390') await page.click('.sheet-handle'); // the pickers: in the half-open bottom sheet
    await page.click('#measure button[data-cm="pct"]');
    await settle(page);
    assert.ok(asked.some((u) => u.includes('/map/change') && u.includes('measure=pct')));
    assert.match(page.url(), /cm=pct/);
    assert.match((await readLegend(page)).sub, /· %$/);
    await page.close();
  }
  // A % indicator's absolute change is in percentage points, as the server names it.
  const page = await newPage(DESKTOP);
  await page.goto(`${BASE}/?ind=urban_share&period=2026-06&cmp=2025-06&level=province`);
  await waitReady(page);
  await settle(page);
  assert.equal(await page.locator('#measure button[data-cm="abs"]').textContent(), 'Tuyệt đối (điểm %)');
  assert.match((await readLegend(page)).sub, /điểm %/);
  await page.screenshot({ path: join(ART, 'change-pp-1366.png') });
  await page.close();
});

/** Clicks the commune `code` on the map (a pixel inside it, away from its edges). */
async function clickUnit(page, layer, code) {
  const pt = await page.evaluate(({ layer, code }) => {
    const map = window.popmap.map;
    const c = map.getCanvas();
    for (let y = 40; y < c.clientHeight - 40; y += 6) {
      for (let x = 40; x < c.clientWidth - 40; x += 6) {
        const hit = (dx, dy) => map.queryRenderedFeatures([x + dx, y + dy], { layers: [layer] })[0]?.properties.code === code;
        if (hit(0, 0) && hit(5, 0) && hit(-5, 0) && hit(0, 5) && hit(0, -5)) return [x, y];
      }
    }
    return null;
  }, { layer, code });
  assert.ok(pt, `commune ${code} is drawn`);
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + pt[0], box.y + pt[1]);
}

test('the popup series of 26041 (another unit before July 2025) is harmonised by default, above the fold', async () => {
  // 26041 names a commune in both boundary versions, but not the same land.
  const v = (version) => getJSON(`/api/v1/map/values?period=${version === 'vn-2019' ? '2025-06' : '2026-09'}&level=commune&bbox=1`);
  const [old, now] = [await v('vn-2019'), await v('vn-2025')];
  assert.ok(old.codes.includes('26041') && now.codes.includes('26041'), 'the code exists on both versions');
  const b = now.bbox[now.codes.indexOf('26041')];
  const at = `12.50/${((b[1] + b[3]) / 2).toFixed(4)}/${((b[0] + b[2]) / 2).toFixed(4)}`;
  for (const [vp, name] of [[DESKTOP, '1366'], [PHONE, '390']]) {
    const page = await newPage(vp);
    const asked = [];
    page.on('request', (r) => { if (r.url().includes('/series')) asked.push(r.url()); });
    await page.goto(`${BASE}/?ind=density&level=commune&at=${at}`);
    await waitReady(page);
    await settle(page);
    await clickUnit(page, 'commune-fill', '26041');
    await page.waitForSelector('.maplibregl-popup .series svg.chart', { timeout: 20000 });
    await page.waitForTimeout(300); // the popup is moved inside the map after the chart is drawn
    assert.equal(await page.locator('.maplibregl-popup .pp h3 small').textContent(), '26041');
    const url = asked.find((u) => u.includes('/units/26041/series'));
    assert.match(url, /view=harmonised/);
    assert.match(url, /granularity=month/);
    assert.equal(await page.locator('.sview button[aria-pressed="true"]').textContent(), 'Ranh giới trên bản đồ');
    // The line has no reorganisation jump (as reported it falls from ~3,066 to ~2,240).
    const harmonised = await getJSON('/api/v1/units/26041/series?indicator=density&view=harmonised');
    const ms = harmonised.points.filter((p) => /^\d{4}-\d{2}$/.test(p.period)).map((p) => p.value);
    assert.ok(Math.max(...ms) / Math.min(...ms) < 1.1, 'the harmonised months are continuous');
    assert.equal(await page.locator('.series svg circle.pt').count(), ms.length, 'one point per month');
    // The reorganisation is marked and labelled on the harmonised view too.
    assert.equal(await page.locator('.series svg .vbreak').count(), 1);
    assert.equal(await page.locator('.series svg .vbreak text').textContent(), 'Sắp xếp lại 01/07/2025');
    const ticks = await page.locator('.series svg .ytick').allTextContents();
    assert.ok(ticks.length >= 2 && ticks.every((x) => /^[\d.]+(,\d+)?$/.test(x)), `Vietnamese y ticks: ${ticks}`);
    // Visible without scrolling: the chart lies inside the popup's visible box and the map.
    const geo = await page.evaluate(() => {
      const r = (el) => el.getBoundingClientRect().toJSON();
      const pp = document.querySelector('.maplibregl-popup .pp');
      return { chart: r(pp.querySelector('svg.chart')), pp: r(pp), scroll: pp.scrollTop,
        popup: r(document.querySelector('.maplibregl-popup')), map: r(document.querySelector('#map')) };
    });
    assert.equal(geo.scroll, 0);
    assert.ok(geo.chart.bottom <= geo.pp.bottom + 1 && geo.chart.top >= geo.pp.top, `chart above the fold: ${JSON.stringify(geo)}`);
    // On a phone the popup is a sheet at the bottom of the screen (phone.css), over the legend.
    const frame = name === '390' ? { top: 0, left: 0, bottom: PHONE.height, right: PHONE.width } : geo.map;
    assert.ok(geo.popup.top >= frame.top - 1 && geo.popup.bottom <= frame.bottom + 1 &&
      geo.popup.left >= frame.left - 1 && geo.popup.right <= frame.right + 1, `popup inside the map: ${JSON.stringify(geo)}`);
    // A tooltip per point: period in words and value in Vietnamese numbers.
    const dot = await page.locator('.series svg circle.pt').nth(3).boundingBox();
    await page.mouse.move(dot.x + dot.width / 2, dot.y + dot.height / 2);
    assert.match(await page.locator('.series .tip').textContent(), /^Tháng 4\/2024: [\d.]+(,\d)? người\/km²/);
    assert.doesNotMatch(await page.locator('.maplibregl-popup').innerText(), /@r\d|vn-20\d\d/);
    await page.screenshot({ path: join(ART, `series-26041-harmonised-${name}.png`) });
    // As reported is one click away, and the boundary change is marked there too.
    await page.click('.sview button[data-view="as-reported"]');
    await page.waitForSelector('.maplibregl-popup .series[data-view="as-reported"] svg.chart', { timeout: 20000 });
    assert.equal(await page.locator('.series svg .vbreak').count(), 1);
    await page.waitForFunction(() => location.search.includes('sv=as-reported'));
    await page.screenshot({ path: join(ART, `series-26041-as-reported-${name}.png`) });
    await page.close();
  }
});

test('no console errors in the timeline pages', () => {
  assert.deepEqual(consoleErrors, []);
});
