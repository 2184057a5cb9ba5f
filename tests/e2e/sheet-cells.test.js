'use strict';
// The add-on's cell conversion (sheetToCell_ in addon/Sheet.js) against the reference form it
// replaced: the same result for every kind of value getValues() gives, Dates from this realm
// and from another one included. Its fast path lets every primitive through untouched.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SHEET_JS = path.resolve(__dirname, '..', '..', 'addon', 'Sheet.js');

/** sheetToCell_ evaluated in a realm of its own, as Apps Script runs the file. */
function addonSheetToCell() {
  const context = vm.createContext({});
  vm.runInContext(fs.readFileSync(SHEET_JS, 'utf8'), context, { filename: 'Sheet.js' });
  return { toCell: context.sheetToCell_, realm: context };
}

/** The conversion as it was written before the fast path. */
function reference(value) {
  if (value === null || value === undefined) return '';
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') {
    return { d: value.getTime() };
  }
  return value;
}

test('sheetToCell_ gives what the reference conversion gives for every kind of cell value', () => {
  const { toCell, realm } = addonSheetToCell();
  const scriptDate = vm.runInContext('new Date(Date.UTC(2024, 1, 29, 12, 30))', realm);
  const values = [
    0, -0, 1, -1.5, 1e21, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity,
    '', ' ', '007', "'01", 'text', 'ümlaut 😀', true, false, null, undefined,
    new Date(0), new Date(Date.UTC(1850, 0, 1)), new Date(NaN), scriptDate,
    [1, 2], { d: 5 },
  ];
  for (const v of values) {
    const got = toCell(v);
    const want = reference(v);
    // A Date becomes a fresh {d: ms} (made in the script's realm, so compared by its fields);
    // anything else is passed on as it is.
    if (Object.is(got, want)) continue;
    assert.ok(Object.prototype.toString.call(v) === '[object Date]', `${typeof v} ${String(v)}: got ${String(got)}`);
    assert.deepEqual({ ...got }, { ...want }, `the Date ${String(v)}`);
  }
  // A Date from the script's realm (as getValues() returns in Apps Script) and one from another
  // realm both become {d: ms}.
  assert.deepEqual({ ...toCell(scriptDate) }, { d: Date.UTC(2024, 1, 29, 12, 30) });
  assert.deepEqual({ ...toCell(new Date(86400000)) }, { d: 86400000 });
});

test('sheetSnapshotOf_ turns the getValues() rows into SheetCells in place, as sheetToCell_ does each cell', () => {
  const context = vm.createContext({});
  vm.runInContext(fs.readFileSync(SHEET_JS, 'utf8'), context, { filename: 'Sheet.js' });
  const toCell = context.sheetToCell_;
  const date = vm.runInContext('new Date(Date.UTC(2024, 1, 29, 12, 30))', context);
  const cells = [0, -0, 1.5, NaN, '', '007', 'ümlaut 😀', true, false, null, undefined, date,
    new Date(86400000), { d: 5 }, [1, 2]];
  const values = [cells.slice(), cells.slice().reverse(), []];
  const rows = values.map((row) => row);
  const want = values.map((row) => row.map((v) => toCell(v)));
  const snapshot = context.sheetSnapshotOf_(values, values.map((row) => row.map(() => '')), 2);
  assert.equal(snapshot.rows.length, 3);
  snapshot.rows.forEach((row, r) => {
    assert.equal(row, rows[r], `row ${r} is the getValues() array itself, not a copy`);
    assert.equal(row.length, want[r].length);
    row.forEach((cell, c) => {
      if (Object.is(cell, want[r][c])) return;
      // Dates become fresh {d: ms} objects; compare their fields.
      assert.deepEqual({ ...cell }, { ...want[r][c] }, `row ${r}, cell ${c}`);
      assert.ok(Object.prototype.toString.call(values[r][c]) !== '[object Date]', 'no Date is left');
    });
  });
  assert.equal(snapshot.formulas, null);
  assert.equal(snapshot.firstRow, 2);
});
