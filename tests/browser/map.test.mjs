// Real-browser tests of the popmap web map: Playwright (playwright-core) driving Debian's
// Chromium against a real `popmap serve` on the demo database (started by
// scripts/browser-test.sh, which passes its URL in POPMAP_URL). Screenshots go to
// target/browser-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import colorbrewer from 'colorbrewer/index.es.js';
import {
  ROOT, ART, BASE, consoleErrors, bench, browser,
  getJSON, newPage, waitReady, settle, sample, distinctColours, useBrowser,
} from './harness.mjs';

useBrowser();

test('every style validates against the MapLibre style spec', async () => {
  const index = await getJSON('/styles/index.json');
  assert.ok(index.length >= 6, 'at least six named styles');
  for (const name of ['population-density', 'sex-ratio', 'sex-ratio-at-birth', 'crude-birth-rate', 'population', 'h3-density']) {
    assert.ok(index.some((s) => s.name === name), `style ${name} is listed`);
  }
  const inds = await getJSON('/api/v1/map/indicators');
  const urls = index.map((s) => `/styles/${s.name}.json`);
  for (const d of inds.indicators) urls.push(`/styles/${d.id}.json?join=state`, `/styles/${d.id}.json`);
  for (const u of urls) {
    const doc = await getJSON(u);
    const errors = validateStyleMin(doc);
    assert.deepEqual(errors.map((e) => e.message), [], `${u} is a valid style`);
    for (const src of Object.values(doc.sources)) assert.ok(src.url.startsWith(BASE), `${u}: source on this server`);
    // Glyphs from this server; the country context, province names and archipelagos in every
    // style; admin styles also draw province borders over communes and every level's names.
    assert.equal(doc.glyphs, `${BASE}/fonts/{fontstack}/{range}.pbf`, `${u}: glyphs`);
    assert.equal(doc.sources.context.url, `${BASE}/tiles/context.json`, `${u}: context source`);
    const ids = doc.layers.map((l) => l.id);
    const want = ['background', 'context-land', 'context-land-vn', 'context-border', 'context-island',
      'province-label', 'context-country-label', 'context-archipelago-label'];
    if (!u.includes('h3')) want.splice(4, 0, 'province-outline');
    if (!u.includes('h3')) want.splice(7, 0, 'commune-label');
    const order = want.map((id) => ids.indexOf(id));
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])), `${u}: layers ${ids.join(' ')}`);
    assert.equal(ids.at(-1), 'context-archipelago-label', `${u}: archipelago names on top`);
  }
});

test('palettes are ColorBrewer', () => {
  const pal = JSON.parse(readFileSync(join(ROOT, 'styles', 'palettes.json'), 'utf8'));
  for (const [name, sizes] of Object.entries(pal)) {
    for (const [k, colours] of Object.entries(sizes)) assert.deepEqual(colours, colorbrewer[name][k], `${name}/${k}`);
  }
});

test('the map renders, with features, and times to first idle are recorded', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?ind=density`);
  await waitReady(page);
  const t = await page.evaluate(() => window.popmap.readyAt);
  bench.first_idle_ms = Math.round(t);
  const n = await page.evaluate(() => window.popmap.map.queryRenderedFeatures({ layers: ['province-fill'] }).length);
  assert.ok(n >= 30, `${n} province features rendered`);
  assert.ok((await distinctColours(page)) >= 6, 'the canvas is not blank');
  const legend = await page.locator('#legend .lg-rows li').count();
  assert.ok(legend >= 4, 'legend has classes and a no-data row');
  const synthetic = await page.locator('#synthetic').textContent();
  assert.match(synthetic, /tổng hợp|synthetic/i);
  await page.screenshot({ path: join(ART, 'map-density.png') });
  // Again on a warm server (tiles, values and classes cached; the browser cache emptied).
  const warm = [];
  for (let i = 0; i < 3; i++) {
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await p2.goto(`${BASE}/?ind=density`);
    await waitReady(p2);
    warm.push(Math.round(await p2.evaluate(() => window.popmap.readyAt)));
    await p2.close();
  }
  bench.first_idle_warm_ms = warm;
  await page.close();
});

test('changing indicator and period changes the colours of known communes', async () => {
  const page = await newPage();
  // Two months on the same boundary version: the newest and the first of that version.
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period));
  const newest = months[months.length - 1];
  const last = newest.period;
  const first = months.find((p) => p.version === newest.version).period;
  assert.notEqual(first, last);
  await page.goto(`${BASE}/?ind=sex_ratio&period=${last}&at=9.2/21.0300/105.8400`);
  await waitReady(page);
  await settle(page);
  const a = await sample(page, 'commune-fill');
  const ids = Object.keys(a);
  assert.ok(ids.length >= 20, `${ids.length} communes sampled`);
  await page.screenshot({ path: join(ART, 'communes-sex-ratio-last.png') });

  // Indicator switch: from sex ratio (diverging) to density (sequential), colours change.
  await page.selectOption('#ind', 'density');
  await settle(page);
  const b = await sample(page, 'commune-fill');
  const changedByIndicator = ids.filter((id) => b[id] && b[id][0] !== a[id][0]);
  assert.ok(changedByIndicator.length >= ids.length / 2, `${changedByIndicator.length}/${ids.length} changed colour`);
  await page.screenshot({ path: join(ART, 'communes-density-last.png') });

  // Period switch: the communes whose class the API says changed change colour, the others
  // keep theirs; the boundary tiles are not fetched again.
  // The crude birth rate of a month moves communes between classes (births are few).
  await page.selectOption('#ind', 'cbr');
  await settle(page);
  const a2 = await sample(page, 'commune-fill');
  const tiles = [];
  page.on('request', (r) => {
    if (r.url().includes('/tiles/')) tiles.push(r.url());
  });
  // The timeline slider runs over the months (index in the month list).
  const slide = (p) => page.locator('#period').fill(String(months.findIndex((m) => m.period === p)));
  const t0 = Date.now();
  await slide(first);
  await settle(page);
  bench.period_switch_ms = Date.now() - t0;
  const c = await sample(page, 'commune-fill');
  assert.deepEqual(tiles, [], 'no tile refetched on a period switch');
  // A switch to the next month, whose style and values the map prefetched.
  const next = months[months.findIndex((p) => p.period === first) + 1].period;
  await page.waitForTimeout(1500);
  const t1 = Date.now();
  await slide(next);
  await settle(page);
  bench.period_switch_prefetched_ms = Date.now() - t1;
  await page.goBack();
  await settle(page);
  const cls = async (period) => {
    const k = await getJSON(`/api/v1/classes?indicator=cbr&level=commune&period=${period}`);
    const v = await getJSON(`/api/v1/map/values?level=commune&period=${period}&indicators=cbr`);
    const byId = {};
    v.ids.forEach((id, i) => {
      const x = v.values.cbr[i];
      // A value resting on small numbers is hatched (its pixels may fall on a line): not compared.
      byId[id] = v.unstable?.cbr?.[i] ? null : x === null ? -1 : k.thresholds.filter((t) => t <= x).length;
    });
    return byId;
  };
  const [ka, kc] = [await cls(last), await cls(first)];
  const both = Object.keys(a2).filter((id) => c[id] && ka[id] !== null && kc[id] !== null);
  const moved = both.filter((id) => ka[id] !== kc[id]);
  const stayed = both.filter((id) => ka[id] === kc[id]);
  assert.ok(moved.length >= 3, `${moved.length} sampled communes changed class between the periods`);
  for (const id of moved) assert.notEqual(c[id][0], a2[id][0], `commune ${id} changed class and colour`);
  for (const id of stayed) assert.equal(c[id][0], a2[id][0], `commune ${id} kept class and colour`);
  await page.screenshot({ path: join(ART, 'communes-cbr-first.png') });
  // Back restores the previous period from the URL.
  await page.goBack();
  await settle(page);
  assert.equal(await page.evaluate(() => window.popmap.state().period), last);
  await page.close();
});

test('benchmark: period switch repaint (in-page timing)', async () => {
  const page = await newPage();
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period));
  const tail = months.slice(-6).map((p) => p.period);
  await page.goto(`${BASE}/?ind=cbr&period=${tail[5]}&at=9.2/21.0300/105.8400`);
  await waitReady(page);
  await settle(page);
  const runs = [];
  for (const period of tail.slice(0, 5).reverse()) {
    await page.waitForTimeout(1500); // lets the map prefetch the neighbours, as a user would
    runs.push(await page.evaluate(async (period) => {
      const map = window.popmap.map;
      const t0 = performance.now();
      let repaint = null;
      const onRender = () => {
        if (repaint === null && document.body.dataset.period?.startsWith(period)) repaint = performance.now() - t0;
      };
      map.on('render', onRender);
      await window.popmap.set({ period });
      await new Promise((r) => {
        map.once('idle', r);
        map.triggerRepaint();
      });
      map.off('render', onRender);
      return { repaint_ms: Math.round(repaint), idle_ms: Math.round(performance.now() - t0) };
    }, period));
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  bench.period_switch_runs = runs;
  bench.period_switch_repaint_median_ms = median(runs.map((r) => r.repaint_ms));
  bench.period_switch_idle_median_ms = median(runs.map((r) => r.idle_ms));
  assert.ok(runs.every((r) => r.repaint_ms > 0));
  await page.close();
});

test('a change map compares two periods with a diverging legend', async () => {
  const page = await newPage();
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period));
  const [a, b] = [months[months.length - 1].period, months[months.length - 13].period];
  await page.goto(`${BASE}/?ind=population&period=${a}&cmp=${b}&lang=en`);
  await waitReady(page);
  await settle(page);
  const words = (p) => { const [y, m] = p.split('-'); return `${new Date(Date.UTC(+y, +m - 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${y}`; };
  assert.match(await page.locator('#legend .lg-title').textContent(), new RegExp(`change from ${words(b)} to ${words(a)}`));
  // The server's diverging classes (/api/v1/map/change) and the no-data row.
  const served = await getJSON(`/api/v1/map/change?indicator=population&period=${a}&base=${b}&level=province`);
  const swatches = await page.locator('#legend .sw').evaluateAll((els) => els.map((e) => e.style.background));
  assert.equal(swatches.length, served.classes.length + 1, 'the diverging classes and no data');
  const counted = await page.locator('#legend .ct').allTextContents();
  const total = counted.reduce((s, x) => s + Number(x), 0);
  const provinces = (await getJSON(`/api/v1/map/values?period=${a}&level=province`)).codes.length;
  assert.equal(total, provinces, 'every province counted once');
  await page.screenshot({ path: join(ART, 'change-map.png') });

  // Across the reorganisation: a vn-2019 month is moved onto vn-2025 provinces (harmonised).
  const before = (await getJSON('/api/v1/periods')).find((p) => p.version === 'vn-2019' && /^\d{4}-\d{2}$/.test(p.period)).period;
  await page.goto(`${BASE}/?ind=population&period=${a}&cmp=${before}&lang=en`);
  await waitReady(page);
  await settle(page);
  assert.match(await page.locator('#legend .lg-title').textContent(), new RegExp(`change from ${words(before)} to ${words(a)} \\(on boundaries from 01/07/2025\\)`));
  assert.equal(await page.locator('#status').textContent(), '');
  const counted2 = await page.locator('#legend .lg-rows li').evaluateAll((els) => els.map((li) => [li.querySelector('.rg')?.textContent, Number(li.querySelector('.ct')?.textContent)]));
  assert.equal(counted2.reduce((s, [, n]) => s + n, 0), provinces, 'every province counted once');
  const noData = counted2.find(([label]) => /No data/.test(label || ''));
  assert.equal(noData?.[1] ?? 0, 0, 'every province has a change');
  await page.screenshot({ path: join(ART, 'change-map-across-2025.png') });
  await page.close();
});

test('a period is drawn on another boundary version when the reader picks it', async () => {
  const page = await newPage();
  const before = (await getJSON('/api/v1/periods')).find((p) => p.version === 'vn-2019' && /^\d{4}-\d{2}$/.test(p.period)).period;
  const counts = () => page.locator('#legend .ct').allTextContents().then((xs) => xs.reduce((s, x) => s + Number(x), 0));
  const source = () => page.evaluate(() => window.popmap.map.getStyle().sources.popmap.url);
  // A vn-2019 month on vn-2025 provinces: 34 units, vn-2025 boundary tiles, harmonised values.
  await page.goto(`${BASE}/?ind=population&period=${before}&bv=vn-2025&lang=en`);
  await waitReady(page);
  await settle(page);
  assert.equal(await page.locator('#bv').inputValue(), 'vn-2025');
  assert.match(await source(), /\/tiles\/boundaries\/vn-2025\.json$/);
  assert.equal(await counts(), 34);
  assert.match(await page.locator('#legend .lg-sub').textContent(), /on boundaries from 01\/07\/2025/);
  assert.doesNotMatch(await page.locator('#legend').textContent(), /vn-20\d\d/, 'no version id in the legend');
  const harmonised = await getJSON(`/api/v1/map/values?period=${before}&level=province&indicators=population&version=vn-2025`);
  const reported = await getJSON(`/api/v1/map/values?period=${before}&level=province&indicators=population`);
  const sum = (r) => r.values.population.reduce((a, b) => a + b, 0);
  assert.equal(sum(harmonised), sum(reported), 'the national total is conserved');
  await page.screenshot({ path: join(ART, 'period-on-2025-boundaries.png') });
  // Back to the period's own boundaries: 63 provinces.
  await page.selectOption('#bv', '');
  await settle(page);
  await page.waitForFunction(() => !location.search.includes('bv='));
  assert.match(await source(), /\/tiles\/boundaries\/vn-2019\.json$/);
  assert.equal(await counts(), 63);
  await page.close();
});

test('the play button walks the timeline and the URL follows', async () => {
  const page = await newPage();
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period));
  const start = months[months.length - 3].period;
  await page.goto(`${BASE}/?ind=srb&period=${start}`);
  await waitReady(page);
  await page.click('#play');
  await page.waitForFunction((p) => window.popmap.state().period !== p, start, { timeout: 10000 });
  await settle(page);
  const now = await page.evaluate(() => window.popmap.state().period);
  assert.equal(now, months[months.length - 2].period);
  assert.match(page.url(), new RegExp(`period=${now}`));
  await page.click('#play');
  await page.close();
});

test('search finds Hà Nội without diacritics and by code', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await page.fill('#search', 'Ha Noi');
  await page.waitForSelector('#results li');
  const first = await page.locator('#results li').first().textContent();
  assert.match(first, /Hà Nội/);
  await page.screenshot({ path: join(ART, 'search.png') });
  await page.locator('#results li').first().click();
  await settle(page);
  const center = await page.evaluate(() => window.popmap.map.getCenter());
  assert.ok(Math.abs(center.lat - 21.0) < 0.8 && Math.abs(center.lng - 105.8) < 0.8, `centred on Hà Nội: ${JSON.stringify(center)}`);
  await page.fill('#search', '00004');
  await page.waitForSelector('#results li');
  assert.match(await page.locator('#results li').first().textContent(), /00004/);
  await page.close();
});

test('the popup shows values and rank; the language switches', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?ind=density&at=6.5/21.0000/105.8000&lang=en`);
  await waitReady(page);
  await settle(page);
  await page.mouse.click(640, 400);
  await page.waitForSelector('.maplibregl-popup .pp', { timeout: 10000 });
  const text = await page.locator('.maplibregl-popup .pp').textContent();
  assert.match(text, /Population density/);
  assert.match(text, /Rank (within parent|nationally): \d+ \/ \d+/);
  await page.screenshot({ path: join(ART, 'popup.png') });
  assert.equal(await page.locator('#title').textContent(), 'Electronic population map');
  await page.click('#lang');
  await settle(page);
  assert.equal(await page.locator('#title').textContent(), 'Bản đồ dân số điện tử');
  await page.close();
});

test('the popup series switches between harmonised (default), as reported and H3 views', async () => {
  const words = (p) => { const [y, m] = p.split('-'); return `${new Date(Date.UTC(+y, +m - 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${y}`; };
  const page = await newPage();
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/series')) asked.push(r.url()); });
  // A Hà Nội commune of the newest (vn-2025) map, series opened on current boundaries.
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period));
  const last = months[months.length - 1].period;
  // The harmonised view is the default (no sv= in the link).
  await page.goto(`${BASE}/?ind=population&period=${last}&level=commune&at=11.00/21.0300/105.8450&lang=en`);
  await waitReady(page);
  await settle(page);
  await page.mouse.click(640, 400);
  await page.waitForSelector('.maplibregl-popup .series[data-view="harmonised"] svg', { timeout: 15000 });
  const code = await page.locator('.maplibregl-popup .pp h3 small').textContent();
  assert.ok(asked.some((u) => u.includes(`/units/${code}/series`) && u.includes('view=harmonised')), asked.join('\n'));
  assert.equal(await page.locator('.sview button[aria-pressed="true"]').textContent(), 'Map boundaries');
  // Harmonised: one boundary version for every point, the periods before July 2025 moved
  // through the crosswalk; the reorganisation is still marked (every view marks it).
  const harmonised = await getJSON(`/api/v1/units/${code}/series?indicator=population&view=harmonised`);
  assert.deepEqual([...new Set(harmonised.points.map((p) => p.version))], ['vn-2025']);
  assert.ok(harmonised.points.some((p) => p.period < '2025-07') && harmonised.points.every((p) => Number.isFinite(p.value)));
  assert.equal(await page.locator('.series svg .vbreak').count(), 1);
  assert.equal(await page.locator('.series svg .vbreak text').textContent(), 'Reorganised 01/07/2025');
  await page.locator('.series').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ART, 'series-harmonised.png') });

  await page.click('.sview button[data-view="h3"]');
  await page.waitForSelector('.maplibregl-popup .series[data-view="h3"] svg', { timeout: 15000 });
  assert.match(await page.locator('.series .note').textContent(), /cells r8, .* km² · ○ estimated \(\d+\)/);
  await page.waitForFunction(() => location.search.includes('sv=h3'));
  await page.screenshot({ path: join(ART, 'series-h3.png') });

  await page.click('.sview button[data-view="as-reported"]');
  await page.waitForSelector('.maplibregl-popup .series[data-view="as-reported"]', { timeout: 15000 });
  await page.waitForFunction(() => location.search.includes('sv=as-reported'));
  // As reported, the boundary change is marked too (the chart draws the months, like the map's
  // period, on a time axis naming their years; its name for screen readers gives the first month
  // in words).
  const years = [];
  for (let y = +months[0].period.slice(0, 4); y <= +last.slice(0, 4); y++) years.push(String(y));
  assert.deepEqual(await page.locator('.series svg .xtick').allTextContents(), years);
  assert.ok((await page.getAttribute('.series svg.chart', 'aria-label')).includes(words(months[0].period)));
  assert.equal(await page.locator('.series svg .vbreak').count(), 1);
  await page.screenshot({ path: join(ART, 'series-as-reported.png') });
  await page.close();
});

test('exports: PNG with legend (the data downloads are the API\'s: downloads.test.mjs)', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?ind=density`);
  await waitReady(page);
  const dl = async (id) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    const path = join(ART, d.suggestedFilename());
    await d.saveAs(path);
    return path;
  };
  const png = readFileSync(await dl('#png'));
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  await page.close();
});

test('no console errors in any page', () => {
  assert.deepEqual(consoleErrors, []);
});
