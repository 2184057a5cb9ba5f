'use strict';
// The spreadsheets.values methods: get, batchGet, update, batchUpdate and append. Each
// handler takes the call (`ss`, the spreadsheet model; `rangeText`; `query`; `body`) and
// returns the response body Google documents for it; refusals are thrown as GoogleApiError.

const { ApiRange, parseApiRange } = require('./ranges');
const { readOptions, readValueRange, enumOption } = require('./valueRender');
const { inputOption, planWrite, applyWrite, rowLines } = require('./valueInput');
const { invalidArgument } = require('./googleErrors');
const { ScriptException } = require('../errors');

/** Runs a model change that may hit a workbook limit; the limit's text becomes a 400. */
function withinLimits(prefix, change) {
  try {
    return change();
  } catch (e) {
    if (e instanceof ScriptException) throw invalidArgument(prefix + e.message);
    throw e;
  }
}

/** GET …/values/{range} */
function get({ ss, rangeText, query }) {
  const options = readOptions(query);
  return readValueRange(ss, parseApiRange(ss, rangeText), options);
}

/** GET …/values:batchGet?ranges=…&ranges=… : one ValueRange per range, in order. */
function batchGet({ ss, query }) {
  const options = readOptions(query);
  const texts = query.ranges === undefined ? [] : [].concat(query.ranges);
  const ranges = texts.map((text) => parseApiRange(ss, text));
  const out = { spreadsheetId: ss.id };
  if (ranges.length) out.valueRanges = ranges.map((range) => readValueRange(ss, range, options));
  return out;
}

/** PUT …/values/{range}?valueInputOption=… with a ValueRange body. */
function update({ ss, rangeText, query, body }) {
  const option = inputOption(query.valueInputOption);
  const range = parseApiRange(ss, rangeText);
  const valueRange = body === undefined ? {} : body;
  if (valueRange && valueRange.range !== undefined && parseApiRange(ss, valueRange.range).toString() !== range.toString()) {
    throw invalidArgument(`The range in the body [${valueRange.range}] is not the range in the URL [${rangeText}]`);
  }
  const plan = planWrite(range, valueRange);
  return { spreadsheetId: ss.id, ...applyWrite(plan, option) };
}

/** POST …/values:batchUpdate: every ValueRange of `data` is checked before any is written. */
function batchUpdate({ ss, body }) {
  const request = body || {};
  const option = inputOption(request.valueInputOption);
  const data = request.data === undefined ? [] : request.data;
  if (!Array.isArray(data)) throw invalidArgument('Invalid data: data must be an array of ValueRange');
  const plans = data.map((valueRange, i) => {
    const prefix = `Invalid data[${i}]: `;
    let range;
    try {
      range = parseApiRange(ss, valueRange && valueRange.range);
    } catch (e) {
      throw invalidArgument(prefix + e.message);
    }
    return planWrite(range, valueRange, prefix);
  });
  const responses = plans.map((plan) => ({ spreadsheetId: ss.id, ...applyWrite(plan, option) }));
  const total = (field) => responses.reduce((n, r) => n + (r[field] || 0), 0);
  const out = { spreadsheetId: ss.id };
  const totals = {
    totalUpdatedRows: total('updatedRows'),
    totalUpdatedColumns: total('updatedColumns'),
    totalUpdatedCells: total('updatedCells'),
    totalUpdatedSheets: new Set(plans.filter((p, i) => responses[i].updatedCells).map((p) => p.target.sheet)).size,
  };
  for (const [k, v] of Object.entries(totals)) if (v) out[k] = v;
  if (responses.length) out.responses = responses;
  return out;
}

/**
 * The table `range` finds for an append: its first row holding anything in the range's
 * columns (within the range), and every row after it down to the first empty one. Null when
 * the range holds nothing.
 */
function tableIn(range) {
  const { sheet } = range;
  const filled = (r) => {
    for (let c = range.col; c <= range.lastCol; c++) {
      const cell = sheet.cell(r, c);
      if (cell && (cell.v !== undefined || cell.f)) return true;
    }
    return false;
  };
  let first = range.row;
  while (first <= range.lastRow && !filled(first)) first++;
  if (first > range.lastRow) return null;
  let last = first;
  while (last < sheet.maxRows && filled(last + 1)) last++;
  return new ApiRange(sheet, first, range.col, last - first + 1, range.numCols);
}

/**
 * POST …/values/{range}:append: writes the rows below the table the range finds, starting in
 * its first column. OVERWRITE (the default) writes into the rows there and adds rows at the
 * end of the sheet when it runs out; INSERT_ROWS inserts rows for the new data first.
 */
function append({ ss, rangeText, query, body }) {
  const option = inputOption(query.valueInputOption);
  const insert = enumOption(query.insertDataOption, 'insert_data_option', 'InsertDataOption', ['OVERWRITE', 'INSERT_ROWS'], 'OVERWRITE');
  const range = parseApiRange(ss, rangeText);
  const lines = rowLines(body === undefined ? {} : body, (m) => invalidArgument(m));
  const table = tableIn(range);
  const start = table ? table.lastRow + 1 : range.row;
  const height = lines.length;
  const width = Math.max(0, ...lines.map((line) => line.length));
  const { sheet } = range;
  withinLimits('', () => {
    if (height && insert === 'INSERT_ROWS' && start <= sheet.maxRows) ss.insertRows(sheet, start, height);
    const missingRows = start + height - 1 - sheet.maxRows;
    if (missingRows > 0) ss.insertRows(sheet, sheet.maxRows + 1, missingRows);
    const missingCols = range.col + width - 1 - sheet.maxCols;
    if (missingCols > 0) ss.insertColumns(sheet, sheet.maxCols + 1, missingCols);
  });
  const plan = planWrite(new ApiRange(sheet, start, range.col, 1, 1, { singleCell: true }), body === undefined ? {} : body);
  const out = { spreadsheetId: ss.id };
  if (table) out.tableRange = table.toString();
  out.updates = { spreadsheetId: ss.id, ...applyWrite(plan, option) };
  return out;
}

module.exports = { get, batchGet, update, batchUpdate, append, withinLimits };
