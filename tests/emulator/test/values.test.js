'use strict';
// What getValues/setValues give and keep: Google's value types and typed-input conversion.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function sheet() { return SpreadsheetApp.getActiveSheet(); }
function write(a1, rows) { sheet().getRange(a1).setValues(rows); }
function read(a1) { return sheet().getRange(a1).getValues(); }
function kinds(a1) {
  return sheet().getRange(a1).getValues()[0].map(function (v) {
    return v instanceof Date ? 'Date' : typeof v;
  });
}
function display(a1) { return sheet().getRange(a1).getDisplayValues(); }
function formulas(a1) { return sheet().getRange(a1).getFormulas(); }
function writeDate(a1, iso) { sheet().getRange(a1).setValue(new Date(iso)); }
function formatThenWrite(a1, format, value) {
  var r = sheet().getRange(a1);
  r.setNumberFormat(format);
  r.setValue(value);
  return [r.getValue(), r.getNumberFormat()];
}
function formats(a1) { return sheet().getRange(a1).getNumberFormats(); }
`;

test('getValues gives Number, Boolean and String, and "" for an empty cell', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('write', 'A1:D1', [[12.5, true, 'text', '']]);
  assert.deepStrictEqual(await emu.run('read', 'A1:E1'), [[12.5, true, 'text', '', '']]);
  assert.deepStrictEqual(await emu.run('kinds', 'A1:E1'), ['number', 'boolean', 'string', 'string', 'string']);
});

test('a date cell reads as a Date that is the instant of its wall clock in the spreadsheet time zone', async () => {
  const emu = emulatorWith(CODE, { timeZone: 'Europe/Berlin' });
  await emu.user.editCell('Sheet1', 'A1', '2024-07-01 12:30');
  const [[date]] = await emu.run('read', 'A1');
  assert.ok(date instanceof Date);
  assert.strictEqual(date.toISOString(), '2024-07-01T10:30:00.000Z'); // Berlin is UTC+2 in summer
  assert.deepStrictEqual(await emu.run('kinds', 'A1'), ['Date']);
});

test('a Date written by a script is stored as its wall clock in the spreadsheet time zone', async () => {
  const emu = emulatorWith(CODE, { timeZone: 'Europe/Berlin' });
  await emu.run('writeDate', 'B2', '2024-01-15T23:30:00Z');
  assert.deepStrictEqual(await emu.run('display', 'B2'), [['1/16/2024 0:30:00']]);
  const [[back]] = await emu.run('read', 'B2');
  assert.strictEqual(back.toISOString(), '2024-01-15T23:30:00.000Z');
});

test('changing the spreadsheet time zone keeps the wall clock and moves the instant', async () => {
  const emu = emulatorWith(`${CODE}
    function moveZone(tz) { SpreadsheetApp.getActive().setSpreadsheetTimeZone(tz); }`, { timeZone: 'Europe/Berlin' });
  await emu.user.editCell('Sheet1', 'A1', '2024-01-15 09:00');
  await emu.run('moveZone', 'UTC');
  const [[date]] = await emu.run('read', 'A1');
  assert.strictEqual(date.toISOString(), '2024-01-15T09:00:00.000Z');
});

test('text that looks like a number becomes a number unless the cell is plain text', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('write', 'A1:A1', [['007']]);
  assert.deepStrictEqual(await emu.run('read', 'A1'), [[7]]);
  assert.deepStrictEqual(await emu.run('formatThenWrite', 'B1', '@', '007'), ['007', '@']);
});

test('typed text becomes a boolean, a percentage or a date like typed input, and an apostrophe keeps it text', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('write', 'A1:D1', [['TRUE', '12%', '3/4/2024', "'123"]]);
  const [[bool, pct, date, text]] = await emu.run('read', 'A1:D1');
  assert.strictEqual(bool, true);
  assert.strictEqual(pct, 0.12);
  assert.ok(date instanceof Date);
  assert.strictEqual(text, '123');
  assert.deepStrictEqual(await emu.run('display', 'B1:C1'), [['12%', '3/4/2024']]);
});

test('numbers stay numbers and keep their full precision', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('write', 'A1:B1', [[0.1 + 0.2, 12345678901234]]);
  assert.deepStrictEqual(await emu.run('read', 'A1:B1'), [[0.1 + 0.2, 12345678901234]]);
  assert.deepStrictEqual(await emu.run('display', 'A1:B1'), [['0.3', '12345678901234']]);
});

test('getFormulas gives "" where a cell holds no formula', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('write', 'A1:B1', [[2, '=A1*2']]);
  assert.deepStrictEqual(await emu.run('formulas', 'A1:C1'), [['', '=A1*2', '']]);
});

test('simple formulas evaluate and unsupported ones read as the #ERROR! placeholder', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('write', 'A1:E1', [[2, '=A1*2', '=B1&"x"', '=SUM(A1:B1)', '=VLOOKUP(A1,A1:B1,2)']]);
  assert.deepStrictEqual(await emu.run('read', 'A1:E1'), [[2, 4, '4x', 6, '#ERROR!']]);
});

test('a cell on automatic format reports Google\'s default number format', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('formats', 'A1:B1'), [['0.###############', '0.###############']]);
});

test('a number format with date tokens makes a number read as a Date', async () => {
  const emu = emulatorWith(CODE, { timeZone: 'UTC' });
  const [value, format] = await emu.run('formatThenWrite', 'A1', 'yyyy-mm-dd', 45658);
  assert.ok(value instanceof Date);
  assert.strictEqual(value.toISOString(), '2025-01-01T00:00:00.000Z');
  assert.strictEqual(format, 'yyyy-mm-dd');
});
