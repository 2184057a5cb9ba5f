/**
 * Restoring a whole row that lost a conflict (the database deleted it while the sheet edited
 * it, or the sheet deleted it while the database edited it, and the other side won).
 *
 * The kept entry holds the losing side's row, one wire cell per table column. The core turns
 * it into a sheet row with the conversion the sync uses for rows the database adds
 * (`sheetRowOf`); it is appended below the last row, its edit time recorded, and the sync that
 * follows pushes it like any row typed into the sheet. A row is put back once: the entry is
 * marked restored first, so a second request (another sidebar, a second click) is refused
 * and the sheet never gets the row twice.
 */

/** Whether a kept entry is a whole row that can be put back (a losing deletion cannot). */
function overridesRowRestorable_(entry) {
  return entry.column === null && Array.isArray(entry.value);
}

/** Puts the entry's whole row back into the sheet, then syncs; answers the sync's report. */
function overridesRestoreRow_(sheet, sheetId, binding, kept, entry) {
  if (entry.restoredAt) {
    throw new Error('row ' + entry.key + ' was already put back at ' +
      new Date(entry.restoredAt).toLocaleTimeString() + '; it is not added twice');
  }
  if (!overridesRowRestorable_(entry)) {
    throw new Error('row ' + entry.key + ' lost because it was deleted; there is no row to put back');
  }
  if (overridesRowInSheet_(sheet, binding, entry.key)) {
    throw new Error('row ' + entry.key + ' is in the sheet again, so it is not put back a second time');
  }
  return withCore_(function (core) {
    var client = serverClient_(storeConnection_());
    var timeZone = storeSpreadsheet_().getSpreadsheetTimeZone();
    var headers = syncHeadersOf_(sheet);
    var cells = core.sheetRowOf({
      schema: syncSchema_(core, client, binding.table),
      headers: headers,
      timeZone: timeZone,
      zoneOffsets: zoneOffsets_(timeZone),
      row: entry.value,
    });
    entry.restoredAt = Date.now();
    overridesSave_(sheetId, kept);
    overridesAppendRow_(sheet, cells);
    var times = storeEditTimes_(sheetId);
    var now = Date.now();
    times[String(entry.key)] = now;
    storeSaveEditTimes_(sheetId, times);
    editAuthorsRecord_(sheetId, times, now, Session.getActiveUser());
    return syncRunNow_(sheetId, {});
  });
}

/** Whether a row with `key` is in the sheet now. */
function overridesRowInSheet_(sheet, binding, key) {
  var keyCol = triggersKeyColumn_(sheet, binding);
  var last = sheet.getLastRow();
  if (!keyCol || last < SHEET_FIRST_DATA_ROW_) return false;
  var keys = sheet.getRange(SHEET_FIRST_DATA_ROW_, keyCol, last - SHEET_FIRST_DATA_ROW_ + 1, 1).getValues();
  return keys.some(function (k) { return String(k[0]) === String(key); });
}

/** Appends one row of SheetCells below the last row, text kept as text as the sync writes it. */
function overridesAppendRow_(sheet, cells) {
  var at = Math.max(sheet.getLastRow(), 1) + 1;
  sheetEnsureSize_(sheet, at, cells.length);
  var range = sheet.getRange(at, 1, 1, cells.length);
  var plainText = {};
  range.getNumberFormats()[0].forEach(function (f, i) { plainText[i + 1] = f === '@'; });
  range.setValues([cells.map(function (cell, i) { return sheetFromCellIn_(cell, i + 1, plainText); })]);
}
