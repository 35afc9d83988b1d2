// The shared set-up of the real-browser tests of the web map (map.test.mjs, where.test.mjs):
// Playwright (playwright-core) driving Debian's Chromium against a real `popmap` server on the
// demo database (scripts/browser-test.sh passes its URL in POPMAP_URL), two portal pages for
// the embed tests, pages that record console errors, and the map helpers the tests share.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ART = join(ROOT, 'target', 'browser-artifacts');
export const BASE = process.env.POPMAP_URL || 'http://127.0.0.1:18103';
export const HOST_PORT = Number(process.env.POPMAP_HOST_PORT || 18113);
export const OTHER_PORT = HOST_PORT + 1;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** The Chromium of this test file (set by `useBrowser`). */
export let browser;
let hosts = [];
export const consoleErrors = [];
export const bench = {};

export async function getJSON(path) {
  const r = await fetch(BASE + path);
  assert.equal(r.status, 200, `${path} answered ${r.status}`);
  return r.json();
}

/** A page that fails the run on any console error or uncaught exception. */
export async function newPage(viewport = { width: 1280, height: 800 }) {
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

export async function waitReady(page) {
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
}

/** Waits for the pending update and the next map idle. */
export async function settle(page) {
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
export async function sample(page, layer) {
  await installCanvasReader(page);
  return page.evaluate(async (layer) => {
    const map = window.popmap.map;
    const pixels = await window.popmapCanvas();
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
export async function distinctColours(page) {
  await installCanvasReader(page);
  return page.evaluate(async () => {
    const d = (await window.popmapCanvas()).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
}

/** The map canvas's pixels on the next render frame, in node: {data: [r,g,b,a,…], w, ratio}. */
export async function canvasPixels(page) {
  await installCanvasReader(page);
  return page.evaluate(async () => {
    const p = await window.popmapCanvas();
    return { ...p, data: Array.from(p.data) };
  });
}

/**
 * Defines `window.popmapCanvas()` in the page (once): the map canvas copied on the next render
 * frame (WebGL keeps no drawing buffer), as {data, w (device pixels), ratio (device per CSS px)}.
 * The one canvas reader of sample, distinctColours and canvasPixels.
 */
async function installCanvasReader(page) {
  await page.evaluate(() => {
    if (window.popmapCanvas) return;
    window.popmapCanvas = () => new Promise((resolve) => {
      const map = window.popmap.map;
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
  });
}

/** Debian's Chromium, headless, drawing WebGL in software (SwiftShader), as every file uses it. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-gl=angle',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-dev-shm-usage'],
  });
}

/** The browser (and the portal pages) for one test file; timings in `bench` go to `benchFile`. */
export function useBrowser(benchFile = 'bench.json') {
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
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const h of hosts) h.close();
    if (Object.keys(bench).length) writeFileSync(join(ART, benchFile), JSON.stringify(bench, null, 2));
  });
}

// axe-core's script, read once per test file.
let axeSource = '';

/**
 * axe-core's accessibility check of `page` (axe-core from npm, read from node_modules): the
 * violations [{id, impact, help, nodes: [{target, html, failureSummary}]}] of WCAG 2.x A/AA
 * and best-practice rules. `context` narrows it (a selector or axe's {include, exclude}).
 * The script is evaluated through the DevTools protocol, not added as a <script> tag
 * (page.addScriptTag): the server's CSP (script-src 'self') refuses inline scripts, rightly.
 */
export async function axe(page, context = null) {
  if (!(await page.evaluate(() => !!window.axe))) {
    axeSource ||= readFileSync(join(ROOT, 'tests', 'browser', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    await page.evaluate(`${axeSource}\n;0`);
  }
  return page.evaluate(async (context) => {
    const r = await window.axe.run(context || document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 160), failureSummary: n.failureSummary })) }));
  }, context);
}

/** Presses Tab until `pred(document.activeElement)` holds (at most `max` times); the count. */
export async function tabTo(page, pred, max = 80) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(pred)) return i;
  }
  throw new Error(`focus never reached: ${pred}`);
}

/** Whether the map canvas has focus (run in the page). */
export const onCanvas = () => document.activeElement?.classList.contains('maplibregl-canvas');
