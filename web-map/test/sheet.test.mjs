// Unit tests of the phone layout's pure parts: the bottom sheet's state steps (sheet.js) and the
// national view's padding on a phone (camera.js). The layout itself is tested in a real browser
// by tests/browser/phone.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATES, stepState, tapState, dragState } from '../src/assets/sheet.js';
import { nationalPadding, fitZoom, VIETNAM_BBOX } from '../src/assets/camera.js';

test('the sheet steps peek → half → full and back, clamped at the ends', () => {
  assert.deepEqual(STATES, ['peek', 'half', 'full']);
  assert.equal(stepState('peek', 1), 'half');
  assert.equal(stepState('half', 1), 'full');
  assert.equal(stepState('full', 1), 'full');
  assert.equal(stepState('full', -1), 'half');
  assert.equal(stepState('peek', -1), 'peek');
  assert.equal(stepState('unknown', 1), 'half', 'an unknown state counts as peek');
});

test('a tap on the handle goes up one state, and from full back to peek', () => {
  assert.equal(tapState('peek'), 'half');
  assert.equal(tapState('half'), 'full');
  assert.equal(tapState('full'), 'peek');
});

test('a drag moves by its length: short drags change nothing, a long fling two states', () => {
  assert.equal(dragState('peek', -10), 'peek');
  assert.equal(dragState('peek', -120), 'half');
  assert.equal(dragState('peek', -400), 'full');
  assert.equal(dragState('full', 120), 'half');
  assert.equal(dragState('full', 400), 'peek');
  assert.equal(dragState('half', 31), 'half');
});

test('the national view keeps 10 px on a laptop and leaves room east of Trường Sa on a phone', () => {
  assert.equal(nationalPadding(1066), 10);
  const p = nationalPadding(390);
  assert.ok(p.right > p.left && p.right >= 40 && p.right <= 90, JSON.stringify(p));
  // The country still fills most of a phone's width: at most half a zoom level is given up.
  const plain = fitZoom(VIETNAM_BBOX, 390, 698, 10);
  const padded = fitZoom(VIETNAM_BBOX, 390 - (p.left + p.right - 20), 698, 10);
  assert.ok(plain - padded < 0.5, `${plain} vs ${padded}`);
});
