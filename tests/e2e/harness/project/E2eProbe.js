/**
 * Test-only script file loaded after the add-on's own: reads a sheet the way a script sees
 * it (getValues, getFormulas), with dates as their wall clock in the spreadsheet's zone, and
 * lists the keys of the add-on's stored base.
 */
function e2eReadSheet(name) {
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  var sheet = ss.getSheetByName(name || 'Sheet1');
  if (sheet.getLastRow() === 0) return { values: [], formulas: [] };
  var range = sheet.getDataRange();
  var tz = ss.getSpreadsheetTimeZone();
  var values = range.getValues().map(function (row) {
    return row.map(function (v) {
      if (Object.prototype.toString.call(v) === '[object Date]') {
        return { date: Utilities.formatDate(v, tz, 'yyyy-MM-dd HH:mm:ss') };
      }
      return v;
    });
  });
  return { values: values, formulas: range.getFormulas() };
}

/** The keys of the active sheet's stored base (what the add-on believes is synced). */
function e2eBaseKeys() {
  return Object.keys(storeBase_(SpreadsheetApp.getActiveSheet().getSheetId()) || {});
}

/**
 * Writes a cell as another script or the Sheets API would: no trigger fires for it, so only
 * a later sync (the timer's, say) can find the change.
 */
function e2eScriptWrite(sheetName, a1, value) {
  SpreadsheetApp.getActiveSpreadsheet().getSheetByName(sheetName).getRange(a1).setValue(value);
}
