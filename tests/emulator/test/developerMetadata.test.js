'use strict';
// Developer metadata on rows: it stays with its row when rows are inserted or deleted above,
// goes with a deleted row, stays at its row number when the sheet is sorted, and is found
// by key and removed.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function sheet() { return SpreadsheetApp.getActiveSpreadsheet().getActiveSheet(); }
function fill() {
  sheet().getRange('A1:A5').setValues([['name'], ['apple'], ['pear'], ['plum'], ['kiwi']]);
  sheet().getRange('5:5').addDeveloperMetadata('mark', 'm1');
  sheet().getRange('2:2').addDeveloperMetadata('other');
}
function marks(key) {
  return sheet().createDeveloperMetadataFinder().withKey(key).find().map(function (md) {
    var row = md.getLocation().getRow().getRow();
    return [md.getKey(), md.getValue(), md.getLocation().getLocationType(), row, sheet().getRange(row, 1).getValue()];
  });
}
function insertAbove() { sheet().insertRowsBefore(2, 2); }
function deleteAbove() { sheet().deleteRows(2, 2); }
function deleteMarked() { sheet().deleteRow(5); }
function sortByName() { sheet().setFrozenRows(1); sheet().sort(1, true); }
function removeAll(key) { sheet().createDeveloperMetadataFinder().withKey(key).find().forEach(function (md) { md.remove(); }); }
function onCell() { sheet().getRange('A5').addDeveloperMetadata('cell'); }
`;

test('row metadata moves with its row when rows are inserted or deleted above it', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('fill');
  assert.deepStrictEqual(await emu.run('marks', 'mark'), [['mark', 'm1', 'ROW', 5, 'kiwi']]);
  await emu.run('insertAbove');
  assert.deepStrictEqual(await emu.run('marks', 'mark'), [['mark', 'm1', 'ROW', 7, 'kiwi']]);
  await emu.user.insertRows('Sheet1', 3, 1);
  assert.deepStrictEqual(await emu.run('marks', 'mark'), [['mark', 'm1', 'ROW', 8, 'kiwi']]);
  await emu.run('deleteAbove');
  assert.deepStrictEqual(await emu.run('marks', 'mark'), [['mark', 'm1', 'ROW', 6, 'kiwi']]);
});

test('a deleted row takes its metadata with it', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('fill');
  await emu.run('deleteMarked');
  assert.deepStrictEqual(await emu.run('marks', 'mark'), []);
  assert.deepStrictEqual((await emu.run('marks', 'other')).map((m) => m[3]), [2]);
});

test('sorting moves values but row metadata stays at its row number', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('fill');
  await emu.run('sortByName');
  assert.deepStrictEqual(await emu.run('marks', 'mark'), [['mark', 'm1', 'ROW', 5, 'plum']]);
});

test('metadata is found by key and removed', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('fill');
  await emu.run('removeAll', 'mark');
  assert.deepStrictEqual(await emu.run('marks', 'mark'), []);
  assert.strictEqual((await emu.run('marks', 'other')).length, 1);
});

test('metadata on a range that is not a whole row is refused', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('onCell'), /Adding developer metadata to arbitrary ranges is not currently supported/);
});
