'use strict';
// spreadsheets.get and spreadsheets.batchUpdate. The Spreadsheet resource carries the file's
// properties (title, locale, timeZone) and each sheet's properties (sheetId, title, index,
// gridProperties) and row developer metadata. batchUpdate runs its requests in order and is
// atomic: every request is checked against the sizes the earlier ones leave before any runs.

const { MAX_COLUMNS } = require('../a1');
const { MAX_CELLS } = require('../grid');
const { invalidArgument } = require('./googleErrors');
const { applyFieldMask } = require('./fieldMask');
const { enumOption } = require('./valueRender');

/** The emulator models en_US only (typed input and display), so that is the locale. */
const LOCALE = 'en_US';

/** A row's developer metadata as a DeveloperMetadata resource. */
function metadataResource(sheet, entry) {
  const out = {
    metadataId: entry.id,
    metadataKey: entry.key,
    location: {
      locationType: 'ROW',
      dimensionRange: { sheetId: sheet.id, dimension: 'ROWS', startIndex: entry.row - 1, endIndex: entry.row },
    },
    visibility: 'DOCUMENT',
  };
  if (entry.value !== null) out.metadataValue = entry.value;
  return out;
}

/** The Spreadsheet resource of the model `ss`. */
function spreadsheetResource(ss) {
  return {
    spreadsheetId: ss.id,
    properties: { title: ss.name, locale: LOCALE, autoRecalc: 'ON_CHANGE', timeZone: ss.timeZone },
    sheets: ss.sheets.map((sheet, index) => {
      const gridProperties = { rowCount: sheet.maxRows, columnCount: sheet.maxCols };
      if (sheet.frozenRows) gridProperties.frozenRowCount = sheet.frozenRows;
      const properties = { sheetId: sheet.id, title: sheet.name, index, sheetType: 'GRID', gridProperties };
      if (sheet.hidden) properties.hidden = true;
      const out = { properties };
      if (sheet.rowMetadata.length) out.developerMetadata = sheet.rowMetadata.map((e) => metadataResource(sheet, e));
      return out;
    }),
    spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${ss.id}/edit`,
  };
}

/** GET /v4/spreadsheets/{id}; `fields` narrows the answer, `ranges`/`includeGridData` are refused (not modelled). */
function get({ ss, query }) {
  if (query.includeGridData === 'true' || query.ranges !== undefined) {
    throw invalidArgument('The Sheets API stand-in does not model grid data in spreadsheets.get (includeGridData, ranges); read values with spreadsheets.values.get');
  }
  return applyFieldMask(spreadsheetResource(ss), query.fields);
}

/**
 * Sizes of each sheet as the batch goes, so that every request is checked against the
 * state the earlier requests leave, before anything changes.
 */
class SizePlan {
  constructor(ss) {
    this.sheets = new Map(ss.sheets.map((s) => [s.id, { sheet: s, rows: s.maxRows, cols: s.maxCols, frozen: s.frozenRows }]));
    this.cells = ss.totalCells();
  }

  sheet(sheetId, refuse) {
    const entry = this.sheets.get(sheetId === undefined ? 0 : sheetId);
    if (!entry) throw refuse(`No grid with id: ${sheetId === undefined ? 0 : sheetId}`);
    return entry;
  }

  grow(entry, dimension, n, refuse) {
    const extra = dimension === 'ROWS' ? n * entry.cols : n * entry.rows;
    if (dimension === 'COLUMNS' && entry.cols + n > MAX_COLUMNS) {
      throw refuse(`This action would increase the number of columns in the sheet above the limit of ${MAX_COLUMNS}.`);
    }
    if (this.cells + extra > MAX_CELLS) {
      throw refuse(`This action would increase the number of cells in the workbook above the limit of ${MAX_CELLS} cells.`);
    }
    this.cells += extra;
    if (dimension === 'ROWS') entry.rows += n;
    else entry.cols += n;
  }

  shrink(entry, dimension, n) {
    this.cells -= dimension === 'ROWS' ? n * entry.cols : n * entry.rows;
    if (dimension === 'ROWS') entry.rows -= n;
    else entry.cols -= n;
  }
}

/**
 * A DimensionRange's sheet, dimension and bounds, checked against the plan. An index that is
 * not set is unbounded (startIndex: the first; endIndex: past the last), as the reference
 * says; `boundedEnd` refuses an unset endIndex where "to the end" makes no sense (an insert).
 */
function dimensionRange(plan, range, refuse, { boundedEnd = false } = {}) {
  if (!range || typeof range !== 'object') throw refuse('range is required');
  const entry = plan.sheet(range.sheetId, refuse);
  const dimension = enumOption(range.dimension, 'dimension', 'Dimension', ['ROWS', 'COLUMNS'], null);
  if (!dimension) throw refuse('range.dimension is required (ROWS or COLUMNS)');
  const size = dimension === 'ROWS' ? entry.rows : entry.cols;
  if (boundedEnd && range.endIndex === undefined) throw refuse('range.endIndex is required');
  const start = range.startIndex === undefined ? 0 : range.startIndex;
  const end = range.endIndex === undefined ? size : range.endIndex;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) {
    throw refuse(`range must have 0 <= startIndex < endIndex, got startIndex ${range.startIndex}, endIndex ${range.endIndex}`);
  }
  return { entry, dimension, start, end, n: end - start, size };
}

/**
 * Patterns for a NumberFormat that names its type but no pattern (the reference: "a default
 * pattern based on the user's locale"); the emulator's locale is en_US. Observed, not documented.
 */
const DEFAULT_PATTERNS = {
  TEXT: '@', NUMBER: '#,##0.00', PERCENT: '0.00%', CURRENCY: '"$"#,##0.00',
  DATE: 'm/d/yyyy', TIME: 'h:mm:ss am/pm', DATE_TIME: 'm/d/yyyy h:mm:ss', SCIENTIFIC: '0.00E+00',
};

/** The fields of repeatCell the stand-in models: the number format, and nothing else of the cell. */
const NUMBER_FORMAT_FIELDS = ['userEnteredFormat.numberFormat', 'userEnteredFormat.numberFormat.type,userEnteredFormat.numberFormat.pattern', 'userEnteredFormat', '*'];

/** A GridRange's sheet and 1-based block, checked against the plan; unset indexes are unbounded. */
function gridRange(plan, range, refuse) {
  if (!range || typeof range !== 'object') throw refuse('range is required');
  const entry = plan.sheet(range.sheetId, refuse);
  const bound = (start, end, size, what) => {
    const a = start === undefined ? 0 : start;
    const b = end === undefined ? size : end;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b <= a || b > size) {
      throw refuse(`range ${what} indexes ${start}..${end} are not within the sheet's ${size}`);
    }
    return [a + 1, b - a];
  };
  const [row, numRows] = bound(range.startRowIndex, range.endRowIndex, entry.rows, 'row');
  const [col, numCols] = bound(range.startColumnIndex, range.endColumnIndex, entry.cols, 'column');
  return { sheet: entry.sheet, row, col, numRows, numCols };
}

/** Each request kind: check it against the plan and return the change and its reply. */
const REQUESTS = {
  insertDimension(ss, plan, req, refuse) {
    const r = dimensionRange(plan, req.range, refuse, { boundedEnd: true });
    if (r.start > r.size) throw refuse(`range.startIndex ${r.start} is past the end of the sheet (${r.size} ${r.dimension.toLowerCase()})`);
    if (req.inheritFromBefore && r.start === 0) throw refuse('inheritFromBefore needs a startIndex greater than 0 (there is nothing before the first)');
    plan.grow(r.entry, r.dimension, r.n, refuse);
    return () => (r.dimension === 'ROWS' ? ss.insertRows(r.entry.sheet, r.start + 1, r.n) : ss.insertColumns(r.entry.sheet, r.start + 1, r.n));
  },
  deleteDimension(ss, plan, req, refuse) {
    const r = dimensionRange(plan, req.range, refuse);
    if (r.end > r.size) throw refuse(`Cannot delete ${r.dimension.toLowerCase()} up to index ${r.end}: the sheet has only ${r.size}.`);
    if (r.dimension === 'ROWS' && r.n >= r.size - r.entry.frozen) throw refuse("You can't delete all the rows on the sheet.");
    if (r.dimension === 'COLUMNS' && r.n >= r.size) throw refuse("You can't delete all the columns on the sheet.");
    plan.shrink(r.entry, r.dimension, r.n);
    return () => (r.dimension === 'ROWS' ? ss.deleteRows(r.entry.sheet, r.start + 1, r.n) : ss.deleteColumns(r.entry.sheet, r.start + 1, r.n));
  },
  appendDimension(ss, plan, req, refuse) {
    const entry = plan.sheet(req.sheetId, refuse);
    const dimension = enumOption(req.dimension, 'dimension', 'Dimension', ['ROWS', 'COLUMNS'], null);
    if (!dimension) throw refuse('dimension is required (ROWS or COLUMNS)');
    if (!Number.isInteger(req.length) || req.length < 1) throw refuse(`length must be a positive integer, got ${req.length}`);
    plan.grow(entry, dimension, req.length, refuse);
    const { sheet } = entry;
    return () => (dimension === 'ROWS' ? ss.insertRows(sheet, sheet.maxRows + 1, req.length) : ss.insertColumns(sheet, sheet.maxCols + 1, req.length));
  },
  repeatCell(ss, plan, req, refuse) {
    const fields = String(req.fields || '').replace(/\s+/g, '');
    if (!NUMBER_FORMAT_FIELDS.includes(fields)) {
      throw refuse(`the Sheets API stand-in models repeatCell of userEnteredFormat.numberFormat only, got fields ${JSON.stringify(req.fields)}`);
    }
    const g = gridRange(plan, req.range, refuse);
    const format = req.cell && req.cell.userEnteredFormat && req.cell.userEnteredFormat.numberFormat;
    let nf;
    if (format) {
      if (!(format.type in DEFAULT_PATTERNS)) throw refuse(`cell.userEnteredFormat.numberFormat.type must be one of ${Object.keys(DEFAULT_PATTERNS).join(', ')}, got ${JSON.stringify(format.type)}`);
      nf = typeof format.pattern === 'string' && format.pattern !== '' ? format.pattern : DEFAULT_PATTERNS[format.type];
    }
    return () => {
      // No numberFormat in the cell with the field named: the format goes back to automatic.
      for (let r = g.row; r < g.row + g.numRows; r++) {
        for (let c = g.col; c < g.col + g.numCols; c++) g.sheet.putCell(r, c, { ...(g.sheet.cell(r, c) || {}), nf });
      }
    };
  },
  createDeveloperMetadata(ss, plan, req, refuse) {
    const md = req.developerMetadata || {};
    if (typeof md.metadataKey !== 'string' || md.metadataKey === '') throw refuse('developerMetadata.metadataKey is required');
    const range = md.location && md.location.dimensionRange;
    const r = dimensionRange(plan, range, refuse, { boundedEnd: true });
    if (r.dimension !== 'ROWS' || r.n !== 1) {
      throw refuse('The Sheets API stand-in models developer metadata on one whole row only (a ROWS dimensionRange of one row)');
    }
    if (r.end > r.size) throw refuse(`Row index ${r.start} is past the end of the sheet (${r.size} rows)`);
    const value = md.metadataValue === undefined || md.metadataValue === null ? null : String(md.metadataValue);
    return () => {
      ss.nextMetadataId = (ss.nextMetadataId || 0) + 1;
      const entry = { id: ss.nextMetadataId, key: md.metadataKey, value, row: r.start + 1 };
      r.entry.sheet.rowMetadata.push(entry);
      return { createDeveloperMetadata: { developerMetadata: metadataResource(r.entry.sheet, entry) } };
    };
  },
  deleteDeveloperMetadata(ss, plan, req, refuse) {
    const lookup = req.dataFilter && req.dataFilter.developerMetadataLookup;
    if (!lookup || (lookup.metadataId === undefined && lookup.metadataKey === undefined && lookup.metadataValue === undefined)) {
      throw refuse('dataFilter.developerMetadataLookup with metadataId, metadataKey or metadataValue is required');
    }
    const matches = (e) => (lookup.metadataId === undefined || e.id === lookup.metadataId)
      && (lookup.metadataKey === undefined || e.key === lookup.metadataKey)
      && (lookup.metadataValue === undefined || e.value === lookup.metadataValue);
    return () => {
      const deleted = [];
      for (const sheet of ss.sheets) {
        for (const e of sheet.rowMetadata.filter(matches)) deleted.push(metadataResource(sheet, e));
        sheet.rowMetadata = sheet.rowMetadata.filter((e) => !matches(e));
      }
      return { deleteDeveloperMetadata: { deletedDeveloperMetadata: deleted } };
    };
  },
};

/** POST /v4/spreadsheets/{id}:batchUpdate */
function batchUpdate({ ss, body }) {
  const requests = body && body.requests !== undefined ? body.requests : [];
  if (!Array.isArray(requests)) throw invalidArgument('Invalid requests: requests must be an array of Request');
  const plan = new SizePlan(ss);
  const changes = requests.map((req, i) => {
    const kinds = req && typeof req === 'object' ? Object.keys(req) : [];
    if (kinds.length !== 1) throw invalidArgument(`Invalid requests[${i}]: a request must set exactly one kind, got ${JSON.stringify(kinds)}`);
    const kind = kinds[0];
    const refuse = (message) => invalidArgument(`Invalid requests[${i}].${kind}: ${message}`);
    if (!REQUESTS[kind]) throw refuse('this request kind is not modelled by the Sheets API stand-in (see tests/emulator/README.md)');
    return REQUESTS[kind](ss, plan, req[kind] || {}, refuse);
  });
  const replies = changes.map((change) => {
    const reply = change();
    return reply && typeof reply === 'object' && !Array.isArray(reply) ? reply : {};
  });
  const out = { spreadsheetId: ss.id, replies };
  if (body && body.includeSpreadsheetInResponse) out.updatedSpreadsheet = spreadsheetResource(ss);
  return out;
}

module.exports = { get, batchUpdate, spreadsheetResource };
