// The pure parts of embeds for portals (no browser): the mask's winding, the strict check's
// words, the snippet and the embed address. The browser side is tests/browser/embed.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskOf, viewTitle } from '../src/assets/frame.js';
import { strictProblems } from '../src/assets/valid.js';
import { embedURL, snippet } from '../src/assets/embed.js';

const meta = {
  indicators: [{ id: 'density', name_vi: 'Mật độ dân số', name_en: 'Population density' }],
  periods: [{ period: '2024-01', version: 'vn-2019' }, { period: '2026-09', version: 'vn-2025' }, { period: '2026-Q3', version: 'vn-2025' }],
  versions: [{ id: 'vn-2019', valid_from: '2019-01-01' }, { id: 'vn-2025', valid_from: '2025-07-01' }],
};
const signed = (r) => r.reduce((a, p, i) => a + (i ? r[i - 1][0] * p[1] - p[0] * r[i - 1][1] : 0), 0);

test('the mask is the world with the unit as a hole turning against it, the unit\'s own holes dimmed again', () => {
  const outer = [[105, 21], [106, 21], [106, 22], [105, 22], [105, 21]];
  const inner = [[105.4, 21.4], [105.4, 21.6], [105.6, 21.6], [105.6, 21.4], [105.4, 21.4]];
  for (const ring of [outer, [...outer].reverse()]) {
    const m = maskOf({ geometry: { type: 'Polygon', coordinates: [ring, inner] } }).geometry.coordinates;
    assert.equal(m.length, 2, 'the world with a hole, and the enclave');
    const [world, hole] = m[0];
    assert.notEqual(Math.sign(signed(world)), Math.sign(signed(hole)));
    assert.equal(Math.sign(signed(m[1][0])), Math.sign(signed(world)));
  }
});

test('the strict check names the parameter, the value and what exists, in the UI language', () => {
  const s = { ind: 'notanindicator', period: '2031-01', area: '30' };
  const vi = strictProblems(s, meta, 'vi', null);
  assert.deepEqual(vi.map((p) => p.param), ['ind', 'period', 'area']);
  assert.equal(vi[0].text, 'Chỉ tiêu «ind=notanindicator» không có. Các chỉ tiêu có: density (Mật độ dân số).');
  assert.match(vi[1].text, /period=2031-01.*Tháng 1\/2024 – Tháng 9\/2026 \(2024-01 … 2026-09\); Quý III\/2026 \(2026-Q3\)/);
  assert.match(vi[2].text, /area=30.*ranh giới từ 01\/07\/2025/);
  assert.match(strictProblems(s, meta, 'en', null)[0].text, /^There is no indicator "ind=notanindicator"/);
  assert.deepEqual(strictProblems({ ind: 'density', period: 'latest', area: '15' }, meta, 'vi', { properties: {} }), []);
  assert.deepEqual(strictProblems({ ind: 'density', period: '', area: '' }, meta, 'vi', undefined), []);
});

test('the snippet: responsive or fixed, titled in words, the address escaped, the indicator always named', () => {
  const s = { ind: 'density', period: '2026-09', lang: 'vi', controls: '1', lock: '', sel: '15', at: '6/21/105' };
  const url = embedURL('https://popmap.example', s, { lockInd: true, area: '15', searchArea: true, frameView: true }, '6/21/105');
  assert.equal(url, 'https://popmap.example/embed?ind=density&period=2026-09&lock=ind&area=15&sa=1');
  const title = viewTitle(meta, s, 'Tỉnh Lào Cai', 'vi');
  assert.equal(title, 'Mật độ dân số — Tỉnh Lào Cai — Tháng 9/2026');
  assert.equal(snippet(url, title, { mode: 'fluid', aspect: '16/10' }),
    '<iframe src="https://popmap.example/embed?ind=density&amp;period=2026-09&amp;lock=ind&amp;area=15&amp;sa=1" ' +
    'style="width:100%;aspect-ratio:16/10;border:0" title="Mật độ dân số — Tỉnh Lào Cai — Tháng 9/2026" loading="lazy" allowfullscreen></iframe>');
  assert.match(snippet(url, title, { mode: 'fixed', w: 640, h: 480 }), /width="640" height="480" style="border:0"/);
  // Without a framed unit the camera (`at`) and the selection stay; the country names the frame.
  assert.equal(embedURL('', s, { frameView: true }, '6/21/105'), '/embed?ind=density&period=2026-09&at=6/21/105&sel=15');
  assert.equal(viewTitle(meta, { ind: 'density', period: 'latest' }, '', 'en'), 'Population density — Vietnam — Q3 2026');
});
