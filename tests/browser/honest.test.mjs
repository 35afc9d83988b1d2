// Real-browser tests of issue 15's honest-statistics must-holds on the demo (Playwright driving
// Debian's Chromium against a real `popmap demo`): an unstable value is hatched (pixels inside a
// known unstable commune against a stable neighbour), counted in the legend and flagged in the
// popup; SRB opens on its stable level and granularity, with a note on a finer one; the national
// row; the indicator explanation dialog (keyboard, 390 px); the three dead ends of the issue
// (bv=vn-2019 on a 2026 period, fixed breaks for density, k=12) corrected with a UI-language
// notice and no failing request; `/` and `/embed` with zero console errors with H3 and on a
// second server over a copy of the demo database without H3 operators (where a month published
// as partial carries its notice, issue 18); and the H3 level (its own classes, indicator switch
// recolours, a cell click opens a popup, CSV of the cells in view).
// Screenshots at 1366×768 and 390×844 go to target/browser-artifacts/honest-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ART, BASE, ROOT, bench, browser, canvasPixels, consoleErrors, getJSON, newPage, waitReady, settle, useBrowser } from './harness.mjs';
import { t, tf, num } from '../../web-map/src/assets/i18n.js';
import { periodWords } from '../../web-map/src/assets/layout.js';

useBrowser('bench-honest.json');

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const months = async () => (await getJSON('/api/v1/periods')).filter((p) => /^\d{4}-\d{2}$/.test(p.period)).map((p) => p.period);
// Words of the server's error messages that must never reach the page.
const RAW = /crosswalk|popmap |bad_request|not_found|\b40[04]\b|allowed|details|parameter/i;

/** A page that records every answer ≥ 400 (a dead end reached the server). */
async function watchedPage(viewport = DESKTOP) {
  const page = await newPage(viewport);
  page.failed = [];
  page.on('response', (r) => {
    if (r.status() >= 400) page.failed.push(`${r.status()} ${r.url()}`);
  });
  return page;
}

/**
 * Colours inside units `ids` of `layer` on a 2 px grid: points whose 3 px neighbourhood is the
 * same unit and that no label covers. Returns {id: [[r,g,b], …]} and one interior point per id.
 */
async function interior(page, layer, ids) {
  const px = await canvasPixels(page);
  const found = await page.evaluate(({ layer, ids }) => {
    const map = window.popmap.map;
    const want = new Set(ids.map(String));
    const labels = map.getStyle().layers.filter((l) => l.type === 'symbol').map((l) => l.id);
    const w = map.getCanvas().clientWidth;
    const h = map.getCanvas().clientHeight;
    const out = {};
    for (let x = 6; x < w - 6; x += 2) {
      for (let y = 6; y < h - 6; y += 2) {
        const at = (dx, dy) => String(map.queryRenderedFeatures([x + dx, y + dy], { layers: [layer] })[0]?.id);
        const id = at(0, 0);
        if (!want.has(id)) continue;
        if ([[3, 0], [-3, 0], [0, 3], [0, -3]].some(([dx, dy]) => at(dx, dy) !== id)) continue;
        if (map.queryRenderedFeatures([[x - 6, y - 6], [x + 6, y + 6]], { layers: labels }).length) continue;
        (out[id] ||= []).push([x, y]);
      }
    }
    return out;
  }, { layer, ids });
  const colours = {};
  for (const [id, pts] of Object.entries(found)) {
    colours[id] = pts.map(([x, y]) => {
      const o = (Math.round(y * px.ratio) * px.w + Math.round(x * px.ratio)) * 4;
      return [px.data[o], px.data[o + 1], px.data[o + 2]];
    });
  }
  return { colours, points: found };
}

/** Share of `cols` farther than 60 (RGB distance) from their most common colour. */
function offShare(cols) {
  const key = (c) => c.join(',');
  const freq = new Map();
  for (const c of cols) freq.set(key(c), (freq.get(key(c)) || 0) + 1);
  const mode = [...freq.entries()].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
  const far = cols.filter((c) => Math.hypot(c[0] - mode[0], c[1] - mode[1], c[2] - mode[2]) > 60).length;
  return far / cols.length;
}

const overlap = (a, b) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
const areaOf = (b) => (b[2] - b[0]) * (b[3] - b[1]);

test('an unstable commune value is hatched on the map, counted in the legend and flagged in the popup', async () => {
  const list = await months();
  const period = list[list.length - 1];
  const r = await getJSON(`/api/v1/map/values?period=${period}&level=commune&indicators=srb&bbox=1`);
  const flags = r.unstable?.srb;
  assert.ok(Array.isArray(flags) && flags.length === r.codes.length, 'map/values carries unstable flags aligned with codes');
  const unstable = flags.filter(Boolean).length;
  assert.ok(unstable > 0, 'the demo has unstable commune-month SRB values');
  // A large unstable commune next to a large stable one (boxes touching), both with a value.
  let best = null;
  for (let i = 0; i < r.codes.length; i++) {
    if (!flags[i] || !Number.isFinite(r.values.srb[i])) continue;
    for (let j = 0; j < r.codes.length; j++) {
      if (flags[j] || !Number.isFinite(r.values.srb[j]) || !overlap(r.bbox[i], r.bbox[j])) continue;
      const score = Math.min(areaOf(r.bbox[i]), areaOf(r.bbox[j]));
      if (!best || score > best.score) best = { i, j, score };
    }
  }
  assert.ok(best, 'an unstable commune with a stable neighbour');
  const [u, s] = [best.i, best.j];
  const page = await watchedPage();
  await page.goto(`${BASE}/?ind=srb&level=commune&g=month&period=${period}`);
  await waitReady(page);
  await settle(page);
  const box = [Math.min(r.bbox[u][0], r.bbox[s][0]), Math.min(r.bbox[u][1], r.bbox[s][1]),
    Math.max(r.bbox[u][2], r.bbox[s][2]), Math.max(r.bbox[u][3], r.bbox[s][3])];
  await page.evaluate((b) => window.popmap.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 60, duration: 0 }), box);
  await settle(page);
  const states = await page.evaluate(([a, b]) => [a, b].map((id) =>
    window.popmap.map.getFeatureState({ source: 'popmap', sourceLayer: 'commune', id })), [r.ids[u], r.ids[s]]);
  assert.equal(states[0].unstable, true, `${r.names[u]} is flagged in feature state`);
  assert.equal(states[1].unstable, false, `${r.names[s]} is not`);
  assert.ok(await page.evaluate(() => !!window.popmap.map.getLayer('commune-fill-hatch')), 'a hatch layer above the commune fill');
  const { colours, points } = await interior(page, 'commune-fill', [r.ids[u], r.ids[s]]);
  const cu = colours[r.ids[u]] || [];
  const cs = colours[r.ids[s]] || [];
  assert.ok(cu.length > 40 && cs.length > 40, `enough interior pixels (${cu.length}, ${cs.length})`);
  const hu = offShare(cu);
  const hs = offShare(cs);
  Object.assign(bench, { hatch_unstable_off_share: hu, hatch_stable_off_share: hs, hatch_pixels: [cu.length, cs.length], hatch_units: [r.names[u], r.names[s]] });
  assert.ok(hu > 0.12, `${r.names[u]} (unstable) shows hatch lines: ${(hu * 100).toFixed(1)} % of its pixels off its fill`);
  assert.ok(hs < 0.03, `${r.names[s]} (stable) is plain: ${(hs * 100).toFixed(1)} %`);
  // The legend counts them, says why, and notes that commune-month SRB rests on small numbers.
  const legend = await page.evaluate(() => ({
    row: document.querySelector('#legend [data-class="unstable"]')?.innerText,
    why: document.querySelector('#legend .lg-unstable')?.innerText,
    finer: document.querySelector('#legend .lg-finer')?.innerText,
  }));
  assert.match(legend.row || '', new RegExp(`${t('vi', 'unstable')}\\s+${unstable}`));
  assert.equal(legend.why, t('vi', 'unstableWhy'));
  assert.equal(legend.finer, tf('vi', 'unstableFiner', { what: 'xã/tháng' }));
  await page.screenshot({ path: join(ART, 'honest-hatch-1366.png') });
  // The popup of the unstable commune flags the value; the stable one's does not.
  const click = async (id) => {
    const [x, y] = points[id][Math.floor(points[id].length / 2)];
    const c = await page.evaluate(() => window.popmap.map.getCanvas().getBoundingClientRect());
    await page.mouse.click(c.left + x, c.top + y);
    await page.waitForSelector('.maplibregl-popup .pp .val');
    return page.evaluate(() => document.querySelector('.maplibregl-popup .pp .val').innerText);
  };
  assert.ok((await click(r.ids[u])).includes(t('vi', 'unstableMark')), 'the popup marks the unstable value');
  await page.screenshot({ path: join(ART, 'honest-hatch-popup-1366.png') });
  assert.ok(!(await click(r.ids[s])).includes(t('vi', 'unstableMark')), 'a stable value is not marked');
  assert.deepEqual(page.failed, []);
  await page.close();
  // The phone view of the same map.
  const phone = await watchedPage(PHONE);
  await phone.goto(`${BASE}/?ind=srb&level=commune&g=month&period=${period}&at=11.00/${((box[1] + box[3]) / 2).toFixed(4)}/${((box[0] + box[2]) / 2).toFixed(4)}`);
  await waitReady(phone);
  await settle(phone);
  await phone.screenshot({ path: join(ART, 'honest-hatch-390.png'), fullPage: true });
  await phone.close();
});

test("SRB's default map is its stable level and granularity (provinces by year); a finer one is noted", async () => {
  const { indicators } = await getJSON('/api/v1/map/indicators');
  const srb = indicators.find((d) => d.id === 'srb');
  assert.deepEqual(srb.stable, { level: 'province', granularity: 'year' });
  const years = (await getJSON('/api/v1/periods')).filter((p) => p.granularity === 'year').map((p) => p.period);
  const page = await watchedPage();
  await page.goto(`${BASE}/?ind=srb`);
  await waitReady(page);
  await settle(page);
  let s = await page.evaluate(() => window.popmap.state());
  assert.equal(s.level, 'province');
  assert.equal(s.g, 'year');
  assert.equal(s.period, years[years.length - 1]);
  assert.equal(await page.evaluate(() => document.querySelector('#legend .lg-finer')), null, 'no note at the stable level');
  // Switching to SRB from the default map lands there too.
  await page.goto(`${BASE}/`);
  await waitReady(page);
  await page.selectOption('#ind', 'srb');
  await settle(page);
  s = await page.evaluate(() => window.popmap.state());
  assert.deepEqual([s.level, s.g], ['province', 'year']);
  // A finer level is allowed, with the note.
  await page.selectOption('#level', 'commune');
  await settle(page);
  assert.equal(await page.evaluate(() => document.querySelector('#legend .lg-finer')?.innerText),
    tf('vi', 'unstableFiner', { what: 'xã' }));
  assert.deepEqual(page.failed, []);
  await page.close();
});

test('the national value sits under the legend (level=country)', async () => {
  const list = await months();
  const period = list[list.length - 1];
  const r = await getJSON(`/api/v1/map/values?period=${period}&level=country&indicators=density`);
  assert.deepEqual(r.codes, ['VN']);
  const page = await watchedPage();
  await page.goto(`${BASE}/?ind=density`);
  await waitReady(page);
  await page.waitForSelector('#legend .lg-national:not([hidden])');
  const text = await page.evaluate(() => document.querySelector('#legend .lg-national').innerText);
  assert.equal(text, `${t('vi', 'national')}: ${num('vi', r.values.density[0], 1)} người/km²`);
  assert.deepEqual(page.failed, []);
  await page.close();
});

test('the indicator explanation opens from the legend and the popup, by keyboard, and fits a phone', async () => {
  const { indicators } = await getJSON('/api/v1/map/indicators');
  const density = indicators.find((d) => d.id === 'density');
  assert.ok(density.about?.definition?.vi, 'the catalog explains density');
  const page = await watchedPage();
  await page.goto(`${BASE}/?ind=density`);
  await waitReady(page);
  await settle(page);
  // Keyboard: focus the ⓘ button, Enter opens, Escape closes and focus returns.
  await page.focus('#legend .explain-btn');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#explain-dialog[open]');
  const shown = await page.evaluate(() => document.getElementById('explain-dialog').innerText);
  assert.ok(shown.includes(density.about.definition.vi), 'the definition in Vietnamese');
  if (density.about.formula) assert.ok(shown.includes(density.about.formula.vi), 'the formula');
  assert.ok(shown.includes(density.about.source.vi), 'the source');
  assert.ok(shown.includes('người/km²'), 'the unit');
  await page.screenshot({ path: join(ART, 'honest-explain-1366.png') });
  await page.keyboard.press('Escape');
  await page.waitForSelector('#explain-dialog:not([open])', { state: 'attached' });
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('explain-btn')), 'focus back on ⓘ');
  // From a province's popup.
  const c = await page.evaluate(() => window.popmap.map.getCanvas().getBoundingClientRect());
  const hit = await page.evaluate(() => {
    const map = window.popmap.map;
    const w = map.getCanvas().clientWidth;
    const h = map.getCanvas().clientHeight;
    for (let x = w / 3; x < w; x += 17) {
      for (let y = h / 4; y < h; y += 17) if (map.queryRenderedFeatures([x, y], { layers: ['province-fill'] }).length) return [x, y];
    }
    return null;
  });
  await page.mouse.click(c.left + hit[0], c.top + hit[1]);
  await page.click('.maplibregl-popup .explain-link');
  await page.waitForSelector('#explain-dialog[open]');
  assert.equal(await page.evaluate(() => document.getElementById('explain-dialog').dataset.indicator), 'density');
  await page.keyboard.press('Escape');
  assert.deepEqual(page.failed, []);
  await page.close();
  // A phone: the dialog fits 390 px and scrolls.
  const phone = await watchedPage(PHONE);
  await phone.goto(`${BASE}/?ind=srb`);
  await waitReady(phone);
  await phone.click('#legend .explain-btn');
  await phone.waitForSelector('#explain-dialog[open]');
  const box = await phone.evaluate(() => {
    const d = document.getElementById('explain-dialog');
    const r = d.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, overflow: getComputedStyle(d).overflowY };
  });
  assert.ok(box.left >= 0 && box.right <= 390 && box.top >= 0 && box.bottom <= 844, JSON.stringify(box));
  assert.equal(box.overflow, 'auto');
  await phone.screenshot({ path: join(ART, 'honest-explain-390.png') });
  await phone.close();
});

test('dead ends are corrected before any request, with a notice in the UI language and no server text', async () => {
  const cases = [
    ['/?bv=vn-2019&period=2026-09', (s) => s.bv === '', t('vi', 'fixedBv')],
    ['/?ind=density&method=fixed', (s) => s.method === '', t('vi', 'fixedMethod')],
    ['/?k=12', (s) => s.k === '', tf('vi', 'fixedK', { min: 2, max: 9 })],
  ];
  for (const [url, ok, notice] of cases) {
    const page = await watchedPage();
    await page.goto(BASE + url);
    await waitReady(page);
    await settle(page);
    assert.ok(ok(await page.evaluate(() => window.popmap.state())), `${url} is corrected`);
    assert.equal(await page.evaluate(() => document.getElementById('notice')?.textContent), notice, url);
    const text = await page.evaluate(() => document.getElementById('panel').innerText);
    assert.doesNotMatch(text, RAW, url);
    assert.deepEqual(page.failed, [], `${url}: no request failed`);
    if (url.startsWith('/?bv')) {
      // The pickers offer only what the server serves.
      const bvs = await page.evaluate(() => [...document.querySelectorAll('#bv option')].map((o) => o.value));
      assert.ok(!bvs.includes('vn-2019'), `no vn-2019 for 2026-09: ${bvs}`);
      const methods = await page.evaluate(() => [...document.querySelectorAll('#method option')].map((o) => o.value));
      assert.ok(!methods.includes('fixed'), `no fixed breaks for density: ${methods}`);
      assert.equal(await page.evaluate(() => document.getElementById('k').max), '9');
    }
    await page.screenshot({ path: join(ART, `honest-deadend-${cases.findIndex((c) => c[0] === url)}-1366.png`) });
    await page.close();
  }
  // An error that still reaches the page (a period the server does not have) is an i18n sentence.
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.goto(`${BASE}/?ind=density`);
  await waitReady(page);
  await page.evaluate(() => window.popmap.set({ period: '2031-01' }).catch(() => {}));
  await page.waitForFunction(() => document.getElementById('status').textContent !== '');
  assert.equal(await page.evaluate(() => document.getElementById('status').textContent), t('vi', 'errNotFound'));
  await page.close();
});

test('/ and /embed load with no console error and no failing request on the demo (H3 operators present)', async () => {
  const versions = await getJSON('/api/v1/versions');
  assert.ok(versions.every((v) => v.h3 === true), 'the demo has H3 operators');
  for (const path of ['/', '/embed', '/?level=h3', '/embed?ind=srb']) {
    const before = consoleErrors.length;
    const page = await watchedPage();
    await page.goto(BASE + path);
    await waitReady(page);
    await settle(page);
    assert.deepEqual(consoleErrors.slice(before), [], path);
    assert.deepEqual(page.failed, [], path);
    if (path === '/') assert.ok(await page.evaluate(() => [...document.querySelectorAll('#level option')].some((o) => o.value === 'h3')));
    await page.close();
  }
});

// ---------- a second server without H3 operators ----------

const NOH3_PORT = Number(new URL(BASE).port) + 1;
const NOH3 = `http://127.0.0.1:${NOH3_PORT}`;
const NOH3_DB = join(ROOT, 'target', `browser-noh3-${NOH3_PORT}.db`);
const PARTIAL_CSV = join(ROOT, 'target', `browser-partial-${NOH3_PORT}.csv`);
let noh3 = null;
// The month after the demo's last, published on the copy as partial (one commune missing).
let partial = null;

/** Publishes the demo's last monthly table, less its last commune, as the following month with
 * `--partial` into `db`; returns that month. */
function publishPartial(bin, db) {
  const dir = join(ROOT, 'target', 'browser-demo', 'tables');
  const last = readdirSync(dir).filter((f) => /^\d{4}-\d{2}\.csv$/.test(f)).sort().at(-1);
  const lines = readFileSync(join(dir, last), 'utf8').trimEnd().split('\n');
  writeFileSync(PARTIAL_CSV, lines.slice(0, -1).join('\n') + '\n');
  let [y, m] = last.slice(0, 7).split('-').map(Number);
  [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  const period = `${y}-${String(m).padStart(2, '0')}`;
  execFileSync(bin, ['--db', `sqlite://${db}`, 'publish', '--partial', '--period', period, PARTIAL_CSV], { stdio: 'ignore' });
  return period;
}

before(async () => {
  const src = process.env.POPMAP_BROWSER_DB || join(ROOT, 'target', 'browser-demo.db');
  const bin = process.env.POPMAP_BIN || join(ROOT, 'target', 'debug', 'popmap');
  for (const f of [NOH3_DB, `${NOH3_DB}-wal`, `${NOH3_DB}-shm`]) rmSync(f, { force: true });
  // A consistent copy even while the demo server has the database open.
  execFileSync('sqlite3', [src, `.backup '${NOH3_DB}'`]);
  execFileSync('sqlite3', [NOH3_DB, 'DELETE FROM h3_operator_units; DELETE FROM h3_operators;']);
  partial = publishPartial(bin, NOH3_DB);
  noh3 = spawn(bin, ['--db', `sqlite://${NOH3_DB}`, 'serve', '--listen', `127.0.0.1:${NOH3_PORT}`, '--synthetic',
    '--web-dir', join(ROOT, 'web-map', 'dist'), '--poll-seconds', '0'], { stdio: 'ignore' });
  for (let i = 0; i < 600; i++) {
    const up = await fetch(`${NOH3}/readyz`).then((r) => r.ok, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the server without H3 operators did not start');
});

after(() => {
  noh3?.kill();
  for (const f of [NOH3_DB, `${NOH3_DB}-wal`, `${NOH3_DB}-shm`, PARTIAL_CSV]) if (existsSync(f)) rmSync(f, { force: true });
});

test('a period published as partial says so above the controls, on a desktop and a phone; a complete one does not', async () => {
  const periods = await (await fetch(`${NOH3}/api/v1/periods`)).json();
  const entry = periods.find((p) => p.period === partial);
  assert.equal(entry?.incomplete, true, JSON.stringify(entry));
  const want = t('vi', 'incomplete').replace('{p}', periodWords(partial, 'vi'));
  assert.match(want, /^Tháng \d+\/\d{4} chưa đủ số liệu/);
  const complete = periods.map((p) => p.period).filter((p) => /^\d{4}-\d{2}$/.test(p) && p < partial).sort().at(-1);
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await watchedPage(viewport);
    await page.goto(`${NOH3}/?period=${partial}&ind=population`);
    await waitReady(page);
    await settle(page);
    const note = await page.evaluate(() => {
      const el = document.getElementById('incomplete');
      const r = el.getBoundingClientRect();
      return { text: el.textContent, shown: !el.hidden && r.width > 0 && r.height > 0, top: r.top, bottom: r.bottom };
    });
    assert.equal(note.text, want, name);
    assert.ok(note.shown && note.top >= 0 && note.bottom <= viewport.height, `${name}: ${JSON.stringify(note)}`);
    await page.screenshot({ path: join(ART, `honest-incomplete-${name}.png`) });
    // In English too (lang=en: on a phone the language button is one sheet step away).
    await page.goto(`${NOH3}/?period=${partial}&ind=population&lang=en`);
    await waitReady(page);
    await settle(page);
    const en = await page.evaluate(() => document.getElementById('incomplete').textContent);
    assert.equal(en, t('en', 'incomplete').replace('{p}', periodWords(partial, 'en')), name);
    // The month before is complete: no notice.
    await page.goto(`${NOH3}/?period=${complete}`);
    await waitReady(page);
    await settle(page);
    assert.equal(await page.evaluate(() => document.getElementById('incomplete').hidden), true, name);
    assert.deepEqual(page.failed, [], name);
    await page.close();
  }
});

test('/ and /embed load with no console error on a store without H3 operators; H3 is not offered', async () => {
  const versions = await (await fetch(`${NOH3}/api/v1/versions`)).json();
  assert.ok(versions.length >= 2 && versions.every((v) => v.h3 === false), JSON.stringify(versions));
  for (const path of ['/', '/embed', '/?level=h3']) {
    const before = consoleErrors.length;
    const page = await watchedPage();
    await page.goto(NOH3 + path);
    await waitReady(page);
    await settle(page);
    assert.deepEqual(consoleErrors.slice(before), [], path);
    assert.deepEqual(page.failed, [], path);
    const levels = await page.evaluate(() => [...document.querySelectorAll('#level option')].map((o) => o.value));
    assert.ok(!levels.includes('h3'), `${path}: ${levels}`);
    if (path === '/?level=h3') {
      assert.equal(await page.evaluate(() => window.popmap.state().level), 'auto');
      assert.equal(await page.evaluate(() => document.getElementById('notice').textContent), t('vi', 'h3Missing'));
    }
    await page.close();
  }
});

// ---------- the H3 level ----------

test('H3 level: its own classes, an indicator switch recolours, a cell click opens its popup, CSV of the cells', async () => {
  const list = await months();
  const period = list[list.length - 1];
  const h3 = await getJSON(`/api/v1/classes?indicator=density&level=h3&period=${period}`);
  const commune = await getJSON(`/api/v1/classes?indicator=density&level=commune&period=${period}`);
  assert.notDeepEqual(h3.thresholds, commune.thresholds, 'H3 classes are not the commune classes');
  const page = await watchedPage();
  await page.goto(`${BASE}/?ind=density&level=h3&period=${period}`);
  await waitReady(page);
  await settle(page);
  const counts = await page.evaluate(() =>
    [...document.querySelectorAll('#legend .lg-rows li')].filter((li) => /^\d+$/.test(li.dataset.class)).map((li) => +li.querySelector('.ct').textContent));
  assert.deepEqual(counts, h3.classes.map((c) => c.count), 'the legend shows the H3 classes');
  assert.ok(await page.evaluate(() => !!window.popmap.map.getLayer('h3-fill-hatch')), 'H3 cells get the hatch layer');
  await page.screenshot({ path: join(ART, 'honest-h3-density-1366.png') });
  const a = await canvasPixels(page);
  await page.selectOption('#ind', 'sex_ratio');
  await settle(page);
  assert.equal(await page.evaluate(() => window.popmap.state().level), 'h3', 'the switch stays on H3');
  const b = await canvasPixels(page);
  let changed = 0;
  for (let i = 0; i < a.data.length; i += 4 * 13) if (Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) > 40) changed += 1;
  const share = changed / (a.data.length / (4 * 13));
  assert.ok(share > 0.05, `switching indicator recolours ${(share * 100).toFixed(1)} % of the map`);
  const sr = await getJSON(`/api/v1/classes?indicator=sex_ratio&level=h3&period=${period}`);
  const counts2 = await page.evaluate(() =>
    [...document.querySelectorAll('#legend .lg-rows li')].filter((li) => /^\d+$/.test(li.dataset.class)).map((li) => +li.querySelector('.ct').textContent));
  assert.deepEqual(counts2, sr.classes.map((c) => c.count), 'the legend follows the indicator');
  // A cell click opens the cell's popup from /api/v1/h3/{period}/{cell}.
  const hit = await page.evaluate(() => {
    const map = window.popmap.map;
    const w = map.getCanvas().clientWidth;
    const h = map.getCanvas().clientHeight;
    for (let x = w / 3; x < w; x += 13) {
      for (let y = h / 4; y < h; y += 13) {
        const f = map.queryRenderedFeatures([x, y], { layers: ['h3-fill'] })[0];
        if (f?.properties.cell && Number.isFinite(f.properties.sex_ratio)) return [x, y, f.properties.cell];
      }
    }
    return null;
  });
  assert.ok(hit, 'a cell on the map');
  const c = await page.evaluate(() => window.popmap.map.getCanvas().getBoundingClientRect());
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/api/v1/h3/`) && r.url().includes(hit[2])),
    page.mouse.click(c.left + hit[0], c.top + hit[1]),
  ]);
  assert.equal(resp.status(), 200);
  await page.waitForSelector('.maplibregl-popup .pp-h3 table tr');
  const popupText = await page.evaluate(() => document.querySelector('.maplibregl-popup .pp-h3').innerText);
  assert.match(popupText, /Tỷ số giới tính/);
  await page.screenshot({ path: join(ART, 'honest-h3-popup-1366.png') });
  // CSV of the cells in view, with their values (the download menu's H3 entry; a BOM for Excel).
  await page.click('#downloads summary');
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#csv-cells')]);
  const path = join(ART, d.suggestedFilename());
  await d.saveAs(path);
  const raw = readFileSync(path);
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM first');
  const rows = raw.subarray(3).toString('utf8').trim().split('\n');
  assert.equal(rows[0], 'cell,resolution,period,sex_ratio,sex_ratio_unstable,suppressed');
  assert.ok(rows.length > 20, `${rows.length - 1} cells`);
  assert.ok(rows.slice(1).filter((l) => l.split(',')[3] !== '').length > 10, 'cells carry values');
  assert.deepEqual(page.failed, []);
  await page.close();
});

test('H3 cells resting on small numbers are hatched and flagged in their popup', async () => {
  const page = await watchedPage();
  // Lai Châu's mountains at r7: few births per cell.
  await page.goto(`${BASE}/?ind=srb&level=h3&g=month&at=10.50/22.3500/103.2000`);
  await waitReady(page);
  await settle(page);
  const hit = await page.evaluate(() => {
    const map = window.popmap.map;
    const w = map.getCanvas().clientWidth;
    const h = map.getCanvas().clientHeight;
    for (let x = 20; x < w - 20; x += 9) {
      for (let y = 20; y < h - 20; y += 9) {
        const f = map.queryRenderedFeatures([x, y], { layers: ['h3-fill'] })[0];
        if (f?.properties.srb_unstable && !f.properties.suppressed) return [x, y];
      }
    }
    return null;
  });
  assert.ok(hit, 'an unstable H3 cell in view');
  // The legend counts the flagged cells drawn.
  await page.waitForSelector('#legend [data-class="unstable"]');
  assert.ok(+(await page.evaluate(() => document.querySelector('#legend [data-class="unstable"] .ct').textContent)) > 0);
  const c = await page.evaluate(() => window.popmap.map.getCanvas().getBoundingClientRect());
  await page.mouse.click(c.left + hit[0], c.top + hit[1]);
  await page.waitForSelector('.maplibregl-popup .pp-h3 tr.cur');
  assert.ok((await page.evaluate(() => document.querySelector('.maplibregl-popup .pp-h3 tr.cur').innerText)).includes(t('vi', 'unstableMark')));
  await page.screenshot({ path: join(ART, 'honest-h3-hatch-1366.png') });
  await page.close();
});
