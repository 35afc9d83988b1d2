// Issue 15's must-holds on the classes and change maps of the demo, through the API of the
// running demo server only (no browser): for every public indicator at province and commune
// level, the default classes of the newest month hold ≤ 40 % of the units drawn each and none is
// empty or degenerate; the province legend's thresholds are the same in every month
// 2025-01 … 2026-09 (one legend for Play); and the commune change map 2024-06 → 2026-06 puts
// ≤ 50 % of the communes in the neutral class (density abs and pct, population).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJSON } from './harness.mjs';

const months = async () =>
  (await getJSON('/api/v1/periods')).map((p) => p.period).filter((p) => /^\d{4}-\d{2}$/.test(p));

test('default classes are readable for every public indicator at province and commune level', async () => {
  const list = await months();
  const newest = list[list.length - 1];
  // Indicators of age groups are drawn in the periods that carry ages (each December).
  const aged = (await getJSON('/api/v1/periods')).filter((p) => p.ages && /^\d{4}-\d{2}$/.test(p.period)).map((p) => p.period);
  const { indicators } = await getJSON('/api/v1/map/indicators');
  assert.ok(indicators.length >= 20, `${indicators.length} indicators`);
  const problems = [];
  for (const level of ['province', 'commune']) {
    for (const { id, ages } of indicators) {
      const period = ages ? aged[aged.length - 1] : newest;
      assert.ok(period, `${id}: no month carries ages`);
      const c = await getJSON(`/api/v1/classes?indicator=${id}&level=${level}&period=${period}`);
      assert.equal(c.breaks, 'timeline', `${id} ${level}`);
      const drawn = c.classes.reduce((s, k) => s + k.count, 0);
      assert.ok(drawn > 0, `${id} ${level}: no unit drawn`);
      c.classes.forEach((k, i) => {
        const what = `${id} ${level} class ${i} [${k.min}, ${k.max}] ${k.count}/${drawn}`;
        if (k.count > 0.4 * drawn) problems.push(`${what}: over 40 %`);
        if (k.count === 0) problems.push(`${what}: empty`);
        if (k.min !== null && k.min === k.max) problems.push(`${what}: degenerate`);
      });
      // The thresholds are the `step` of the classes.
      assert.equal(c.thresholds.length, c.classes.length - 1, `${id} ${level}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the province legend is the same in every month of 2025-01 … 2026-09', async () => {
  const list = (await months()).filter((p) => p >= '2025-01' && p <= '2026-09');
  assert.equal(list.length, 21);
  for (const id of ['density', 'population', 'srb', 'cbr']) {
    const first = await getJSON(`/api/v1/classes?indicator=${id}&level=province&period=${list[0]}`);
    assert.ok(first.periods.includes('2024-01') && first.periods.includes('2026-09'), `${id} pools every month`);
    for (const p of list.slice(1)) {
      const c = await getJSON(`/api/v1/classes?indicator=${id}&level=province&period=${p}`);
      assert.deepEqual(c.thresholds, first.thresholds, `${id} ${p}`);
      assert.deepEqual(c.classes.map((k) => k.color), first.classes.map((k) => k.color), `${id} ${p}`);
    }
    // This period only remains an option.
    const own = await getJSON(`/api/v1/classes?indicator=${id}&level=province&period=${list[0]}&breaks=period`);
    assert.equal(own.breaks, 'period');
    assert.deepEqual(own.periods, [list[0]]);
  }
});

test('a commune change map 2024-06 → 2026-06 is not mostly neutral', async () => {
  for (const [id, measure] of [['density', 'abs'], ['density', 'pct'], ['population', 'abs'], ['population', 'pct']]) {
    const c = await getJSON(
      `/api/v1/map/change?indicator=${id}&period=2026-06&base=2024-06&level=commune&measure=${measure}`,
    );
    assert.equal(c.harmonised_from, 'vn-2019', 'the 2024 base is moved onto the 2025 communes');
    assert.equal(c.codes.length, 3321);
    const drawn = c.classes.reduce((s, k) => s + k.count, 0);
    const middle = c.classes[(c.classes.length - 1) / 2];
    const [lo, hi] = c.neutral;
    assert.ok(hi > 0 && lo === -hi, `${id} ${measure}: a real neutral band ${c.neutral}`);
    assert.equal(middle.min, lo);
    assert.equal(middle.max, hi);
    assert.ok(middle.count <= 0.5 * drawn, `${id} ${measure}: ${middle.count}/${drawn} neutral`);
    // Symmetric thresholds, and the counts agree with the values.
    const t = c.thresholds;
    t.forEach((x, i) => assert.equal(x, -t[t.length - 1 - i], `${id} ${measure}: symmetric ${t}`));
    const neutral = c.values.filter((v) => v !== null && v >= lo && v < hi).length;
    assert.equal(neutral, middle.count, `${id} ${measure}`);
  }
});
