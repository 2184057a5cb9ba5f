'use strict';
// A sheet's basic filter (Data → Create a filter): the range it covers and the criteria of
// its columns. A filter only hides rows from view: getValues still returns them and setValues
// still writes into them. Which rows are hidden is worked out from the criteria and the cells
// as they are now, so it follows sorting, inserted rows and new values.

const { displayOf } = require('./cellValues');

/** Criteria as FilterCriteriaBuilder makes them: values to hide, and one condition. */
function emptyCriteria() {
  return { hiddenValues: null, type: null, values: [] };
}

/** Whether a cell with `value` shown as `text` passes `c`. */
function passes(c, value, text) {
  if (c.hiddenValues && c.hiddenValues.includes(text)) return false;
  switch (c.type) {
    case null:
      return true;
    case 'TEXT_EQUAL_TO':
      return text === String(c.values[0]);
    case 'TEXT_CONTAINS':
      return text.toLowerCase().includes(String(c.values[0]).toLowerCase());
    case 'CELL_EMPTY':
      return text === '';
    case 'CELL_NOT_EMPTY':
      return text !== '';
    case 'NUMBER_GREATER_THAN':
      return typeof value === 'number' && value > Number(c.values[0]);
    default:
      return true;
  }
}

/** The filter of one sheet: rows `row..lastRow` (the first is the header), columns `col..lastCol`. */
class FilterModel {
  constructor(row, col, numRows, numCols) {
    this.row = row;
    this.col = col;
    this.numRows = numRows;
    this.numCols = numCols;
    /** column position (1-based, in the sheet) → criteria */
    this.criteria = new Map();
  }

  get lastRow() {
    return this.row + this.numRows - 1;
  }

  get lastCol() {
    return this.col + this.numCols - 1;
  }

  coversColumn(col) {
    return col >= this.col && col <= this.lastCol;
  }

  /** Whether the filter hides sheet row `r`; the header row never is. */
  hides(ss, sheet, r) {
    if (r <= this.row || r > this.lastRow) return false;
    for (const [col, c] of this.criteria) {
      const value = ss.valueAt(sheet, r, col);
      const cell = sheet.cell(r, col);
      if (!passes(c, value, displayOf(value, cell && cell.nf))) return true;
    }
    return false;
  }

  /**
   * `n` rows were inserted before row `before`: rows above the header move the filter down,
   * rows inside its data grow it. Answers false when the filter is gone (never, here).
   */
  rowsInserted(before, n) {
    if (before <= this.row) this.row += n;
    else if (before <= this.lastRow) this.numRows += n;
    return true;
  }

  /** Rows `first..first+n-1` were deleted. Answers false when the header row went with them. */
  rowsDeleted(first, n) {
    const last = first + n - 1;
    if (first <= this.row && last >= this.row) return false;
    if (last < this.row) {
      this.row -= n;
      return true;
    }
    const inside = Math.max(0, Math.min(last, this.lastRow) - Math.max(first, this.row) + 1);
    this.numRows -= inside;
    return true;
  }

  /** `n` columns were inserted before column `before`: the range and criteria move with them. */
  columnsInserted(before, n) {
    if (before <= this.col) this.col += n;
    else if (before <= this.lastCol) this.numCols += n;
    this.criteria = new Map([...this.criteria].map(([c, v]) => [c >= before ? c + n : c, v]));
    return true;
  }

  /** Columns `first..first+n-1` were deleted; their criteria go. False when no column is left. */
  columnsDeleted(first, n) {
    const last = first + n - 1;
    const inside = Math.max(0, Math.min(last, this.lastCol) - Math.max(first, this.col) + 1);
    if (inside === this.numCols) return false;
    if (last < this.col) this.col -= n;
    else {
      this.numCols -= inside;
      if (first < this.col) this.col = first;
    }
    const moved = new Map();
    for (const [c, v] of this.criteria) {
      if (c < first) moved.set(c, v);
      else if (c > last) moved.set(c - n, v);
    }
    this.criteria = moved;
    return true;
  }
}

module.exports = { FilterModel, emptyCriteria, passes };
