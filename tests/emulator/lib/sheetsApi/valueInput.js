'use strict';
// How values written through spreadsheets.values.update, batchUpdate and append reach cells
// (ValueInputOption): RAW stores each value as it is (a string stays text, even "=1+2" or
// "007"); USER_ENTERED treats a string as text typed into the UI (numbers, dates, booleans,
// percentages, formulas; a leading ' keeps the rest as text). Numbers and booleans stay as
// they are under both. In a ValueRange, null leaves a cell alone and "" empties it.
//
// A write is planned first (every check that can refuse it) and applied after, so a request
// that fails changes nothing, as Google applies each request atomically.

const { enteredText } = require('../cellValues');
const { MAX_CELL_CHARS } = require('../grid');
const { columnToLetters } = require('../a1');
const { ApiRange, gridLimitsError } = require('./ranges');
const { invalidArgument } = require('./googleErrors');
const { enumOption, DIMENSIONS } = require('./valueRender');

const VALUE_INPUT_OPTIONS = ['RAW', 'USER_ENTERED'];

/** The request's ValueInputOption; Google refuses a write that leaves it out. */
function inputOption(value) {
  if (value === undefined || value === null || value === '' || value === 'INPUT_VALUE_OPTION_UNSPECIFIED') {
    throw invalidArgument('Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED');
  }
  return enumOption(value, 'value_input_option', 'ValueInputOption', VALUE_INPUT_OPTIONS, null);
}

/** `values` of a ValueRange as row-major lines (COLUMNS input is turned around). */
function rowLines(valueRange, refuse) {
  if (!valueRange || typeof valueRange !== 'object' || Array.isArray(valueRange)) throw refuse('the body must be a ValueRange object');
  const values = valueRange.values === undefined ? [] : valueRange.values;
  if (!Array.isArray(values) || values.some((line) => !Array.isArray(line))) {
    throw refuse('values must be an array of arrays');
  }
  values.forEach((line, i) => line.forEach((v, j) => {
    const ok = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    if (!ok) throw refuse(`values[${i}][${j}] must be a string, number, boolean or null, got ${JSON.stringify(v)}`);
    if (typeof v === 'string' && v.length > MAX_CELL_CHARS) {
      throw refuse(`Your input contains more than the maximum of ${MAX_CELL_CHARS} characters in a single cell.`);
    }
  }));
  const dimension = enumOption(valueRange.majorDimension, 'major_dimension', 'Dimension', DIMENSIONS, 'ROWS');
  if (dimension === 'ROWS') return values;
  const width = Math.max(0, ...values.map((line) => line.length));
  const rows = [];
  for (let r = 0; r < width; r++) rows.push(values.map((line) => (r < line.length ? line[r] : null)));
  return rows;
}

/**
 * Checks one write of `valueRange` into `range` (an ApiRange) and returns its plan:
 * `{ target, lines }`, `target` being the block the data covers. `prefix` names the request
 * in errors (`Invalid data[1]: `), as Google does in a batch.
 */
function planWrite(range, valueRange, prefix = '') {
  const refuse = (message) => invalidArgument(prefix + message);
  const lines = rowLines(valueRange, refuse);
  const height = lines.length;
  const width = Math.max(0, ...lines.map((line) => line.length));
  if (!range.isAnchor) {
    if (height > range.numRows) {
      throw refuse(`Requested writing within range [${range}], but tried writing to row [${range.row + range.numRows}]`);
    }
    if (width > range.numCols) {
      throw refuse(`Requested writing within range [${range}], but tried writing to column [${columnToLetters(range.col + range.numCols)}]`);
    }
  }
  const { sheet } = range;
  if (range.row + height - 1 > sheet.maxRows || range.col + width - 1 > sheet.maxCols) {
    const e = gridLimitsError(sheet, Math.max(range.row, range.row + height - 1), Math.max(range.col, range.col + width - 1));
    throw refuse(e.message);
  }
  const target = new ApiRange(sheet, range.row, range.col, Math.max(1, height), Math.max(1, width));
  return { target, lines, empty: height === 0 };
}

/** The cell patch one value makes under `option`, or null when it leaves the cell alone. */
function patchFor(value, option, old) {
  if (value === null) return null;
  if (value === '') return { v: undefined, f: undefined };
  if (typeof value !== 'string' || option === 'RAW') return { v: value, f: undefined };
  return enteredText(value, old.nf);
}

/** Writes a plan's cells; returns the UpdateValuesResponse fields (zero counts left out, as in Google's JSON). */
function applyWrite(plan, option) {
  const { sheet, row, col } = plan.target;
  let cells = 0;
  const rows = new Set();
  const cols = new Set();
  plan.lines.forEach((line, i) => line.forEach((value, j) => {
    const old = sheet.cell(row + i, col + j) || {};
    const patch = patchFor(value, option, old);
    if (!patch) return;
    sheet.putCell(row + i, col + j, { ...old, ...patch });
    cells++;
    rows.add(i);
    cols.add(j);
  }));
  const out = { updatedRange: plan.target.toString() };
  if (rows.size) out.updatedRows = rows.size;
  if (cols.size) out.updatedColumns = cols.size;
  if (cells) out.updatedCells = cells;
  return out;
}

module.exports = { inputOption, planWrite, applyWrite, rowLines };
