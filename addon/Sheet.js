/**
 * The bound sheet, read and written. Reading hands the core getValues()' rows as they are:
 * numbers, strings, booleans and Dates, which the core's loader reads itself (WasmBundle.js:
 * staged as flat arrays, or made {d: ms} for a call that takes the rows another way), so a
 * large sheet costs no object per date cell. Writing applies the core's sheet edits with as
 * few range calls as possible: runs of neighbouring cells in one call, row deletes bottom-up
 * so earlier row numbers stay valid, appends in one block.
 */

/** Row 1 is the header; data starts below it. */
var SHEET_FIRST_DATA_ROW_ = 2;
/** Rows per setValues call when appending. */
var SHEET_WRITE_ROWS_ = 5000;

/** A SheetCell from the core as a value for setValues(). */
function sheetFromCell_(cell) {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'object' && typeof cell.d === 'number') return new Date(cell.d);
  return cell;
}

/**
 * A SheetCell for column `column` (1-based). setValues parses text like typed input unless
 * the cell is plain text ("@"); text the core writes into any other column (a decimal a
 * double would round, an integer past 2^53) must stay text, so it gets the apostrophe a
 * person would type.
 */
function sheetFromCellIn_(cell, column, plainTextColumns) {
  var value = sheetFromCell_(cell);
  if (typeof value === 'string' && value !== '' && !plainTextColumns[column]) return "'" + value;
  return value;
}

function sheetPlainTextColumns_(edits) {
  var plain = {};
  (edits.formats || []).forEach(function (f) {
    if (f.format === '@') plain[f.column] = true;
  });
  return plain;
}

/**
 * The sheet as the core's SheetSnapshot: {headers, rows, firstRow, formulas}. `formulas` is
 * null when no cell holds one, which is the common case and saves a large array.
 */
function sheetReadSnapshot_(sheet) {
  var lastRow = sheet.getLastRow();
  var lastCol = sheet.getLastColumn();
  if (lastRow < 1 || lastCol < 1) {
    return { headers: [], rows: [], firstRow: SHEET_FIRST_DATA_ROW_, formulas: null };
  }
  var range = sheet.getRange(1, 1, lastRow, lastCol);
  var values = range.getValues();
  var snapshot = sheetSnapshotOf_(values.slice(1), range.getFormulas().slice(1), SHEET_FIRST_DATA_ROW_);
  snapshot.headers = values[0].map(function (h) { return String(h).trim(); });
  return snapshot;
}

/**
 * The header row and data rows `first..last` only, as a SheetSnapshot whose firstRow is
 * `first`: a look at a few rows of a large sheet.
 */
function sheetReadRows_(sheet, first, last) {
  var lastCol = sheet.getLastColumn();
  last = Math.min(last, sheet.getLastRow());
  if (lastCol < 1 || last < first) {
    return { headers: [], rows: [], firstRow: first, formulas: null };
  }
  var headers = sheet.getRange(1, 1, 1, lastCol).getValues()[0];
  var range = sheet.getRange(first, 1, last - first + 1, lastCol);
  var snapshot = sheetSnapshotOf_(range.getValues(), range.getFormulas(), first);
  snapshot.headers = headers.map(function (h) { return String(h).trim(); });
  return snapshot;
}

/**
 * Data rows from getValues()/getFormulas() as a SheetSnapshot without headers. The rows ARE
 * the getValues() arrays, cells untouched: the core's loader reads a Date cell as it is, so a
 * large sheet costs neither a copy of every row nor an object per date (getValues() hands out
 * fresh arrays that nothing else holds; a call that needs {d: ms} cells makes them in place).
 */
function sheetSnapshotOf_(values, formulaText, firstRow) {
  var rows = new Array(values.length);
  var anyFormula = false;
  var formulas = new Array(values.length);
  for (var r = 0; r < values.length; r++) {
    rows[r] = values[r];
    var f = formulaText[r];
    var flags = null;
    for (var k = 0; k < f.length; k++) {
      if (f[k]) {
        flags = flags || f.map(function () { return false; });
        flags[k] = true;
        anyFormula = true;
      }
    }
    formulas[r] = flags || [];
  }
  return {
    headers: [],
    rows: rows,
    firstRow: firstRow,
    formulas: anyFormula ? formulas : null,
  };
}

/** Writes the header row of an empty sheet (binding a new sheet to a table). */
function sheetWriteHeaders_(sheet, names) {
  if (!names.length) return;
  sheetEnsureSize_(sheet, 1, names.length);
  sheet.getRange(1, 1, 1, names.length).setValues([names]);
  sheet.setFrozenRows(1);
}

/**
 * Applies the core's SheetEdits (core/src/plan/output.rs):
 *   formats:    [{column, name, format}] number formats for whole data columns
 *   writes:     [{row, column, values}]  runs of neighbouring cells, 1-based, SheetCells
 *   deleteRows: [row]                    1-based rows, bottom-up
 *   appends:    [[SheetCell]]            new rows after the last one, header-wide
 * Formats go first: setValues parses text like typed input unless the cell is already plain
 * text ("@"), so "00123" written before its column is formatted would become 123.
 * `plainTextColumns` (from sheetPlainTextColumns_) names the plain-text columns when `edits`
 * carries no formats of its own, as for a push answer's write-backs: text written there must
 * not get the apostrophe, which a plain-text cell keeps as part of its value.
 * Returns the number of range calls made (for the summary and for tests).
 */
function sheetApplyEdits_(sheet, edits, plainTextColumns) {
  var calls = sheetApplyFormats_(sheet, edits);
  var plainText = plainTextColumns || sheetPlainTextColumns_(edits);
  (edits.writes || []).forEach(function (run) {
    if (!run.values.length) return;
    sheet.getRange(run.row, run.column, 1, run.values.length).setValues([run.values.map(function (v, i) {
      return sheetFromCellIn_(v, run.column + i, plainText);
    })]);
    calls++;
  });
  var deletes = (edits.deleteRows || []).slice().sort(function (a, b) { return b - a; });
  for (var d = 0; d < deletes.length; ) {
    // A run of neighbouring rows, bottom-up, goes in one call.
    var top = deletes[d];
    var e = d + 1;
    while (e < deletes.length && deletes[e] === top - 1) {
      top = deletes[e];
      e++;
    }
    sheet.deleteRows(top, e - d);
    calls++;
    d = e;
  }
  var appends = edits.appends || [];
  if (appends.length) {
    var width = 0;
    appends.forEach(function (r) { width = Math.max(width, r.length); });
    var block = appends.map(function (r) {
      var out = new Array(width);
      for (var c = 0; c < width; c++) out[c] = c < r.length ? sheetFromCellIn_(r[c], c + 1, plainText) : '';
      return out;
    });
    var at = Math.max(sheet.getLastRow(), 1) + 1;
    sheetEnsureSize_(sheet, at + block.length - 1, width);
    // Very large loads go in slices, so no single call carries the whole table.
    for (var k = 0; k < block.length; k += SHEET_WRITE_ROWS_) {
      var slice = block.slice(k, k + SHEET_WRITE_ROWS_);
      sheet.getRange(at + k, 1, slice.length, width).setValues(slice);
      calls++;
    }
  }
  return calls;
}

/**
 * Formats every data row the edits can touch: the rows there are now plus the rows to be
 * appended (deletes only move rows up inside that span).
 */
function sheetApplyFormats_(sheet, edits) {
  var formats = (edits.formats || []).filter(function (f) { return !!f.format; });
  if (!formats.length) return 0;
  var lastRow = Math.max(sheet.getLastRow(), 1) + (edits.appends || []).length;
  if (lastRow < SHEET_FIRST_DATA_ROW_) return 0;
  var width = 0;
  formats.forEach(function (f) { width = Math.max(width, f.column); });
  sheetEnsureSize_(sheet, lastRow, width);
  formats.forEach(function (f) {
    sheet.getRange(SHEET_FIRST_DATA_ROW_, f.column, lastRow - SHEET_FIRST_DATA_ROW_ + 1, 1)
      .setNumberFormat(f.format);
  });
  return formats.length;
}

/** Whether a SheetEdits has anything to do. */
function sheetEditsEmpty_(edits) {
  return !edits || (!(edits.writes || []).length && !(edits.deleteRows || []).length &&
    !(edits.appends || []).length && !(edits.formats || []).length);
}

/**
 * Grows the sheet's grid to at least `rows` × `cols`: ranges past the grid are an error in
 * Sheets, and a new sheet has only 1000 rows and 26 columns.
 */
function sheetEnsureSize_(sheet, rows, cols) {
  var maxRows = sheet.getMaxRows();
  if (rows > maxRows) sheet.insertRowsAfter(maxRows, rows - maxRows);
  var maxCols = sheet.getMaxColumns();
  if (cols > maxCols) sheet.insertColumnsAfter(maxCols, cols - maxCols);
}

/** Selects a whole row of the sheet (the sidebar's link next to a rejected row). */
function sheetSelectRow_(sheet, row) {
  var width = Math.max(sheet.getLastColumn(), 1);
  sheet.activate();
  sheet.getRange(row, 1, 1, width).activate();
}

/** The sheet with id `sheetId` in the spreadsheet being synced, or an error naming it. */
function sheetById_(sheetId) {
  var sheets = storeSpreadsheet_().getSheets();
  for (var i = 0; i < sheets.length; i++) {
    if (sheets[i].getSheetId() === Number(sheetId)) return sheets[i];
  }
  throw new Error('the sheet with id ' + sheetId + ' no longer exists; bind another sheet');
}
