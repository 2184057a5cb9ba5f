'use strict';
// SpreadsheetApp.Range: a rectangle of cells on one sheet.

const { ScriptException } = require('../errors');
const { isDate, timeOf } = require('../execution');
const { toA1 } = require('../a1');
const { MAX_CELL_CHARS } = require('../grid');
const { enteredText, isDateFormat, displayOf, GENERAL } = require('../cellValues');
const { serialOfInstant, instantOfSerial, wallMsOf, DAY_MS } = require('../timezone');

/** What getNumberFormat reports for a cell left on automatic formatting. */
const AUTOMATIC_FORMAT_NAME = '0.###############';

function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Object[]';
  if (isDate(v)) return 'Date';
  const t = typeof v;
  return t === 'object' ? 'Object' : t.charAt(0).toUpperCase() + t.slice(1);
}

/** Creates the Range service object for rows/cols of `sheet` (a SheetModel). */
function createRange(exec, sheet, row, col, numRows = 1, numCols = 1) {
  const ss = exec.emu.spreadsheet;
  if (row < 1) throw new ScriptException('The starting row of the range is too small.');
  if (col < 1) throw new ScriptException('The starting column of the range is too small.');
  if (numRows < 1) throw new ScriptException('The number of rows in the range must be at least 1.');
  if (numCols < 1) throw new ScriptException('The number of columns in the range must be at least 1.');
  if (row + numRows - 1 > sheet.maxRows || col + numCols - 1 > sheet.maxCols) {
    throw new ScriptException('The coordinates of the range are outside the dimensions of the sheet.');
  }

  const alive = () => {
    if (!ss.sheets.includes(sheet)) throw new ScriptException(`The sheet ${sheet.name} has been deleted.`);
  };
  const each = (fn) => {
    const out = [];
    for (let r = 0; r < numRows; r++) {
      const line = [];
      for (let c = 0; c < numCols; c++) line.push(fn(row + r, col + c, r, c));
      out.push(line);
    }
    return out;
  };
  const readValue = (r, c) => {
    const v = ss.valueAt(sheet, r, c);
    if (v === undefined) return '';
    const cell = sheet.cell(r, c);
    if (typeof v === 'number' && cell && isDateFormat(cell.nf)) return new exec.realm.Date(instantOfSerial(v, ss.timeZone));
    return v;
  };
  const display = (r, c) => {
    const cell = sheet.cell(r, c);
    return displayOf(ss.valueAt(sheet, r, c), cell && cell.nf);
  };
  const update = (r, c, patch) => {
    const old = sheet.cell(r, c) || {};
    sheet.putCell(r, c, { ...old, ...patch });
  };

  /** Converts one value as setValues would store it: { v, f, nf? } or throws. */
  const storedFor = (value, r, c) => {
    const old = sheet.cell(r, c) || {};
    if (value === null || value === undefined || value === '') return { v: undefined, f: undefined };
    if (isDate(value)) {
      const ms = timeOf(value);
      if (Number.isNaN(ms)) return { v: undefined, f: undefined };
      const midnight = wallMsOf(ms, ss.timeZone) % DAY_MS === 0;
      return { v: serialOfInstant(ms, ss.timeZone), f: undefined, nf: isDateFormat(old.nf) ? old.nf : midnight ? 'm/d/yyyy' : 'm/d/yyyy h:mm:ss' };
    }
    if (typeof value === 'number' || typeof value === 'boolean') return { v: value, f: undefined };
    const text = String(value);
    if (text.length > MAX_CELL_CHARS) {
      throw new ScriptException(`Your input contains more than the maximum of ${MAX_CELL_CHARS} characters in a single cell.`);
    }
    return enteredText(text, old.nf);
  };

  const checkGrid = (values, method) => {
    if (!Array.isArray(values) || values.some((line) => !Array.isArray(line))) {
      throw new ScriptException(`The parameters (${typeName(values)}) don't match the method signature for SpreadsheetApp.Range.${method}.`);
    }
    if (values.length !== numRows) {
      throw new ScriptException(`The number of rows in the data does not match the number of rows in the range. The data has ${values.length} but the range has ${numRows}.`);
    }
    for (const line of values) {
      if (line.length !== numCols) {
        throw new ScriptException(`The number of columns in the data does not match the number of columns in the range. The data has ${line.length} but the range has ${numCols}.`);
      }
    }
  };

  const getSheet = () => require('./sheet').createSheet(exec, sheet);

  const self = exec.service('Range', {
    getValues: () => (alive(), exec.toRealm(each(readValue))),
    getValue: () => (alive(), readValue(row, col)),
    getDisplayValues: () => (alive(), exec.toRealm(each(display))),
    getDisplayValue: () => (alive(), display(row, col)),
    getFormulas: () => (alive(), exec.toRealm(each((r, c) => (sheet.cell(r, c) || {}).f || ''))),
    getFormula: () => (alive(), (sheet.cell(row, col) || {}).f || ''),
    setValues(values) {
      alive();
      checkGrid(values, 'setValues');
      const planned = each((r, c, i, j) => storedFor(values[i][j], r, c));
      each((r, c, i, j) => update(r, c, planned[i][j]));
      return self;
    },
    setValue(value) {
      alive();
      const planned = each((r, c) => storedFor(value, r, c));
      each((r, c, i, j) => update(r, c, planned[i][j]));
      return self;
    },
    setFormula(formula) {
      alive();
      const f = String(formula);
      if (f.length > MAX_CELL_CHARS) throw new ScriptException(`Your input contains more than the maximum of ${MAX_CELL_CHARS} characters in a single cell.`);
      each((r, c) => update(r, c, f === '' ? { v: undefined, f: undefined } : { v: undefined, f: f.startsWith('=') ? f : '=' + f }));
      return self;
    },
    setFormulas(formulas) {
      alive();
      checkGrid(formulas, 'setFormulas');
      each((r, c, i, j) => {
        const f = String(formulas[i][j] ?? '');
        update(r, c, f === '' ? { v: undefined, f: undefined } : { v: undefined, f: f.startsWith('=') ? f : '=' + f });
      });
      return self;
    },
    setNumberFormat(format) {
      alive();
      each((r, c) => update(r, c, { nf: String(format) }));
      return self;
    },
    setNumberFormats(formats) {
      alive();
      checkGrid(formats, 'setNumberFormats');
      each((r, c, i, j) => update(r, c, { nf: String(formats[i][j]) }));
      return self;
    },
    getNumberFormat: () => formatName(sheet.cell(row, col)),
    getNumberFormats: () => exec.toRealm(each((r, c) => formatName(sheet.cell(r, c)))),
    setBackground(color) {
      each((r, c) => update(r, c, { bg: color || undefined }));
      return self;
    },
    setBackgrounds(colors) {
      checkGrid(colors, 'setBackgrounds');
      each((r, c, i, j) => update(r, c, { bg: colors[i][j] || undefined }));
      return self;
    },
    getBackground: () => (sheet.cell(row, col) || {}).bg || '#ffffff',
    getBackgrounds: () => exec.toRealm(each((r, c) => (sheet.cell(r, c) || {}).bg || '#ffffff')),
    setNote(note) {
      each((r, c) => update(r, c, { note: note ? String(note) : undefined }));
      return self;
    },
    getNote: () => (sheet.cell(row, col) || {}).note || '',
    clear() {
      alive();
      each((r, c) => sheet.putCell(r, c, undefined));
      return self;
    },
    clearContent() {
      alive();
      each((r, c) => update(r, c, { v: undefined, f: undefined }));
      return self;
    },
    clearFormat() {
      each((r, c) => update(r, c, { nf: undefined, bg: undefined }));
      return self;
    },
    isBlank: () => each((r, c) => ss.valueAt(sheet, r, c) === undefined && !(sheet.cell(r, c) || {}).f).flat().every(Boolean),
    getRow: () => row,
    getColumn: () => col,
    getLastRow: () => row + numRows - 1,
    getLastColumn: () => col + numCols - 1,
    getNumRows: () => numRows,
    getNumColumns: () => numCols,
    getHeight: () => numRows,
    getWidth: () => numCols,
    getGridId: () => sheet.id,
    getA1Notation: () => toA1(row, col, numRows, numCols),
    getSheet,
    getCell: (r, c) => createRange(exec, sheet, row + r - 1, col + c - 1, 1, 1),
    offset: (dr, dc, nr = numRows, nc = numCols) => createRange(exec, sheet, row + dr, col + dc, nr, nc),
    activate() {
      alive();
      ss.activeSheet = sheet;
      ss.activeRange = { sheet, row, col, numRows, numCols };
      return self;
    },
    createFilter() {
      alive();
      return require('./filter').createFilterOn(exec, sheet, row, col, numRows, numCols);
    },
    getFilter() {
      alive();
      return sheet.filter ? require('./filter').createFilter(exec, sheet) : null;
    },
    addDeveloperMetadata(key, value) {
      alive();
      require('./developerMetadata').addRowMetadata(exec, sheet, { row, col, numRows, numCols }, key, value);
      return self;
    },
  });
  exec.models.set(self, { sheet, row, col, numRows, numCols });
  return self;
}

function formatName(cell) {
  const nf = cell && cell.nf;
  return !nf || nf === GENERAL ? AUTOMATIC_FORMAT_NAME : nf;
}

module.exports = { createRange, AUTOMATIC_FORMAT_NAME };
