// Real-browser tests of the popmap web map: Playwright (playwright-core) driving Debian's
// Chromium against a real `popmap serve` on the demo database (started by
// scripts/browser-test.sh, which passes its URL in POPMAP_URL). Screenshots go to
// target/browser-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import colorbrewer from 'colorbrewer/index.es.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ART = join(ROOT, 'target', 'browser-artifacts');
const BASE = process.env.POPMAP_URL || 'http://127.0.0.1:18103';
const HOST_PORT = Number(process.env.POPMAP_HOST_PORT || 18113);
const OTHER_PORT = HOST_PORT + 1;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let browser;
let hosts = [];
const consoleErrors = [];
const bench = {};

async function getJSON(path) {
  const r = await fetch(BASE + path);
  assert.equal(r.status, 200, `${path} answered ${r.status}`);
  return r.json();
}

/** A page that fails the run on any console error or uncaught exception. */
async function newPage(viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Optional endpoints the map probes and degrades without (H3 tiles, unit series from the
    // data API): their 404 is expected on a server without them.
    const url = m.location()?.url || '';
    if (/\/tiles\/h3\/|\/api\/v1\/units\//.test(url) && /404/.test(m.text())) return;
    consoleErrors.push(`${page.url()}: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

async function waitReady(page) {
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
}

/** Waits for the pending update and the next map idle. */
async function settle(page) {
  await page.evaluate(async () => {
    await window.popmap.updating;
    const map = window.popmap.map;
    await new Promise((r) => {
      map.once('idle', r);
      map.triggerRepaint();
    });
  });
}

/**
 * Samples the rendered map on a grid: for each interior sample (the same feature 3 px around),
 * the feature id and the pixel colour. Pixels are read from the canvas on a render frame.
 */
async function sample(page, layer) {
  return page.evaluate(async (layer) => {
    const map = window.popmap.map;
    const pixels = await new Promise((resolve) => {
      map.once('render', () => {
        const c = map.getCanvas();
        const g = document.createElement('canvas');
        g.width = c.width;
        g.height = c.height;
        const ctx = g.getContext('2d');
        ctx.drawImage(c, 0, 0);
        resolve({ data: ctx.getImageData(0, 0, c.width, c.height).data, w: c.width, ratio: c.width / c.clientWidth });
      });
      map.triggerRepaint();
    });
    const out = {};
    const w = map.getCanvas().clientWidth;
    const h = map.getCanvas().clientHeight;
    // Pixels under a name (text or halo) show the label, not the fill.
    const labels = map.getStyle().layers.filter((l) => l.type === 'symbol').map((l) => l.id);
    for (let x = 20; x < w - 20; x += 23) {
      for (let y = 20; y < h - 20; y += 23) {
        const ids = [[0, 0], [3, 0], [-3, 0], [0, 3], [0, -3]].map(([dx, dy]) =>
          map.queryRenderedFeatures([x + dx, y + dy], { layers: [layer] })[0]?.id);
        if (ids[0] === undefined || ids.some((i) => i !== ids[0])) continue;
        if (map.queryRenderedFeatures([[x - 4, y - 4], [x + 4, y + 4]], { layers: labels }).length) continue;
        const px = Math.round(x * pixels.ratio);
        const py = Math.round(y * pixels.ratio);
        const o = (py * pixels.w + px) * 4;
        const rgb = [pixels.data[o], pixels.data[o + 1], pixels.data[o + 2]].join(',');
        (out[ids[0]] ||= []).push(rgb);
      }
    }
    return out;
  }, layer);
}

/** Distinct colours in the map canvas (a blank canvas has one or two). */
async function distinctColours(page) {
  return page.evaluate(async () => {
    const map = window.popmap.map;
    return new Promise((resolve) => {
      map.once('render', () => {
        const c = map.getCanvas();
        const g = document.createElement('canvas');
        g.width = c.width;
        g.height = c.height;
        const ctx = g.getContext('2d');
        ctx.drawImage(c, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        resolve(seen.size);
      });
      map.triggerRepaint();
    });
  });
}

before(async () => {
  mkdirSync(ART, { recursive: true });
  // Two portal pages: one allowed to frame /embed (the server runs with
  // --frame-ancestors http://127.0.0.1:HOST_PORT), one not.
  for (const port of [HOST_PORT, OTHER_PORT]) {
    const srv = createServer((req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>portal</title><h1>Portal ${port}</h1>` +
        `<iframe id="f" src="${BASE}/embed?ind=sex_ratio&lock=ind&controls=1" width="900" height="560" style="border:1px solid #999"></iframe>`);
    });
    await new Promise((r) => srv.listen(port, '127.0.0.1', r));
    hosts.push(srv);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-gl=angle',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
  for (const h of hosts) h.close();
  writeFileSync(join(ART, 'bench.json'), JSON.stringify(bench, null, 2));
});

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
  const t0 = Date.now();
  await page.selectOption('#period', first);
  await settle(page);
  bench.period_switch_ms = Date.now() - t0;
  const c = await sample(page, 'commune-fill');
  assert.deepEqual(tiles, [], 'no tile refetched on a period switch');
  // A switch to the next month, whose style and values the map prefetched.
  const next = months[months.findIndex((p) => p.period === first) + 1].period;
  await page.waitForTimeout(1500);
  const t1 = Date.now();
  await page.selectOption('#period', next);
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
      byId[id] = x === null ? -1 : k.thresholds.filter((t) => t <= x).length;
    });
    return byId;
  };
  const [ka, kc] = [await cls(last), await cls(first)];
  const both = Object.keys(a2).filter((id) => c[id]);
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
  assert.match(await page.locator('#legend .lg-title').textContent(), new RegExp(`Change since ${words(b)}`));
  const swatches = await page.locator('#legend .sw').evaluateAll((els) => els.map((e) => e.style.background));
  assert.equal(swatches.length, 8, 'seven diverging classes and no data');
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
  assert.match(await page.locator('#legend .lg-title').textContent(), new RegExp(`Change since ${words(before)} \\(on boundaries vn-2025\\)`));
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
  assert.match(await page.locator('#legend .lg-sub').textContent(), /on boundaries vn-2025/);
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

test('the popup series switches between as reported, harmonised and H3 views', async () => {
  const page = await newPage();
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/series')) asked.push(r.url()); });
  // A Hà Nội commune of the newest (vn-2025) map, series opened on current boundaries.
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period));
  const last = months[months.length - 1].period;
  await page.goto(`${BASE}/?ind=population&period=${last}&level=commune&at=11.00/21.0300/105.8450&lang=en&sv=harmonised`);
  await waitReady(page);
  await settle(page);
  await page.mouse.click(640, 400);
  await page.waitForSelector('.maplibregl-popup .series[data-view="harmonised"] svg', { timeout: 15000 });
  const code = await page.locator('.maplibregl-popup .pp h3 small').textContent();
  assert.ok(asked.some((u) => u.includes(`/units/${code}/series`) && u.includes('view=harmonised')), asked.join('\n'));
  assert.equal(await page.locator('.sview button[aria-pressed="true"]').textContent(), 'Current boundaries');
  // Harmonised: one boundary version for every point, so no break line; the periods before
  // July 2025 are moved through the crosswalk.
  const harmonised = await getJSON(`/api/v1/units/${code}/series?indicator=population&view=harmonised`);
  assert.deepEqual([...new Set(harmonised.points.map((p) => p.version))], ['vn-2025']);
  assert.ok(harmonised.points.some((p) => p.period < '2025-07') && harmonised.points.every((p) => Number.isFinite(p.value)));
  assert.equal(await page.locator('.series svg .vbreak').count(), 0);
  await page.locator('.series').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ART, 'series-harmonised.png') });

  await page.click('.sview button[data-view="h3"]');
  await page.waitForSelector('.maplibregl-popup .series[data-view="h3"] svg', { timeout: 15000 });
  assert.match(await page.locator('.series .note').textContent(), /cells r8, .* km² · ○ estimated \(\d+\)/);
  await page.waitForFunction(() => location.search.includes('sv=h3'));
  await page.screenshot({ path: join(ART, 'series-h3.png') });

  await page.click('.sview button[data-view="as-reported"]');
  await page.waitForSelector('.maplibregl-popup .series[data-view="as-reported"]', { timeout: 15000 });
  await page.waitForFunction(() => !location.search.includes('sv='));
  // As reported, a commune code that also named a vn-2019 commune shows the boundary change
  // (the chart draws the months, like the map's period).
  const reported = await getJSON(`/api/v1/units/${code}/series?indicator=population`);
  const versions = new Set(reported.points.filter((p) => /^\d{4}-\d{2}$/.test(p.period)).map((p) => p.version));
  assert.equal(await page.locator('.series svg text').first().textContent(), months[0].period);
  assert.equal(await page.locator('.series svg .vbreak').count(), versions.size > 1 ? 1 : 0);
  await page.screenshot({ path: join(ART, 'series-as-reported.png') });
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

test('the embed dialog builds iframe code with a live preview', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?ind=cbr`);
  await waitReady(page);
  await page.click('#embed');
  const code = await page.locator('#embed-code').inputValue();
  assert.match(code, /<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\?ind=cbr/);
  assert.match(code, /lock=ind/);
  const preview = await (await page.waitForSelector('#embed-preview')).contentFrame();
  await preview.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
  await page.screenshot({ path: join(ART, 'embed-dialog.png') });
  await page.close();
});

test('exports: CSV and GeoJSON of the view, PNG with legend', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?ind=density`);
  await waitReady(page);
  const dl = async (id) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    const path = join(ART, d.suggestedFilename());
    await d.saveAs(path);
    return path;
  };
  const csv = readFileSync(await dl('#csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'code,name,level,period,density');
  assert.ok(csv.length > 30, `${csv.length - 1} rows`);
  const gj = JSON.parse(readFileSync(await dl('#geojson'), 'utf8'));
  assert.equal(gj.type, 'FeatureCollection');
  assert.ok(gj.features.length > 30 && gj.features[0].geometry.coordinates.length > 0);
  const png = readFileSync(await dl('#png'));
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  await page.close();
});

// ---------- where am I: selection, breadcrumb, level switch, labels ----------

/** The breadcrumb as a reader sees it ('' when hidden). */
async function breadcrumbText(page) {
  return page.evaluate(() => {
    const el = document.querySelector('#breadcrumb');
    return el && !el.hidden ? el.querySelector('ol').innerText.replace(/\s+/g, ' ').trim() : '';
  });
}

/** Codes of the features drawn by `layer` in the view. */
async function renderedCodes(page, layer) {
  return page.evaluate((layer) => {
    const map = window.popmap.map;
    if (!map.getLayer(layer)) return [];
    return [...new Set(map.queryRenderedFeatures({ layers: [layer] }).map((f) => f.properties.code))];
  }, layer);
}

test('a searched unit is outlined, named in the breadcrumb and kept across period and indicator changes', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await page.fill('#search', 'dong nai');
  await page.waitForSelector('#results li');
  assert.match(await page.locator('#results li').first().textContent(), /Tỉnh Đồng Nai/);
  await page.locator('#results li').first().click();
  await settle(page);
  await page.waitForFunction(() => document.body.dataset.selected === '75');
  await settle(page);
  assert.deepEqual(await renderedCodes(page, 'selected-outline'), ['75'], 'the outline draws Đồng Nai only');
  assert.equal(await breadcrumbText(page), 'Việt Nam › Tỉnh Đồng Nai');
  assert.match(page.url(), /[?&]sel=75(&|$)/);
  // Drawn over the fills, under the labels.
  const order = await page.evaluate(() => window.popmap.map.getStyle().layers.map((l) => l.id));
  assert.ok(order.indexOf('selected-outline') > order.indexOf('province-fill'));
  assert.ok(order.indexOf('selected-outline-halo') < order.indexOf('selected-outline'));
  await page.screenshot({ path: join(ART, 'selected-dong-nai.png') });

  // Another period and another indicator: still outlined.
  const months = (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period) && p.version === 'vn-2025');
  await page.selectOption('#period', months[0].period);
  await settle(page);
  assert.deepEqual(await renderedCodes(page, 'selected-outline'), ['75'], 'kept across a period change');
  await page.selectOption('#ind', 'sex_ratio');
  await settle(page);
  assert.deepEqual(await renderedCodes(page, 'selected-outline'), ['75'], 'kept across an indicator change');

  // At commune zoom the province is outlined through the tiles' province_outline layer.
  await page.evaluate(() => window.popmap.map.jumpTo({ center: [107.1, 11.2], zoom: 9 }));
  await settle(page);
  assert.deepEqual(await renderedCodes(page, 'selected-province-outline'), ['75'], 'outlined over the commune fills');
  await page.screenshot({ path: join(ART, 'selected-dong-nai-communes.png') });

  // English UI: the same crumbs in English, no codes.
  await page.click('#lang');
  await settle(page);
  assert.equal(await breadcrumbText(page), 'Vietnam › Dong Nai Province');
  await page.click('#lang');
  await settle(page);

  // A shared link keeps the selection.
  const link = page.url();
  const other = await newPage();
  await other.goto(link);
  await waitReady(other);
  await other.waitForFunction(() => document.body.dataset.selected === '75');
  await settle(other);
  const kept = [...await renderedCodes(other, 'selected-outline'), ...await renderedCodes(other, 'selected-province-outline')];
  assert.deepEqual([...new Set(kept)], ['75'], 'a shared link keeps the outline');
  assert.equal(await breadcrumbText(other), 'Việt Nam › Tỉnh Đồng Nai');
  await other.close();

  // Escape clears it.
  await page.locator('#map canvas').focus();
  await page.keyboard.press('Escape');
  await settle(page);
  assert.deepEqual(await renderedCodes(page, 'selected-outline'), []);
  assert.equal(await breadcrumbText(page), '');
  assert.doesNotMatch(page.url(), /sel=/);
  await page.close();
});

test('a clicked commune has a province › commune breadcrumb whose crumbs select and frame their unit', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?ind=population&at=11.00/21.0300/105.8450`);
  await waitReady(page);
  await settle(page);
  await page.mouse.click(640, 400);
  await page.waitForFunction(() => (document.body.dataset.selected || '').length === 5);
  await settle(page);
  const code = await page.evaluate(() => document.body.dataset.selected);
  assert.deepEqual(await renderedCodes(page, 'selected-outline'), [code]);
  const unit = await getJSON(`/api/v1/units/${code}`);
  assert.equal(await breadcrumbText(page), `Việt Nam › Thành phố Hà Nội › ${unit.name}`);
  await page.screenshot({ path: join(ART, 'selected-commune.png') });
  // The province crumb selects Hà Nội and frames it at a zoom where it is outlined.
  await page.locator('#breadcrumb button[data-code="01"]').click();
  await settle(page);
  await page.waitForFunction(() => document.body.dataset.selected === '01');
  await settle(page);
  const outlined = [...await renderedCodes(page, 'selected-outline'), ...await renderedCodes(page, 'selected-province-outline')];
  assert.ok(outlined.includes('01'), `Hà Nội outlined: ${outlined}`);
  assert.equal(await breadcrumbText(page), 'Việt Nam › Thành phố Hà Nội');
  // The country crumb shows the national view and clears the selection.
  await page.locator('#breadcrumb button[data-level="country"]').click();
  await settle(page);
  assert.equal(await breadcrumbText(page), '');
  assert.ok(await page.evaluate(() => window.popmap.map.getZoom()) < 6);
  await page.close();
});

test('switching level from the national view stays on land where the level is drawn', async () => {
  // Mainland Vietnam's box: the centre must stay in it (the old jump went to Laos).
  const inVietnam = (c) => c.lng >= 102.1 && c.lng <= 109.5 && c.lat >= 8.4 && c.lat <= 23.4;
  const page = await newPage();
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await page.selectOption('#level', 'commune');
  await settle(page);
  const c = await page.evaluate(() => window.popmap.map.getCenter());
  assert.ok(inVietnam(c), `centre in Vietnam: ${JSON.stringify(c)}`);
  const n = await page.evaluate(() => window.popmap.map.queryRenderedFeatures({ layers: ['commune-fill'] }).length);
  assert.ok(n > 0, `${n} commune features rendered`);
  await page.screenshot({ path: join(ART, 'level-switch-commune.png') });
  // With a selection, the switch stays on the selected province.
  await page.goto(`${BASE}/?sel=75`);
  await waitReady(page);
  await page.waitForFunction(() => document.body.dataset.selected === '75');
  await page.selectOption('#level', 'commune');
  await settle(page);
  const communes = await page.evaluate(async () => {
    const map = window.popmap.map;
    const c = map.getCenter();
    const f = map.queryRenderedFeatures(map.project(c), { layers: ['commune-fill'] })[0];
    return f?.properties.code;
  });
  assert.ok(communes, 'a commune under the centre');
  const under = await getJSON(`/api/v1/units/${communes}`);
  assert.deepEqual(under.parents.map((p) => p.code), ['75'], 'the centre stays in Đồng Nai');
  // Back to provinces: the whole country at a zoom where provinces are drawn.
  await page.selectOption('#level', 'province');
  await settle(page);
  const p = await page.evaluate(() => window.popmap.map.queryRenderedFeatures({ layers: ['province-fill'] }).length);
  assert.ok(p > 0, `${p} province features rendered`);
  await page.close();
});

test('labels follow the UI language; value labels are a toggle, off by default', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/?lang=en`);
  await waitReady(page);
  await settle(page);
  const field = (id) => page.evaluate((id) => JSON.stringify(window.popmap.map.getLayoutProperty(id, 'text-field') ?? null), id);
  for (const id of ['province-label', 'commune-label']) assert.match(await field(id), /label_en/, `${id} reads label_en in English`);
  assert.match(await field('context-archipelago-label'), /name_en/);
  const english = await page.evaluate(() => window.popmap.map.queryRenderedFeatures({ layers: ['province-label'] }).map((f) => f.properties.label_en));
  assert.ok(english.includes('Ha Noi'), `English province labels drawn: ${english.slice(0, 8)}`);
  await page.screenshot({ path: join(ART, 'labels-english.png') });
  assert.match(await page.locator('.maplibregl-ctrl-attrib').innerText(), /Synthetic demo values/);
  await page.click('#lang');
  await settle(page);
  assert.doesNotMatch(await field('province-label'), /label_en/, 'Vietnamese labels in the Vietnamese UI');
  assert.match(await page.locator('.maplibregl-ctrl-attrib').innerText(), /Dữ liệu minh hoạ tổng hợp/, 'the attribution follows the language');
  assert.equal(await page.locator('.maplibregl-ctrl-scale').count(), 1);

  // Value labels: an accessible checkbox with a Vietnamese label, off by default.
  const box = page.getByRole('checkbox', { name: 'Nhãn giá trị' });
  assert.equal(await box.isChecked(), false);
  assert.equal(await page.evaluate(() => !!window.popmap.map.getLayer('value-label')), false);
  await box.check();
  await settle(page);
  await page.waitForFunction(() => window.popmap.map.queryRenderedFeatures({ layers: ['value-label'] }).length > 0, null, { timeout: 15000 });
  const texts = await page.evaluate(() => window.popmap.map.queryRenderedFeatures({ layers: ['value-label'] }).map((f) => f.properties.text));
  const values = await getJSON(`/api/v1/map/values?level=province&indicators=density`);
  const hn = texts.find((x) => x.startsWith('Hà Nội\n'));
  assert.ok(hn, `Hà Nội has a value label: ${texts.slice(0, 5)}`);
  const v = values.values.density[values.codes.indexOf('01')];
  assert.equal(hn, `Hà Nội\n${v.toLocaleString('vi-VN', { maximumFractionDigits: 1 })}`, 'the value in Vietnamese number format');
  assert.match(page.url(), /[?&]vl=1/);
  assert.equal(await page.evaluate(() => window.popmap.map.getLayoutProperty('province-label', 'visibility')), 'none', 'names are not drawn twice');
  await page.screenshot({ path: join(ART, 'value-labels.png') });
  await box.uncheck();
  await settle(page);
  assert.equal(await page.evaluate(() => !!window.popmap.map.getLayer('value-label')), false);
  assert.doesNotMatch(page.url(), /vl=/);
  await page.close();
});

/** The text Debian's tesseract reads (Vietnamese, sparse text) in a PNG, NFC-normalised. */
function ocr(png, psm = 11) {
  return execFileSync('tesseract', [png, '-', '-l', 'vie', '--psm', String(psm)], { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString().normalize('NFC');
}

/**
 * Part of the map as the page shows it, upscaled `scale`× by the browser's canvas (OCR reads
 * small text better): `rect` is {x, y, width, height} in the map's CSS pixels (all of it when
 * omitted). Returns the PNG's path.
 */
async function mapCrop(page, name, rect = null, scale = 2) {
  const box = await page.locator('#map').boundingBox();
  const raw = await page.screenshot({ clip: box });
  const big = await page.evaluate(async ({ b64, rect, scale }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const r = rect || { x: 0, y: 0, width: img.width, height: img.height };
    const x = Math.max(0, r.x);
    const y = Math.max(0, r.y);
    const w = Math.min(img.width - x, r.width);
    const h = Math.min(img.height - y, r.height);
    const c = document.createElement('canvas');
    c.width = w * scale;
    c.height = h * scale;
    const g = c.getContext('2d');
    g.imageSmoothingQuality = 'high';
    g.drawImage(img, x, y, w, h, 0, 0, c.width, c.height);
    return c.toDataURL('image/png').split(',')[1];
  }, { b64: raw.toString('base64'), rect, scale });
  const path = join(ART, name);
  writeFileSync(path, Buffer.from(big, 'base64'));
  return path;
}

/** Where the map draws the labels of `layer` whose property `key` is `value`, in CSS px. */
async function labelAt(page, layer, key, value) {
  return page.evaluate(({ layer, key, value }) => {
    const map = window.popmap.map;
    if (!map.getLayer(layer)) return null;
    const f = map.queryRenderedFeatures({ layers: [layer] }).find((x) => x.properties[key] === value);
    return f ? map.project(f.geometry.coordinates) : null;
  }, { layer, key, value });
}

test('OCR reads province names and both archipelagos on the national view at 1366×768', async () => {
  const page = await newPage({ width: 1366, height: 768 });
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await settle(page);
  await page.screenshot({ path: join(ART, 'national-1366.png') });
  // The whole map, 2× upscaled; the text in reading order, lines joined (a label may wrap).
  const text = ocr(await mapCrop(page, 'national-1366-map-2x.png')).replace(/\s+/g, ' ');
  const report = [`whole map: ${text}`];
  // Each name must be read: from the whole map, or else from a crop around the place where
  // the map draws that label (3× upscaled) — the same pixels, less for tesseract to sort out.
  // Đà Nẵng must be read as the province's label, not as the "(Đà Nẵng)" of Hoàng Sa.
  const wanted = [
    { name: 'Hà Nội', re: /Hà Nội/, layer: 'province-label', key: 'label', value: 'Hà Nội' },
    { name: 'Đà Nẵng', re: /(^|[^(])Đà Nẵng/, layer: 'province-label', key: 'label', value: 'Đà Nẵng' },
    { name: 'Hoàng Sa', re: /Hoàng Sa/, layer: 'context-archipelago-label', key: 'group', value: 'hoang_sa' },
    { name: 'Trường Sa', re: /Trường Sa/, layer: 'context-archipelago-label', key: 'group', value: 'truong_sa' },
  ];
  const unread = [];
  for (const w of wanted) {
    if (w.re.test(text)) continue;
    const at = await labelAt(page, w.layer, w.key, w.value);
    assert.ok(at, `the map draws the label of ${w.name} (${w.layer})`);
    // Two crop sizes, three scales, two segmentation modes: tesseract's reading of a small
    // label varies with them; the exact name must come out of one.
    let read = false;
    for (const [hw, hh] of [[110, 32], [60, 16]]) {
      for (const scale of [2, 3, 4]) {
        const rect = { x: Math.round(at.x - hw), y: Math.round(at.y - hh), width: 2 * hw, height: 2 * hh };
        const png = await mapCrop(page, `national-1366-${w.value}-${hw}-${scale}x.png`, rect, scale);
        for (const psm of [11, 6]) {
          const crop = ocr(png, psm).replace(/\s+/g, ' ');
          report.push(`${w.name} crop ±${hw}×${hh} ${scale}× psm ${psm}: ${crop}`);
          read ||= w.re.test(crop);
        }
        if (read) break;
      }
      if (read) break;
    }
    if (!read) unread.push(w.name);
  }
  writeFileSync(join(ART, 'national-1366.ocr.txt'), report.join('\n'));
  assert.deepEqual(unread, [], `OCR could not read ${unread.join(', ')}:\n${report.join('\n')}`);
  await page.close();
});

test('OCR reads commune names at commune zoom over Hà Nội', async () => {
  const page = await newPage({ width: 1366, height: 768 });
  await page.goto(`${BASE}/?at=12.00/21.0280/105.8400`);
  await waitReady(page);
  await settle(page);
  await page.screenshot({ path: join(ART, 'communes-hanoi-1366.png') });
  const drawn = await page.evaluate(() => [...new Set(window.popmap.map.queryRenderedFeatures({ layers: ['commune-label'] })
    .map((f) => f.properties.label.normalize('NFC')))]);
  assert.ok(drawn.length >= 3, `${drawn.length} commune labels drawn`);
  const text = ocr(await mapCrop(page, 'communes-hanoi-map-2x.png')).replace(/\s+/g, ' ');
  writeFileSync(join(ART, 'communes-hanoi.ocr.txt'), text);
  const read = drawn.filter((name) => text.includes(name));
  assert.ok(read.length >= 3, `OCR read ${read.length} of ${drawn.length} drawn commune names: ${read.join(', ')} in «${text}»`);
  await page.close();
});

test('a phone-sized view keeps the map, the labels and the breadcrumb usable', async () => {
  const page = await newPage({ width: 390, height: 844 });
  await page.goto(`${BASE}/?sel=01`);
  await waitReady(page);
  await page.waitForFunction(() => document.body.dataset.selected === '01');
  await settle(page);
  await page.screenshot({ path: join(ART, 'phone-390.png') });
  assert.doesNotMatch(await page.locator('body').innerText(), /@r\d/, 'no revision id shown');
  const crumb = await page.locator('#breadcrumb').boundingBox();
  const map = await page.locator('#map').boundingBox();
  assert.ok(crumb.x >= map.x && crumb.x + crumb.width <= map.x + map.width, 'the breadcrumb fits the map');
  assert.equal(await breadcrumbText(page), 'Việt Nam › Thành phố Hà Nội');
  // A link with a selection and no camera opens on the selected unit.
  const c = await page.evaluate(() => window.popmap.map.getCenter());
  assert.ok(c.lng > 105.28 && c.lng < 106.02 && c.lat > 20.55 && c.lat < 21.37, `centred on Hà Nội: ${JSON.stringify(c)}`);
  assert.deepEqual(await renderedCodes(page, 'selected-outline'), ['01']);
  await page.close();
});

test('no request from the page leaves the server, at the national view and at commune zoom', async () => {
  const page = await newPage();
  const seen = [];
  page.on('request', (r) => seen.push(r.url()));
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await settle(page);
  await page.evaluate(() => window.popmap.map.jumpTo({ center: [105.845, 21.03], zoom: 11 }));
  await settle(page);
  const server = new URL(BASE).host;
  const hosts = [...new Set(seen.filter((u) => /^https?:/.test(u)).map((u) => new URL(u).host))];
  assert.deepEqual(hosts, [server], `request hosts: ${hosts.join(', ')}`);
  assert.ok(seen.some((u) => u.includes('/tiles/')), 'tiles were requested');
  await page.close();
});

test('no console errors in any page', () => {
  assert.deepEqual(consoleErrors, []);
});
