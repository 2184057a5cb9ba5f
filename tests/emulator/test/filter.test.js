'use strict';
// A sheet's basic filter: creating, criteria, hidden rows, values under a filter, sorting.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function sheet() { return SpreadsheetApp.getActiveSheet(); }
function fill() {
  sheet().getRange('A1:C5').setValues([
    ['id', 'country', 'people'], [1, 'NO', 709], [2, 'FR', 522], [3, 'NO', 291], [4, '', 848],
  ]);
  sheet().getRange('A7').setValue('below');
  return sheet().getRange('A1:C5').createFilter();
}
function hiddenRows() {
  var out = [];
  for (var r = 1; r <= 7; r++) if (sheet().isRowHiddenByFilter(r)) out.push(r);
  return out;
}
function hide(col, values) {
  sheet().getFilter().setColumnFilterCriteria(col, SpreadsheetApp.newFilterCriteria().setHiddenValues(values).build());
}
function created() {
  var f = fill();
  return [f.getRange().getA1Notation(), sheet().getFilter().getRange().getA1Notation(),
    sheet().getRange('B2').getFilter().getRange().getA1Notation(), hiddenRows()];
}
function secondFilter() { fill(); sheet().getRange('A1:A2').createFilter(); }
function byHiddenValues() { fill(); hide(2, ['NO']); return hiddenRows(); }
function byConditions() {
  fill();
  var f = sheet().getFilter();
  var out = [];
  f.setColumnFilterCriteria(2, SpreadsheetApp.newFilterCriteria().whenTextEqualTo('FR').build());
  out.push(hiddenRows());
  f.setColumnFilterCriteria(2, SpreadsheetApp.newFilterCriteria().whenCellEmpty().build());
  out.push(hiddenRows());
  f.setColumnFilterCriteria(2, SpreadsheetApp.newFilterCriteria().whenCellNotEmpty().build());
  out.push(hiddenRows());
  f.setColumnFilterCriteria(3, SpreadsheetApp.newFilterCriteria().whenNumberGreaterThan(600).build());
  out.push(hiddenRows());
  return out;
}
function criteriaBack() {
  fill();
  hide(2, ['NO', 'FR']);
  sheet().getFilter().setColumnFilterCriteria(3, SpreadsheetApp.newFilterCriteria().whenTextContains('2').build());
  var f = sheet().getFilter();
  var c = f.getColumnFilterCriteria(2);
  var t = f.getColumnFilterCriteria(3);
  var changed = c.copy().setHiddenValues(['FR']).build();
  return [c.getHiddenValues(), t.getCriteriaType(), t.getCriteriaValues(), changed.getHiddenValues(),
    c.getHiddenValues(), f.getColumnFilterCriteria(1)];
}
function valuesUnderFilter() {
  fill();
  hide(2, ['NO']);
  var read = sheet().getRange('A2:B5').getValues();
  sheet().getRange('A2:C3').setValues([[1, 'NO', 710], [2, 'FR', 523]]);
  return [read, sheet().getRange('C2:C3').getValues(), hiddenRows()];
}
function newValueMovesRow() {
  fill();
  hide(2, ['NO']);
  sheet().getRange('B2').setValue('SE');
  sheet().getRange('B5').setValue('NO');
  return hiddenRows();
}
function removing() {
  fill();
  hide(2, ['NO']);
  hide(3, ['522']);
  var f = sheet().getFilter();
  var out = [hiddenRows()];
  f.removeColumnFilterCriteria(2);
  out.push(hiddenRows());
  f.setColumnFilterCriteria(3, null);
  out.push(hiddenRows(), f.getColumnFilterCriteria(3));
  hide(2, ['NO']);
  f.remove();
  out.push(sheet().getFilter(), hiddenRows());
  try { f.getRange(); } catch (e) { out.push(e.message); }
  return out;
}
function sorting() {
  fill();
  hide(2, ['NO']);
  sheet().getFilter().sort(3, false);
  return [sheet().getRange('A1:A5').getValues().map(function (r) { return r[0]; }), hiddenRows()];
}
function reshaping() {
  fill();
  hide(2, ['NO']);
  var s = sheet();
  s.insertRowsBefore(3, 2);
  var grown = [s.getFilter().getRange().getA1Notation(), hiddenRows()];
  s.deleteRows(2, 1);
  var shrunk = [s.getFilter().getRange().getA1Notation(), hiddenRows()];
  s.insertColumnsBefore(1, 1);
  var moved = [s.getFilter().getRange().getA1Notation(), s.getFilter().getColumnFilterCriteria(3).getHiddenValues(), hiddenRows()];
  s.deleteRows(1, 1);
  return [grown, shrunk, moved, s.getFilter()];
}
function outside() { fill(); sheet().getFilter().setColumnFilterCriteria(5, SpreadsheetApp.newFilterCriteria().whenCellEmpty().build()); }
`;

test('createFilter covers its range, Sheet.getFilter and Range.getFilter find it, and it hides nothing without criteria', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('created'), ['A1:C5', 'A1:C5', 'A1:C5', []]);
});

test('a sheet holds one filter: a second createFilter is refused', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('secondFilter'), { message: "You can't create a filter in a sheet that already has a filter." });
});

test('rows whose cell shows a hidden value are hidden by the filter; the header row and rows outside the range never are', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('byHiddenValues'), [2, 4]);
});

test('conditions show only the rows that meet them, and criteria on several columns all apply', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('byConditions'), [[2, 4, 5], [2, 3, 4], [5], [3, 4, 5]]);
});

test('getColumnFilterCriteria gives the criteria back (null for a column without), and copy() changes only the copy', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('criteriaBack'), [['NO', 'FR'], 'TEXT_CONTAINS', ['2'], ['FR'], ['NO', 'FR'], null]);
});

test('getValues still returns hidden rows and setValues writes into them', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('valuesUnderFilter'), [
    [[1, 'NO'], [2, 'FR'], [3, 'NO'], [4, '']],
    [[710], [523]],
    [2, 4],
  ]);
});

test('which rows are hidden follows the values in them', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('newValueMovesRow'), [4, 5]);
});

test('removing a column\'s criteria, setting them to null, and removing the filter show the rows again', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('removing'), [[2, 3, 4], [3], [], null, null, [], 'This filter has been removed.']);
});

test('Filter.sort orders the rows below the header, hidden ones too, and they stay hidden', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('sorting'), [['id', 4, 1, 2, 3], [3, 5]]);
});

test('inserted and deleted rows and columns grow, shrink and move the filter; deleting its header row removes it', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('reshaping'), [
    ['A1:C7', [2, 6]],
    ['A1:C6', [5]],
    ['B1:D6', ['NO'], [5]],
    null,
  ]);
});

test('criteria for a column outside the filter are refused', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('outside'), { message: 'The column 5 is outside the range of this filter.' });
});
