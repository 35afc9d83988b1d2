// The targets page (/targets, issue 19 item 5) in Chromium against the demo server: every
// province of /api/v1/targets/srb_2030 is a table row with its standing in words and colour, the
// map paints each province in its status colour (a pixel inside Hà Nội's and Đà Nẵng's), the
// uncertain ones are hatched, a national total colours the whole country with its one standing,
// nothing English or internal on the Vietnamese page, axe-core clean at desktop and phone sizes;
// TFR and life expectancy show the projection run's fitted values (equal to the assumptions
// endpoint's), labelled as model estimates and never judged.
// Screenshots: target/browser-artifacts/targets-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, newPage, getJSON, consoleErrors, axe, ART, BASE } from './harness.mjs';

useBrowser('bench-targets.json');

const COLOURS = { on_track: '#2166ac', off_track: '#e08214', uncertain: '#bdbdbd', no_data: '#f0f0f0' };
const WORDS = { on_track: 'Đúng hướng đạt mục tiêu', off_track: 'Chưa đúng hướng', uncertain: 'Chưa đủ số liệu để kết luận', no_data: 'Không có số liệu' };

async function open(path, viewport) {
  const page = await newPage(viewport);
  await page.goto(BASE + path);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
  return page;
}

/** The canvas pixel at a longitude/latitude, as [r, g, b]. */
async function pixelAt(page, lngLat) {
  return page.evaluate(async (lngLat) => {
    const map = window.popmapTargets.map;
    await new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
    const p = map.project(lngLat);
    const gl = map.getCanvas().getContext('webgl2') || map.getCanvas().getContext('webgl');
    const out = new Uint8Array(4);
    const ratio = window.devicePixelRatio;
    gl.readPixels(Math.round(p.x * ratio), Math.round(gl.drawingBufferHeight - p.y * ratio), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
    return [out[0], out[1], out[2]];
  }, lngLat);
}

/** `hex` drawn at 0.92 over the page's land colour, within a few levels. */
function near(rgb, hex) {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return want.every((w, i) => Math.abs(w - rgb[i]) <= 22);
}

test('every province is a row and a colour of its standing, uncertain ones hatched', async () => {
  const api = await getJSON('/api/v1/targets/srb_2030?level=province');
  const page = await open('/targets?t=srb_2030', { width: 1366, height: 768 });
  await page.screenshot({ path: join(ART, 'targets-desktop.png') });
  const rows = await page.$$eval('#tg-table tbody tr', (trs) => trs.map((tr) => ({
    code: tr.dataset.code, name: tr.querySelector('th').textContent, status: tr.querySelector('.st').textContent.trim(),
  })));
  assert.equal(rows.length, api.items.length);
  for (const it of api.items) {
    const r = rows.find((x) => x.code === it.code);
    assert.ok(r, `row of ${it.code}`);
    assert.equal(r.status, WORDS[it.status], `${it.code}`);
  }
  // The map's paint is the API's statuses; the hatch covers exactly the uncertain provinces.
  const { fill, hatched } = await page.evaluate(() => {
    const m = window.popmapTargets.map;
    return { fill: m.getPaintProperty('province-fill', 'fill-color'), hatched: m.getFilter('province-uncertain')[2][1] };
  });
  for (const it of api.items) {
    const i = fill.indexOf(it.code);
    assert.equal(fill[i + 1], COLOURS[it.status], it.code);
  }
  assert.deepEqual([...hatched].sort(), api.items.filter((i) => i.status === 'uncertain').map((i) => i.code).sort());
  // Pixels: a point inside a province that is not hatched shows its status colour.
  let seen = 0;
  const points = [['48', [108.05, 15.95]], ['01', [105.45, 21.05]], ['42', [105.75, 18.3]]];
  for (const [code, lngLat] of points) {
    const it = api.items.find((i) => i.code === code);
    if (!it || it.status === 'uncertain') continue;
    const rgb = await pixelAt(page, lngLat);
    assert.ok(near(rgb, COLOURS[it.status]), `${code} ${it.status}: pixel ${rgb}`);
    seen += 1;
  }
  assert.ok(seen > 0, 'at least one province pixel compared');
  // The legend counts what the API counts.
  const legend = await page.$eval('#tg-legend', (e) => e.textContent);
  for (const [s, n] of Object.entries(api.counts)) assert.ok(legend.includes(`${WORDS[s]} (${n})`), `${s} ${n}: ${legend}`);
  // Vietnamese throughout: no English status words, no internal ids.
  const text = await page.evaluate(() => document.body.innerText);
  for (const bad of ['Off track', 'On track', 'vn-2025', 'vn-2019', '@r', 'srb_2030', 'off_track']) assert.ok(!text.includes(bad), bad);
  assert.match(text, /Quý IV\/2025 – Quý III\/2026/);
  assert.match(text, /1679\/QĐ-TTg/);
  assert.deepEqual(await axe(page), []);
  await page.close();
});

test('a national total colours the whole country with its one standing', async () => {
  const api = await getJSON('/api/v1/targets/population_2030?level=country');
  const vn = api.items[0];
  const page = await open('/targets?t=population_2030', { width: 1366, height: 768 });
  const fill = await page.evaluate(() => window.popmapTargets.map.getPaintProperty('province-fill', 'fill-color'));
  assert.equal(fill, COLOURS[vn.status]);
  const card = await page.$eval('#tg-country', (e) => e.textContent);
  assert.ok(card.includes(WORDS[vn.status]), card);
  assert.ok(card.includes(new Intl.NumberFormat('vi-VN').format(vn.value)), card);
  await page.close();
});

test('TFR and life expectancy: the projection\'s fitted values, labelled as model estimates, never judged', async (t) => {
  const digits = { tfr_2030: 2, life_expectancy_2030: 1 };
  for (const id of ['tfr_2030', 'life_expectancy_2030']) {
    const api = await getJSON(`/api/v1/targets/${id}?level=province`);
    if (!api.projection) {
      t.skip('no projection of 2030 on this server (popmap project not run)');
      return;
    }
    // The API's values are the run's: the same run the assumptions endpoint serves.
    const run = (await getJSON(`/api/v1/projections/assumptions?period=${api.projection}`)).run.provinces;
    const withValue = api.items.filter((i) => i.value !== null);
    assert.ok(withValue.length > 0);
    for (const it of withValue) {
      const want = id === 'tfr_2030' ? run[it.code].rates.tfr : run[it.code].life_expectancy.both;
      assert.ok(Math.abs(it.value - want) <= 0.005 + 1e-9, `${id} ${it.code}: ${it.value} vs ${want}`);
      assert.equal(it.status, 'not_judged');
      assert.equal(it.method, 'modelled');
    }
    for (const [vp, name] of [[{ width: 1366, height: 768 }, 'desktop'], [{ width: 390, height: 844 }, 'phone']]) {
      const page = await open(`/targets?t=${id}`, vp);
      await page.screenshot({ path: join(ART, `targets-${id.replace('_2030', '')}-${name}.png`) });
      assert.equal(await page.inputValue('#tg-target'), id);
      const rows = await page.$$eval('#tg-table tbody tr', (trs) => trs.map((tr) => ({
        code: tr.dataset.code, now: tr.querySelector('td').textContent, status: tr.querySelector('.st').textContent.trim(),
      })));
      assert.equal(rows.length, api.items.length);
      const fmt = (v) => v.toLocaleString('vi-VN', { minimumFractionDigits: digits[id], maximumFractionDigits: digits[id] });
      for (const it of withValue) {
        const r = rows.find((x) => x.code === it.code);
        assert.equal(r.now, fmt(it.value), it.code);
        assert.equal(r.status, 'Ước tính của mô hình, không đánh giá', it.code);
      }
      // The map: the values in purples, lightest lowest (no colour of a standing); the legend
      // counts every province in its classes.
      const fill = await page.evaluate(() => window.popmapTargets.map.getPaintProperty('province-fill', 'fill-color'));
      const colourOf = (it) => fill[fill.indexOf(it.code) + 1];
      const byValue = [...withValue].sort((a, b) => a.value - b.value);
      assert.equal(colourOf(byValue[0]), '#f2f0f7', 'the lowest value the lightest');
      assert.equal(colourOf(byValue[byValue.length - 1]), '#54278f', 'the highest the darkest');
      const order = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];
      for (let k = 1; k < byValue.length; k++) assert.ok(order.indexOf(colourOf(byValue[k])) >= order.indexOf(colourOf(byValue[k - 1])), 'darker with the value');
      for (const c of Object.values(COLOURS)) assert.ok(!withValue.some((it) => colourOf(it) === c && c !== COLOURS.no_data), `no standing colour ${c}`);
      const legend = await page.$eval('#tg-legend', (e) => e.textContent);
      const counted = [...legend.matchAll(/\((\d+)\)/g)].reduce((a, m) => a + Number(m[1]), 0);
      assert.equal(counted, api.items.length, legend);
      assert.match(legend, /Ước tính của mô hình, không đánh giá/);
      const note = await page.textContent('#tg-national');
      assert.match(note, /mô hình dự báo dân số ước tính/);
      assert.match(note, /không phải số liệu báo cáo/);
      assert.match(note, /không có khoảng tin cậy/);
      const text = await page.evaluate(() => document.body.innerText);
      for (const bad of ['Đúng hướng', 'Chưa đúng hướng', id, 'modelled', 'not_judged', '@r', 'vn-20', '-medium']) assert.ok(!text.includes(bad), bad);
      assert.deepEqual(await axe(page), []);
      await page.close();
    }
  }
});

test('the phone layout stacks and stays readable; English on request', async () => {
  const page = await open('/targets?t=srb_2030', { width: 390, height: 844 });
  await page.screenshot({ path: join(ART, 'targets-phone.png'), fullPage: false });
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(over <= 0, `no sideways scroll (${over} px)`);
  const mapBox = await page.$eval('#tg-map', (e) => e.getBoundingClientRect().toJSON());
  const tableTop = await page.$eval('#tg-table', (e) => e.getBoundingClientRect().top);
  assert.ok(mapBox.bottom <= tableTop + 1, 'the table starts below the map');
  assert.deepEqual(await axe(page), []);
  await page.click('#tg-lang');
  await page.waitForFunction(() => document.body.dataset.ready === '1' && document.documentElement.lang === 'en');
  const text = await page.evaluate(() => document.body.innerText);
  assert.match(text, /Targets of the Population Strategy to 2030/);
  assert.ok(!/Chưa đúng hướng/.test(text));
  await page.close();
  assert.deepEqual(consoleErrors, []);
});
