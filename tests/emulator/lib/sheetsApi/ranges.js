'use strict';
// A1 ranges as the Sheets API reads and writes them. A range names its sheet
// (`Sheet1!A1:B2`, `'My sheet'!A:A`), or is only a sheet name (the whole sheet), or only cells
// (the first sheet). Responses give the range back in Google's form: the sheet name first,
// quoted only when it needs quotes, and the block clamped to the grid.

const { splitSheetName, parseRangeRef, toA1, columnToLetters } = require('../a1');
const { invalidArgument } = require('./googleErrors');

/**
 * A parsed range: its sheet, its first row and column (1-based) and its size. `wholeSheet`
 * and `singleCell` say how it was written: for a write, either is only where the data starts.
 */
class ApiRange {
  constructor(sheet, row, col, numRows, numCols, { wholeSheet = false, singleCell = false } = {}) {
    this.sheet = sheet;
    this.row = row;
    this.col = col;
    this.numRows = numRows;
    this.numCols = numCols;
    this.wholeSheet = wholeSheet;
    this.singleCell = singleCell;
  }

  /** True when the text gave only where a write starts, not how far it may go. */
  get isAnchor() {
    return this.wholeSheet || this.singleCell;
  }

  get lastRow() {
    return this.row + this.numRows - 1;
  }

  get lastCol() {
    return this.col + this.numCols - 1;
  }

  /** Google's A1 text of this block on its sheet. */
  toString() {
    return formatRange(this.sheet, this.row, this.col, this.numRows, this.numCols);
  }
}

/** The sheet name as Google writes it in a range: bare when plain, else in quotes. */
function quoteSheetName(name) {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !/^[A-Za-z]{1,3}\d+$/.test(name) && !/^[Rr]\d*[Cc]\d*$/.test(name);
  return plain ? name : `'${name.replace(/'/g, "''")}'`;
}

/** `Sheet1!A1:B2` (or `Sheet1!A1` for one cell). */
function formatRange(sheet, row, col, numRows, numCols) {
  return `${quoteSheetName(sheet.name)}!${toA1(row, col, numRows, numCols)}`;
}

/** Google's text for a block that starts (or, written, ends) outside the grid. */
function gridLimitsError(sheet, row, col) {
  return invalidArgument(`Range (${quoteSheetName(sheet.name)}!${columnToLetters(col)}${row}) exceeds grid limits. Max rows: ${sheet.maxRows}, max columns: ${sheet.maxCols}`);
}

/** The sheet a whole-sheet reference names (`Sheet1` or `'My sheet'`), or null. */
function sheetNamed(ss, text) {
  let name = text;
  if (name.length > 1 && name.startsWith("'") && name.endsWith("'")) name = name.slice(1, -1).replace(/''/g, "'");
  return ss.sheetByName(name);
}

/**
 * Parses `text` against the spreadsheet model `ss`. Throws Google's 400 "Unable to parse
 * range" when the sheet does not exist or the cells are not A1 notation, and its grid-limits
 * 400 when the block starts outside the grid. The block's end is clamped to the grid (a read
 * of `A1:Z5000` on a 1000-row sheet reads 1000 rows).
 */
function parseApiRange(ss, text) {
  if (typeof text !== 'string' || text.trim() === '') throw invalidArgument(`Unable to parse range: ${text ?? ''}`);
  const unparsable = () => invalidArgument(`Unable to parse range: ${text}`);
  const whole = sheetNamed(ss, text);
  if (whole) return new ApiRange(whole, 1, 1, whole.maxRows, whole.maxCols, { wholeSheet: true });
  const { sheetName, ref } = splitSheetName(text);
  const sheet = sheetName === null ? ss.sheets[0] : ss.sheetByName(sheetName);
  if (!sheet || /[^A-Za-z0-9$:\s]/.test(ref)) throw unparsable();
  const block = parseRangeRef(ref, sheet.maxRows, sheet.maxCols);
  if (!block) throw unparsable();
  if (block.row > sheet.maxRows || block.col > sheet.maxCols) throw gridLimitsError(sheet, block.row, block.col);
  const numRows = Math.min(block.numRows, sheet.maxRows - block.row + 1);
  const numCols = Math.min(block.numCols, sheet.maxCols - block.col + 1);
  return new ApiRange(sheet, block.row, block.col, numRows, numCols, { singleCell: !ref.includes(':') });
}

module.exports = { ApiRange, parseApiRange, formatRange, quoteSheetName, gridLimitsError };
