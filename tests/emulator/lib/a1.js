'use strict';
// A1 notation: "B3", "A1:C10", "A:A", "2:5", "'My sheet'!A1:B2".

const MAX_COLUMNS = 18278; // ZZZ

/** Column number (1-based) to letters: 1 → "A", 27 → "AA". */
function columnToLetters(col) {
  let s = '';
  let n = col;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Letters to column number: "AA" → 27. */
function lettersToColumn(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** Splits "'Sheet 1'!A1:B2" into { sheetName, ref }; sheetName is null when absent. */
function splitSheetName(notation) {
  const bang = notation.lastIndexOf('!');
  if (bang < 0) return { sheetName: null, ref: notation };
  let name = notation.slice(0, bang);
  if (name.startsWith("'") && name.endsWith("'")) name = name.slice(1, -1).replace(/''/g, "'");
  return { sheetName: name, ref: notation.slice(bang + 1) };
}

const CELL = /^\$?([A-Za-z]{1,3})?\$?(\d+)?$/;

/**
 * Parses a range reference (no sheet name) against a sheet's size.
 * Returns { row, col, numRows, numCols } or null when the text is not A1 notation.
 */
function parseRangeRef(ref, maxRows, maxCols) {
  const parts = ref.trim().split(':');
  if (parts.length > 2 || parts[0] === '') return null;
  const a = CELL.exec(parts[0]);
  const b = parts.length === 2 ? CELL.exec(parts[1]) : a;
  if (!a || !b) return null;
  if ((!a[1] && !a[2]) || (!b[1] && !b[2])) return null;
  if (parts.length === 1 && (!a[1] || !a[2])) return null;
  const r1 = a[2] ? Number(a[2]) : 1;
  const r2 = b[2] ? Number(b[2]) : maxRows;
  const c1 = a[1] ? lettersToColumn(a[1]) : 1;
  const c2 = b[1] ? lettersToColumn(b[1]) : maxCols;
  if (r1 < 1 || r2 < 1) return null;
  const row = Math.min(r1, r2);
  const col = Math.min(c1, c2);
  return { row, col, numRows: Math.abs(r2 - r1) + 1, numCols: Math.abs(c2 - c1) + 1 };
}

/** A1 text of a block: "B2" for one cell, "B2:C4" otherwise. */
function toA1(row, col, numRows = 1, numCols = 1) {
  const start = columnToLetters(col) + row;
  if (numRows === 1 && numCols === 1) return start;
  return `${start}:${columnToLetters(col + numCols - 1)}${row + numRows - 1}`;
}

module.exports = { MAX_COLUMNS, columnToLetters, lettersToColumn, splitSheetName, parseRangeRef, toA1 };
