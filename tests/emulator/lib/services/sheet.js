'use strict';
// SpreadsheetApp.Sheet: one tab, its size, rows and ordering.

const { ScriptException } = require('../errors');
const { parseRangeRef, splitSheetName, MAX_COLUMNS } = require('../a1');
const { createRange } = require('./range');

function positiveInt(v, what) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ScriptException(`The ${what} must be at least 1.`);
  return n;
}

/** Creates the Sheet service object for `model` (a SheetModel). */
function createSheet(exec, model) {
  const ss = exec.emu.spreadsheet;
  const alive = () => {
    if (!ss.sheets.includes(model)) throw new ScriptException(`The sheet ${model.name} has been deleted.`);
  };
  const rangeOf = (a, b, c, d) => {
    alive();
    if (typeof a === 'string') {
      const { sheetName, ref: text } = splitSheetName(a);
      if (sheetName !== null && sheetName !== model.name) throw new ScriptException('Range not found');
      const ref = parseRangeRef(text, model.maxRows, model.maxCols);
      if (!ref) throw new ScriptException('Range not found');
      return createRange(exec, model, ref.row, ref.col, ref.numRows, ref.numCols);
    }
    return createRange(exec, model, Number(a), Number(b), c === undefined ? 1 : Number(c), d === undefined ? 1 : Number(d));
  };

  const self = exec.service('Sheet', {
    getName: () => model.name,
    setName(name) {
      alive();
      const clash = ss.sheets.find((s) => s !== model && s.name.toLowerCase() === String(name).toLowerCase());
      if (clash) throw new ScriptException(`A sheet with the name "${name}" already exists. Please enter another name.`);
      model.name = String(name);
      return self;
    },
    getSheetId: () => model.id,
    getIndex: () => ss.sheets.indexOf(model) + 1,
    getParent: () => require('./spreadsheet').createSpreadsheet(exec),
    getRange: rangeOf,
    getDataRange() {
      alive();
      return createRange(exec, model, 1, 1, Math.max(1, model.lastRow()), Math.max(1, model.lastColumn()));
    },
    getLastRow: () => (alive(), model.lastRow()),
    getLastColumn: () => (alive(), model.lastColumn()),
    getMaxRows: () => model.maxRows,
    getMaxColumns: () => model.maxCols,
    insertRows(before, n = 1) {
      alive();
      const at = positiveInt(before, 'row index');
      if (at > model.maxRows) throw new ScriptException('Those rows are out of bounds.');
      ss.insertRows(model, at, positiveInt(n, 'number of rows'));
      return self;
    },
    insertRowsBefore(before, n) {
      self.insertRows(before, n);
      return self;
    },
    insertRowsAfter(after, n) {
      alive();
      const at = positiveInt(after, 'row index');
      if (at > model.maxRows) throw new ScriptException('Those rows are out of bounds.');
      ss.insertRows(model, at + 1, positiveInt(n, 'number of rows'));
      return self;
    },
    insertRowBefore(before) {
      return self.insertRows(before, 1);
    },
    insertRowAfter(after) {
      return self.insertRowsAfter(after, 1);
    },
    deleteRow(row) {
      alive();
      ss.deleteRows(model, positiveInt(row, 'row index'), 1);
      return self;
    },
    deleteRows(row, n) {
      alive();
      ss.deleteRows(model, positiveInt(row, 'row index'), positiveInt(n, 'number of rows'));
    },
    insertColumnsAfter(after, n) {
      alive();
      ss.insertColumns(model, positiveInt(after, 'column index') + 1, positiveInt(n, 'number of columns'));
      return self;
    },
    insertColumnsBefore(before, n) {
      alive();
      ss.insertColumns(model, positiveInt(before, 'column index'), positiveInt(n, 'number of columns'));
      return self;
    },
    deleteColumns(col, n) {
      alive();
      ss.deleteColumns(model, positiveInt(col, 'column index'), positiveInt(n, 'number of columns'));
    },
    appendRow(values) {
      alive();
      if (!Array.isArray(values)) throw new ScriptException("The parameters (" + typeof values + ") don't match the method signature for SpreadsheetApp.Sheet.appendRow.");
      if (values.length > MAX_COLUMNS) throw new ScriptException(`This action would increase the number of columns in the sheet above the limit of ${MAX_COLUMNS}.`);
      const row = model.lastRow() + 1;
      if (row > model.maxRows) ss.insertRows(model, model.maxRows + 1, 1);
      if (values.length > model.maxCols) ss.insertColumns(model, model.maxCols + 1, values.length - model.maxCols);
      if (values.length > 0) createRange(exec, model, row, 1, 1, values.length).setValues([values]);
      return self;
    },
    hideSheet() {
      alive();
      if (ss.sheets.filter((s) => !s.hidden && s !== model).length === 0) {
        throw new ScriptException("You can't hide all the sheets in a document.");
      }
      model.hidden = true;
      return self;
    },
    showSheet() {
      model.hidden = false;
      return self;
    },
    isSheetHidden: () => model.hidden,
    sort(col, ascending = true) {
      alive();
      const c = positiveInt(col, 'column index');
      const last = model.lastRow();
      if (last > model.frozenRows + 1) ss.sortRows(model, model.frozenRows + 1, last, c, ascending !== false);
      return self;
    },
    clear() {
      alive();
      model.rows = [];
      return self;
    },
    clearContents() {
      alive();
      for (const r of model.rows) if (r) r.forEach((cell) => cell && (cell.v = undefined, cell.f = undefined));
      return self;
    },
    getFrozenRows: () => model.frozenRows,
    setFrozenRows(n) {
      alive();
      const rows = Number(n);
      if (!Number.isInteger(rows) || rows < 0 || rows >= model.maxRows) {
        throw new ScriptException("You can't freeze all visible rows on the sheet.");
      }
      model.frozenRows = rows;
    },
    activate() {
      alive();
      ss.activeSheet = model;
      model.hidden = false;
      return self;
    },
    getType: () => 'GRID',
    getFilter() {
      alive();
      return model.filter ? require('./filter').createFilter(exec, model) : null;
    },
    createDeveloperMetadataFinder() {
      alive();
      return require('./developerMetadata').createFinder(exec, model);
    },
    isRowHiddenByFilter(row) {
      alive();
      const r = positiveInt(row, 'row index');
      return !!model.filter && model.filter.hides(ss, model, r);
    },
  });
  exec.models.set(self, { sheet: model });
  return self;
}

module.exports = { createSheet };
