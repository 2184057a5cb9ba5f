'use strict';
// Spreadsheet and Sheet structure: sheets, sizes, rows, sorting, selection.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function ss() { return SpreadsheetApp.getActiveSpreadsheet(); }
function sheets() { return ss().getSheets().map(function (s) { return [s.getName(), s.getSheetId(), s.isSheetHidden()]; }); }
function addHidden(name) { var s = ss().insertSheet(name); s.hideSheet(); return ss().getActiveSheet().getName(); }
function removeSheet(name) { ss().deleteSheet(ss().getSheetByName(name)); return ss().getSheetByName(name); }
function duplicate(name) { ss().insertSheet(name); }
function table() {
  var s = ss().getActiveSheet();
  s.appendRow(['id', 'name']);
  s.appendRow([3, 'c']);
  s.appendRow([1, 'a']);
  s.appendRow([2, 'b']);
  s.setFrozenRows(1);
  s.sort(1, true);
  return [s.getLastRow(), s.getLastColumn(), s.getDataRange().getA1Notation(), s.getDataRange().getValues(), s.getFrozenRows()];
}
function reshape() {
  var s = ss().getActiveSheet();
  s.getRange(1, 1, 3, 1).setValues([[1], [2], [3]]);
  s.insertRowsBefore(2, 2);
  var afterInsert = s.getRange('A1:A5').getValues().map(function (r) { return r[0]; });
  s.deleteRows(2, 2);
  s.deleteRow(1);
  return [afterInsert, s.getRange('A1:A2').getValues().map(function (r) { return r[0]; }), s.getMaxRows(), s.getMaxColumns()];
}
function descending() {
  var s = ss().getActiveSheet();
  s.getRange('A1:A4').setValues([['b'], [2], [true], ['A']]);
  s.sort(1, false);
  return s.getRange('A1:A4').getValues().map(function (r) { return r[0]; });
}
function byA1() {
  ss().insertSheet('Data');
  ss().getRange("'Data'!B2:C3").setValues([[1, 2], [3, 4]]);
  var r = ss().getRange('Data!B2:C3');
  if (ss().getSheetByName('Data').getRange('Data!B2').getValue() !== 1) throw new Error('Sheet.getRange with its own name');
  return [r.getSheet().getName(), r.getRow(), r.getColumn(), r.getNumRows(), r.getNumColumns(), r.getA1Notation(), r.getValues()];
}
function selection() {
  var r = ss().getActiveSheet().getRange('C4:D5');
  ss().setActiveRange(r);
  var a = ss().getActiveRange().getA1Notation();
  ss().setActiveSelection('A1');
  return [a, ss().getActiveRange().getA1Notation(), SpreadsheetApp.getActiveRange().getA1Notation()];
}
function clearing() {
  var r = ss().getActiveSheet().getRange('A1:B1');
  r.setValues([[1, 'x']]).setNumberFormat('0.00');
  r.clearContent();
  var kept = r.getNumberFormat();
  r.setValue(5);
  r.clear();
  return [kept, r.getNumberFormat(), r.getValues()];
}
function zone() { ss().setSpreadsheetTimeZone('Asia/Tokyo'); return [ss().getSpreadsheetTimeZone(), ss().getId().length > 10, ss().getName()]; }
`;

test('sheets have names, ids (the first is 0) and can be added, hidden and deleted', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('addHidden', 'Base'), 'Base');
  const list = await emu.run('sheets');
  assert.deepStrictEqual(list.map((s) => [s[0], s[2]]), [['Sheet1', false], ['Base', true]]);
  assert.strictEqual(list[0][1], 0);
  assert.strictEqual(await emu.run('removeSheet', 'Base'), null);
});

test('a duplicate sheet name is refused', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('duplicate', 'Sheet1'), { message: 'A sheet with the name "Sheet1" already exists. Please enter another name.' });
});

test('appendRow, sort below frozen rows, getLastRow/Column and getDataRange work together', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('table'), [4, 2, 'A1:B4', [['id', 'name'], [1, 'a'], [2, 'b'], [3, 'c']], 1]);
});

test('sort orders numbers, then text, then booleans (reversed when descending)', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('descending'), [true, 'b', 'A', 2]);
});

test('inserting and deleting rows moves the cells below and changes the size', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('reshape'), [[1, '', '', 2, 3], [2, 3], 999, 26]);
});

test('Spreadsheet.getRange reads A1 notation with a sheet name', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('byA1'), ['Data', 2, 2, 2, 2, 'B2:C3', [[1, 2], [3, 4]]]);
});

test('setActiveRange and setActiveSelection change the active range', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('selection'), ['C4:D5', 'A1', 'A1']);
});

test('clearContent keeps formats and clear removes them', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('clearing'), ['0.00', '0.###############', [['', '']]]);
});

test('the spreadsheet time zone can be read and changed', async () => {
  const emu = emulatorWith(CODE, { spreadsheetName: 'Orders' });
  assert.deepStrictEqual(await emu.run('zone'), ['Asia/Tokyo', true, 'Orders']);
});
