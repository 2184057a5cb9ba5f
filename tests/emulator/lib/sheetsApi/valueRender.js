'use strict';
// How a cell reads through spreadsheets.values.get and batchGet. Three render options
// (ValueRenderOption): FORMATTED_VALUE, the text the cell shows (the default); UNFORMATTED_VALUE,
// the calculated value with its type; FORMULA, the formula where there is one. Dates and times
// are numbers in the sheet; with an unformatted render, DateTimeRenderOption gives them as
// serial numbers (SERIAL_NUMBER, the default) or as shown (FORMATTED_STRING), and it is
// ignored under FORMATTED_VALUE. The reply leaves out trailing empty rows and cells.

const { displayOf, isDateFormat } = require('../cellValues');
const { invalidArgument } = require('./googleErrors');

const VALUE_RENDER_OPTIONS = ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'];
const DATE_TIME_RENDER_OPTIONS = ['SERIAL_NUMBER', 'FORMATTED_STRING'];
const DIMENSIONS = ['ROWS', 'COLUMNS'];

/**
 * Checks one enum query parameter; absent gives `fallback`. Google's text for a value
 * outside the enum names the field and the enum's proto type.
 */
function enumOption(value, field, protoType, allowed, fallback) {
  if (value === undefined || value === null || value === '') return fallback;
  if (!allowed.includes(value)) {
    throw invalidArgument(`Invalid value at '${field}' (type.googleapis.com/google.apps.sheets.v4.${protoType}), "${value}"`);
  }
  return value;
}

/** The render options of a read, from its query (`valueRenderOption`, `dateTimeRenderOption`, `majorDimension`). */
function readOptions(query) {
  return {
    valueRender: enumOption(query.valueRenderOption, 'value_render_option', 'ValueRenderOption', VALUE_RENDER_OPTIONS, 'FORMATTED_VALUE'),
    dateTimeRender: enumOption(query.dateTimeRenderOption, 'date_time_render_option', 'DateTimeRenderOption', DATE_TIME_RENDER_OPTIONS, 'SERIAL_NUMBER'),
    majorDimension: enumOption(query.majorDimension, 'major_dimension', 'Dimension', DIMENSIONS, 'ROWS'),
  };
}

/** One cell as the API gives it, or undefined when it is empty. */
function renderCell(ss, sheet, row, col, options) {
  const cell = sheet.cell(row, col);
  if (!cell) return undefined;
  if (options.valueRender === 'FORMULA' && cell.f) return cell.f;
  const value = ss.valueAt(sheet, row, col);
  if (value === undefined || value === '') return undefined;
  if (options.valueRender === 'FORMATTED_VALUE') return displayOf(value, cell.nf);
  if (typeof value === 'number' && isDateFormat(cell.nf) && options.dateTimeRender === 'FORMATTED_STRING') {
    return displayOf(value, cell.nf);
  }
  return value;
}

/** Drops trailing empty cells from each line, then trailing empty lines; inner gaps read "". */
function trimmed(lines) {
  const out = lines.map((line) => {
    let end = line.length;
    while (end > 0 && line[end - 1] === undefined) end--;
    return line.slice(0, end).map((v) => (v === undefined ? '' : v));
  });
  while (out.length > 0 && out[out.length - 1].length === 0) out.pop();
  return out;
}

/** A ValueRange for `range` (an ApiRange): `values` is left out when nothing is there, as Google does. */
function readValueRange(ss, range, options) {
  const lines = [];
  const byColumns = options.majorDimension === 'COLUMNS';
  // Past the sheet's last row and column everything is empty and would be trimmed anyway.
  const numRows = Math.max(0, Math.min(range.numRows, range.sheet.lastRow() - range.row + 1));
  const numCols = Math.max(0, Math.min(range.numCols, range.sheet.lastColumn() - range.col + 1));
  const outer = byColumns ? numCols : numRows;
  const inner = byColumns ? numRows : numCols;
  for (let i = 0; i < outer; i++) {
    const line = new Array(inner);
    for (let j = 0; j < inner; j++) {
      line[j] = byColumns
        ? renderCell(ss, range.sheet, range.row + j, range.col + i, options)
        : renderCell(ss, range.sheet, range.row + i, range.col + j, options);
    }
    lines.push(line);
  }
  const values = trimmed(lines);
  const out = { range: range.toString(), majorDimension: options.majorDimension };
  if (values.length > 0) out.values = values;
  return out;
}

module.exports = { readOptions, readValueRange, enumOption, DIMENSIONS };
