// The download menu's pure parts (src/assets/downloads.js): the API URL of a file and which
// unit "only within" names for a selection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downloadURL, scopeUnit } from '../src/assets/downloads.js';
import { buildIndex } from '../src/assets/units.js';

test('a download URL names period, level and format, and adds version and parent only when set', () => {
  assert.equal(downloadURL({ period: '2026-09', level: 'commune', format: 'csv' }), '/api/v1/download/2026-09/commune.csv');
  assert.equal(downloadURL({ period: '2026-09@r2', level: 'province', format: 'xlsx', parent: '' }), '/api/v1/download/2026-09%40r2/province.xlsx');
  assert.equal(downloadURL({ period: '2024-06', level: 'commune', format: 'geojson', version: 'vn-2025', parent: '01' }),
    '/api/v1/download/2024-06/commune.geojson?version=vn-2025&parent=01');
  assert.equal(downloadURL({ period: '', level: 'province', format: 'csv' }), '/api/v1/download/latest/province.csv');
});

test('"only within" names the selection, or its nearest ancestor above the level drawn', () => {
  const idx = buildIndex('vn-2019', [
    { level: 'province', codes: ['01'], names: ['Thành phố Hà Nội'], parents: [null] },
    { level: 'district', codes: ['001'], names: ['Quận Ba Đình'], parents: ['01'] },
    { level: 'commune', codes: ['00001'], names: ['Phường Phúc Xá'], parents: ['001'] },
  ]);
  assert.equal(scopeUnit(idx, '01', 'commune').code, '01');
  assert.equal(scopeUnit(idx, '001', 'commune').code, '001');
  assert.equal(scopeUnit(idx, '00001', 'commune').code, '001', 'a commune drawn: its district');
  assert.equal(scopeUnit(idx, '00001', 'district').code, '01');
  assert.equal(scopeUnit(idx, '01', 'province'), null, 'nothing above the provinces');
  assert.equal(scopeUnit(idx, '', 'commune'), null);
  assert.equal(scopeUnit(null, '01', 'commune'), null);
});
