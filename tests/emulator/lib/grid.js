'use strict';
// The durable content of one spreadsheet: its sheets, their cells and sizes.
// Cells are stored sparsely per row; a cell is { v, f, nf, bg, note } where v
// is a number, string or boolean (dates are numbers with a date format).

const { ScriptException } = require('./errors');
const { evaluateFormula, UNSUPPORTED } = require('./formula');
const { MAX_COLUMNS } = require('./a1');

const MAX_CELLS = 10000000;
const MAX_CELL_CHARS = 50000;

/** `list` with `n` empty slots at `at` (no spread: n may be in the hundreds of thousands). */
function insertHoles(list, at, n) {
  return list.slice(0, at).concat(new Array(n), list.slice(at));
}

/** One sheet (tab) of the spreadsheet. */
class SheetModel {
  constructor(id, name, maxRows = 1000, maxCols = 26) {
    this.id = id;
    this.name = name;
    this.rows = [];
    this.maxRows = maxRows;
    this.maxCols = maxCols;
    this.frozenRows = 0;
    this.hidden = false;
    /** The basic filter (a FilterModel), or null. */
    this.filter = null;
    /** Developer metadata on whole rows: [{id, key, value, row}] (services/developerMetadata.js). */
    this.rowMetadata = [];
    /** The spreadsheet told of every change to the cells (set by addSheet). */
    this.owner = null;
  }

  /** Tells the filter that the grid changed shape (`how` is one of FilterModel's updates). */
  reshapeFilter(how, ...args) {
    if (this.filter && !this.filter[how](...args)) this.filter = null;
  }

  /** The stored cell or undefined. */
  cell(row, col) {
    const r = this.rows[row - 1];
    return r ? r[col - 1] : undefined;
  }

  /** Replaces a cell; an empty record is dropped to keep the grid sparse. */
  putCell(row, col, cell) {
    if (this.owner) this.owner.touched();
    const empty = !cell || (cell.v === undefined && !cell.f && !cell.nf && !cell.bg && !cell.note);
    let r = this.rows[row - 1];
    if (empty) {
      if (r) delete r[col - 1];
      return;
    }
    if (!r) r = this.rows[row - 1] = [];
    r[col - 1] = cell;
  }

  /** Last row holding a value or formula (0 when none). */
  lastRow() {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const r = this.rows[i];
      if (r && r.some((c) => c && (c.v !== undefined || c.f))) return i + 1;
    }
    return 0;
  }

  /** Last column holding a value or formula (0 when none). */
  lastColumn() {
    let last = 0;
    for (const r of this.rows) {
      if (!r) continue;
      for (let j = r.length - 1; j >= last; j--) {
        const c = r[j];
        if (c && (c.v !== undefined || c.f)) {
          last = j + 1;
          break;
        }
      }
    }
    return last;
  }
}

/** The spreadsheet file: sheets plus document-level settings. */
class SpreadsheetModel {
  constructor({ id, name, timeZone }) {
    this.id = id;
    this.name = name;
    this.timeZone = timeZone;
    this.sheets = [];
    this.nextSheetId = 0;
    this.activeSheet = null;
    this.activeRange = null;
    /** Called after any change to cells or rows, however made (Drive channels listen). */
    this.changeListeners = new Set();
  }

  /** Calls `listener()` on every change to the cells; returns the function that stops it. */
  onChange(listener) {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Tells the listeners that cells or rows changed. */
  touched() {
    for (const listener of this.changeListeners) listener();
  }

  /** Adds a sheet at `index` (default: last), checking the cell limit. */
  addSheet(name, index = this.sheets.length, { rows = 1000, cols = 26 } = {}) {
    if (this.sheets.some((s) => s.name.toLowerCase() === name.toLowerCase())) {
      throw new ScriptException(`A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    this.checkCellLimit(rows * cols);
    const sheet = new SheetModel(this.nextSheetId, name, rows, cols);
    sheet.owner = this;
    this.nextSheetId = this.nextSheetId === 0 ? 1000000 + Math.floor(Math.random() * 1e9) : this.nextSheetId + 7919;
    this.sheets.splice(index, 0, sheet);
    if (!this.activeSheet) this.activeSheet = sheet;
    return sheet;
  }

  /** Removes a sheet; the last visible sheet cannot go. */
  removeSheet(sheet) {
    if (this.sheets.length === 1) {
      throw new ScriptException("A sheet can't be deleted because a spreadsheet must contain at least one sheet.");
    }
    this.sheets = this.sheets.filter((s) => s !== sheet);
    if (this.activeSheet === sheet) this.activeSheet = this.sheets[0];
    if (this.activeRange && this.activeRange.sheet === sheet) this.activeRange = null;
  }

  /** Finds a live sheet by name (exact, as Google does). */
  sheetByName(name) {
    return this.sheets.find((s) => s.name === name) || null;
  }

  /** Cells in all sheets' grids. */
  totalCells() {
    return this.sheets.reduce((n, s) => n + s.maxRows * s.maxCols, 0);
  }

  /** Throws Google's text when adding `extra` cells would pass 10,000,000. */
  checkCellLimit(extra) {
    if (this.totalCells() + extra > MAX_CELLS) {
      throw new ScriptException(`This action would increase the number of cells in the workbook above the limit of ${MAX_CELLS} cells.`);
    }
  }

  /** Value a script reads from a cell: stored value or the formula's result. */
  valueAt(sheet, row, col, depth = 0) {
    const c = sheet.cell(row, col);
    if (!c) return undefined;
    if (c.f) {
      if (depth > 64) return UNSUPPORTED;
      return evaluateFormula(c.f, (r, k) => this.valueAt(sheet, r, k, depth + 1));
    }
    return c.v;
  }

  /** Inserts `n` empty rows before row `before`. */
  insertRows(sheet, before, n) {
    this.checkCellLimit(n * sheet.maxCols);
    if (sheet.rows.length > before - 1) sheet.rows = insertHoles(sheet.rows, before - 1, n);
    sheet.maxRows += n;
    sheet.reshapeFilter('rowsInserted', before, n);
    // Row metadata stays with its row.
    for (const m of sheet.rowMetadata) if (m.row >= before) m.row += n;
    this.touched();
  }

  /** Deletes `n` rows starting at `row`. */
  deleteRows(sheet, row, n) {
    if (row + n - 1 > sheet.maxRows) throw new ScriptException('Those rows are out of bounds.');
    if (n >= sheet.maxRows - sheet.frozenRows) {
      throw new ScriptException('Sorry, it is not possible to delete all non-frozen rows.');
    }
    sheet.rows.splice(row - 1, n);
    sheet.maxRows -= n;
    sheet.reshapeFilter('rowsDeleted', row, n);
    // A deleted row's metadata goes with it; the metadata of rows below moves up with them.
    sheet.rowMetadata = sheet.rowMetadata.filter((m) => m.row < row || m.row >= row + n);
    for (const m of sheet.rowMetadata) if (m.row >= row + n) m.row -= n;
    this.touched();
  }

  /** Inserts `n` empty columns before column `before`. */
  insertColumns(sheet, before, n) {
    if (sheet.maxCols + n > MAX_COLUMNS) {
      throw new ScriptException(`This action would increase the number of columns in the sheet above the limit of ${MAX_COLUMNS}.`);
    }
    this.checkCellLimit(n * sheet.maxRows);
    sheet.rows = sheet.rows.map((r) => (r && r.length > before - 1 ? insertHoles(r, before - 1, n) : r));
    sheet.maxCols += n;
    sheet.reshapeFilter('columnsInserted', before, n);
    this.touched();
  }

  /** Deletes `n` columns starting at `col`. */
  deleteColumns(sheet, col, n) {
    if (col + n - 1 > sheet.maxCols) throw new ScriptException('Those columns are out of bounds.');
    if (n >= sheet.maxCols) throw new ScriptException('Sorry, it is not possible to delete all columns.');
    for (const r of sheet.rows) if (r) r.splice(col - 1, n);
    sheet.maxCols -= n;
    sheet.reshapeFilter('columnsDeleted', col, n);
    this.touched();
  }

  /**
   * Sorts rows `first..last` by column `col`. Order as Sheets: numbers, then
   * text (case-insensitive), then booleans; empty cells always last. Stable. Values move,
   * rows do not: row metadata stays at its row number.
   */
  sortRows(sheet, first, last, col, ascending) {
    const block = [];
    for (let r = first; r <= last; r++) block.push(sheet.rows[r - 1]);
    const rank = (v) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
    const keyed = block.map((row, i) => ({ row, i, v: row && row[col - 1] ? this.valueAtRow(sheet, row, first + i, col) : undefined }));
    keyed.sort((a, b) => {
      const ae = a.v === undefined || a.v === '';
      const be = b.v === undefined || b.v === '';
      if (ae || be) return ae === be ? a.i - b.i : ae ? 1 : -1;
      let d = rank(a.v) - rank(b.v);
      if (d === 0) {
        if (typeof a.v === 'string') d = a.v.toLowerCase() < b.v.toLowerCase() ? -1 : a.v.toLowerCase() > b.v.toLowerCase() ? 1 : 0;
        else d = Number(a.v) - Number(b.v);
      }
      if (!ascending) d = -d;
      return d === 0 ? a.i - b.i : d;
    });
    keyed.forEach((k, i) => {
      sheet.rows[first - 1 + i] = k.row;
    });
    this.touched();
  }

  valueAtRow(sheet, row, rowNumber, col) {
    const c = row[col - 1];
    return c.f ? this.valueAt(sheet, rowNumber, col) : c.v;
  }
}

module.exports = { SheetModel, SpreadsheetModel, MAX_CELLS, MAX_CELL_CHARS };
