'use strict';
// The add-on's snapshot of the sheet (sheetSnapshotOf_ in addon/Sheet.js) hands the core the
// getValues() rows themselves, every cell as getValues() gave it: the core's loader reads Date
// cells as they are (wasm/js-tests/bundle.test.mjs checks that it plans them exactly as their
// {d: ms} form), so no object is made per date cell and no row is copied.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SHEET_JS = path.resolve(__dirname, '..', '..', 'addon', 'Sheet.js');

test('sheetSnapshotOf_ hands over the getValues() rows themselves, every cell untouched', () => {
  const context = vm.createContext({});
  vm.runInContext(fs.readFileSync(SHEET_JS, 'utf8'), context, { filename: 'Sheet.js' });
  const date = vm.runInContext('new Date(Date.UTC(2024, 1, 29, 12, 30))', context);
  const cells = [0, -0, 1.5, NaN, '', '007', 'ümlaut 😀', true, false, date, new Date(86400000),
    new Date(NaN), { d: 5 }];
  const values = [cells.slice(), cells.slice().reverse(), []];
  const before = values.map((row) => row.slice());
  const formulas = values.map((row) => row.map(() => ''));
  formulas[1][2] = '=A1';
  const snapshot = context.sheetSnapshotOf_(values, formulas, 2);
  assert.equal(snapshot.rows.length, 3);
  snapshot.rows.forEach((row, r) => {
    assert.equal(row, values[r], `row ${r} is the getValues() array itself, not a copy`);
    assert.equal(row.length, before[r].length);
    row.forEach((cell, c) => assert.ok(Object.is(cell, before[r][c]), `row ${r}, cell ${c} is left as it was`));
  });
  assert.deepEqual([...snapshot.formulas.map((f) => [...f])], [[], cells.map((_, c) => c === 2), []]);
  assert.equal(snapshot.firstRow, 2);
  const plain = context.sheetSnapshotOf_([[1]], [['']], 5);
  assert.equal(plain.formulas, null, 'no formula: no formula array');
  assert.equal(plain.firstRow, 5);
});
