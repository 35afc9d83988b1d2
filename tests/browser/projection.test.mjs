// Real-browser test of the projection mode (issue 19 item 4), on a demo store where
// `popmap project` has published projected years: "Dự báo" in the period switch with the variant
// picker, the label over the map and the legend naming the projection, Play stepping through the
// variant's years only, another variant, and the popup's series continuing into the projection
// after a labelled break. Skipped when the server has no projection periods. Screenshot:
// target/browser-artifacts/projection-desktop.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ART, BASE, consoleErrors, getJSON, newPage, useBrowser, waitReady, settle } from './harness.mjs';

useBrowser();

test('the projection mode: labelled, played year by year, its variant chosen, its series after a break', async (t) => {
  const periods = await getJSON('/api/v1/periods');
  const years = periods.filter((p) => p.granularity === 'projection-medium').map((p) => p.period).sort();
  if (years.length < 2) {
    t.skip('no projection periods on this server (popmap project not run)');
    return;
  }
  const page = await newPage({ width: 1280, height: 800 });
  await page.goto(`${BASE}/?ind=population&level=province&period=${years[0]}`);
  await waitReady(page);
  await settle(page);
  const badge = await page.textContent('#projection-badge');
  assert.match(badge, /^Dự báo \d{4} \(phương án trung bình\): số liệu tính toán, không phải số liệu báo cáo\.$/);
  assert.equal(await page.isVisible('#projection-badge'), true);
  assert.equal(await page.getAttribute('#gran button.proj', 'aria-pressed'), 'true');
  assert.equal(await page.textContent('#gran button.proj'), 'Dự báo');
  assert.equal(await page.isVisible('#row-variant'), true);
  assert.equal(await page.inputValue('#variant'), 'medium');
  assert.match(await page.textContent('#period-words'), /^Dự báo \d{4} \(phương án trung bình\)$/);
  assert.match(await page.textContent('#legend'), /Dự báo \d{4}/);
  await page.screenshot({ path: join(ART, 'projection-desktop.png') });
  // Play: the next projected year of the same variant.
  await page.click('#play');
  await page.waitForFunction((next) => window.popmap.state().period === next, years[1], { timeout: 30000 });
  await page.click('#play');
  assert.match(await page.textContent('#projection-badge'), new RegExp(years[1].slice(0, 4)));
  // Another variant: the same year, the badge follows.
  await page.selectOption('#variant', 'high');
  await page.waitForFunction((p) => window.popmap.state().period === p, `${years[1].slice(0, 4)}-high`, { timeout: 30000 });
  await settle(page);
  assert.match(await page.textContent('#projection-badge'), /phương án cao/);
  // The popup's series: reported years, a labelled break, the projected years.
  const at = await page.evaluate(() => {
    const m = window.popmap.map;
    const p = m.project([105.7, 21.0]);
    const r = m.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  });
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('.maplibregl-popup .series svg.chart', { timeout: 30000 });
  const mark = await page.textContent('.maplibregl-popup .series .vbreak:last-of-type text');
  assert.equal(mark, 'Dự báo');
  // A time axis: a reported year missing before the projection (the demo has 2024, not 2025) is
  // a gap, no line across it, and the points sit by date (a missing year is two steps wide).
  const reported = (await getJSON('/api/v1/periods')).filter((p) => p.granularity === 'year').map((p) => p.period).sort();
  const firstProj = Number(years[0].slice(0, 4));
  const lastReported = Number(reported[reported.length - 1]);
  const chart = await page.evaluate(() => {
    const svg = document.querySelector('.maplibregl-popup .series svg.chart');
    return {
      xs: [...svg.querySelectorAll('circle.pt')].map((c) => Number(c.getAttribute('cx'))),
      gaps: [...svg.querySelectorAll('rect.gap')].map((r) => [r.dataset.after, r.dataset.before]),
      paths: [...svg.querySelectorAll('path.line')].map((p) => p.getAttribute('class')),
      ticks: [...svg.querySelectorAll('.xtick')].map((t) => t.textContent),
    };
  });
  assert.deepEqual(chart.paths.at(-1), 'line proj', 'the projected line is its own, dashed');
  assert.ok(chart.ticks.length >= 2 && chart.ticks.every((x) => /^\d{4}$/.test(x)), `years on the x axis: ${chart.ticks}`);
  const k = reported.length; // the index of the first projected point
  const step = chart.xs[k + 1] - chart.xs[k];
  if (firstProj - lastReported > 1) {
    assert.deepEqual(chart.gaps, [[String(lastReported), `${firstProj}-high`]], 'the missing years are a gap');
    const wide = (chart.xs[k] - chart.xs[k - 1]) / step;
    assert.ok(Math.abs(wide - (firstProj - lastReported)) < 0.05, `${firstProj - lastReported} years wide: ${wide}`);
  } else {
    assert.deepEqual(chart.gaps, []);
  }
  await page.locator('.maplibregl-popup .series').screenshot({ path: join(ART, 'projection-series.png') });
  // Back to the reported months: no label.
  await page.keyboard.press('Escape');
  await page.click('#gran button[data-g="month"]');
  await page.waitForFunction(() => window.popmap.state().g === 'month');
  await settle(page);
  assert.equal(await page.isVisible('#projection-badge'), false);
  await page.close();
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
