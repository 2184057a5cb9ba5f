'use strict';
// Google's size limits and the exact errors they raise.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function sheet() { return SpreadsheetApp.getActiveSheet(); }
function write(a1, rows) { sheet().getRange(a1).setValues(rows); }
function writeLong(n) { sheet().getRange('A1').setValues([['x'.repeat(n)]]); return sheet().getRange('A1').getValue().length; }
function grow(rows) { sheet().insertRowsAfter(1, rows); return sheet().getMaxRows(); }
function widen(cols) { sheet().insertColumnsAfter(1, cols); return sheet().getMaxColumns(); }
function shrink() { sheet().deleteRows(101, 900); }
function outside() { return sheet().getRange(1001, 1).getValue(); }
function caught(a1, rows) {
  try { write(a1, rows); return 'no error'; } catch (e) { return [e instanceof Error, e.name, String(e)]; }
}
`;

test('setValues with too few rows fails with Google\'s dimension message', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('write', 'A1:B3', [[1, 2], [3, 4]]), {
    message: 'The number of rows in the data does not match the number of rows in the range. The data has 2 but the range has 3.',
  });
});

test('setValues with a wrong row width fails with Google\'s column message', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('write', 'A1:B1', [[1, 2, 3]]), {
    message: 'The number of columns in the data does not match the number of columns in the range. The data has 3 but the range has 2.',
  });
});

test('a service error is an Error named Exception inside the script', async () => {
  const emu = emulatorWith(CODE);
  const [isError, name, text] = await emu.run('caught', 'A1', [[1, 2]]);
  assert.strictEqual(isError, true);
  assert.strictEqual(name, 'Exception');
  assert.match(text, /^Exception: The number of columns in the data does not match/);
});

test('a cell takes 50,000 characters and refuses one more', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('writeLong', 50000), 50000);
  await assert.rejects(emu.run('writeLong', 50001), {
    message: 'Your input contains more than the maximum of 50000 characters in a single cell.',
  });
});

test('growing the workbook past 10,000,000 cells fails with Google\'s text and changes nothing', async () => {
  const emu = emulatorWith(CODE);
  // 1000 x 26 to start: 26,000 cells; 383,615 more rows of 26 reach 9,999,990.
  assert.strictEqual(await emu.run('grow', 383615), 384615);
  await assert.rejects(emu.run('grow', 1), {
    message: 'This action would increase the number of cells in the workbook above the limit of 10000000 cells.',
  });
  assert.strictEqual(emu.spreadsheet.sheets[0].maxRows, 384615);
});

test('a sheet cannot pass 18,278 columns', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('shrink'); // 100 rows, so 18,278 columns stay under the cell limit
  assert.strictEqual(await emu.run('widen', 18278 - 26), 18278);
  await assert.rejects(emu.run('widen', 1), /above the limit of 18278/);
});

test('a range outside the sheet is refused', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('outside'), { message: 'The coordinates of the range are outside the dimensions of the sheet.' });
});
