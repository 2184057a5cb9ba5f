'use strict';
// Developer metadata on rows: a key and value attached to a whole row, which Sheets keeps on
// that row as rows are inserted or deleted above it and deletes with the row. Sorting moves
// cell values, not rows, so a row's metadata stays where it was. The entries live on the
// SheetModel (`rowMetadata`); grid.js moves them with the rows.

const { ScriptException } = require('../errors');

/** The DeveloperMetadata service object for `entry` ({id, key, value, row}) of `sheet`. */
function createDeveloperMetadata(exec, sheet, entry) {
  const live = () => {
    if (!sheet.rowMetadata.includes(entry)) throw new ScriptException('The developer metadata has been removed.');
  };
  return exec.service('DeveloperMetadata', {
    getId: () => entry.id,
    getKey: () => entry.key,
    getValue: () => entry.value,
    getVisibility: () => 'DOCUMENT',
    getLocation() {
      live();
      return exec.service('DeveloperMetadataLocation', {
        getLocationType: () => 'ROW',
        getRow: () => require('./range').createRange(exec, sheet, entry.row, 1, 1, sheet.maxCols),
        getColumn: () => null,
        getSheet: () => require('./sheet').createSheet(exec, sheet),
        getSpreadsheet: () => null,
      });
    },
    setValue(value) {
      live();
      entry.value = value === null || value === undefined ? null : String(value);
    },
    remove() {
      sheet.rowMetadata = sheet.rowMetadata.filter((e) => e !== entry);
    },
  });
}

/** `Range.addDeveloperMetadata(key[, value])` on rows `row..row+numRows-1`, cols `col..`. */
function addRowMetadata(exec, sheet, { row, col, numRows, numCols }, key, value) {
  if (typeof key !== 'string' || key === '') throw new ScriptException('Developer metadata must always have a key specified.');
  if (col !== 1 || numCols !== sheet.maxCols || numRows !== 1) {
    throw new ScriptException('Adding developer metadata to arbitrary ranges is not currently supported. Developer metadata may only be added to a top-level spreadsheet, an individual sheet, or an entire row or column.');
  }
  const ss = exec.emu.spreadsheet;
  ss.nextMetadataId = (ss.nextMetadataId || 0) + 1;
  sheet.rowMetadata.push({ id: ss.nextMetadataId, key, value: value === undefined || value === null ? null : String(value), row });
}

/** `Sheet.createDeveloperMetadataFinder()`: the sheet's row metadata, narrowed by key or value. */
function createFinder(exec, sheet) {
  const wanted = {};
  const self = exec.service('DeveloperMetadataFinder', {
    withKey(key) {
      wanted.key = String(key);
      return self;
    },
    withValue(value) {
      wanted.value = String(value);
      return self;
    },
    withId(id) {
      wanted.id = Number(id);
      return self;
    },
    find() {
      const found = sheet.rowMetadata
        .filter((e) => (wanted.key === undefined || e.key === wanted.key) && (wanted.value === undefined || e.value === wanted.value) && (wanted.id === undefined || e.id === wanted.id))
        .map((e) => createDeveloperMetadata(exec, sheet, e));
      return exec.toRealm(found);
    },
  });
  return self;
}

module.exports = { addRowMetadata, createFinder };
