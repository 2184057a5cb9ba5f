/**
 * Automatic sync: one installable onEdit, one onChange and one time-driven trigger per
 * document, installed and removed together. Installing twice leaves exactly one of each.
 *
 * - onEdit (installable, since simple triggers cannot fetch URLs) records when each edited row
 *   changed, for latest-wins, then syncs so the edit reaches the database.
 * - onChange catches what onEdit does not report (rows inserted or removed, pastes, sorts):
 *   the sync diffs the whole sheet, so it needs no details.
 * - the time-driven trigger catches up with changes made in the database: every minute for a
 *   script bound to the sheet, hourly for a published add-on (the most Google allows).
 */

var TRIGGER_HANDLERS_ = ['sheetsyncOnEdit', 'sheetsyncOnChange', 'sheetsyncOnTimer'];

/** Installs the three triggers for the active document, replacing any earlier ones. */
function triggersInstall_() {
  triggersRemove_();
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  ScriptApp.newTrigger('sheetsyncOnEdit').forSpreadsheet(ss).onEdit().create();
  ScriptApp.newTrigger('sheetsyncOnChange').forSpreadsheet(ss).onChange().create();
  var timer = ScriptApp.newTrigger('sheetsyncOnTimer').timeBased();
  if (triggersIsPublishedAddon_()) {
    timer.everyHours(1).create();
  } else {
    timer.everyMinutes(1).create();
  }
  return triggersInstalled_();
}

/** Removes this document's sync triggers (and only those). */
function triggersRemove_() {
  triggersOwn_().forEach(function (t) { ScriptApp.deleteTrigger(t); });
}

/** The handler names of this document's installed sync triggers. */
function triggersInstalled_() {
  return triggersOwn_().map(function (t) { return t.getHandlerFunction(); }).sort();
}

function triggersOwn_() {
  var all;
  if (triggersIsPublishedAddon_() && ScriptApp.getUserTriggers) {
    // An add-on shares one project among many documents: look at this document's only.
    all = ScriptApp.getUserTriggers(SpreadsheetApp.getActiveSpreadsheet());
  } else {
    all = ScriptApp.getProjectTriggers();
  }
  return all.filter(function (t) {
    return TRIGGER_HANDLERS_.indexOf(t.getHandlerFunction()) >= 0;
  });
}

function triggersIsPublishedAddon_() {
  try {
    var source = ScriptApp.getInstallationSource();
    return source !== ScriptApp.InstallationSource.NONE;
  } catch (e) {
    return false;
  }
}

/** Installable onEdit: note the edit time of each edited row of a bound sheet, then sync. */
function sheetsyncOnEdit(e) {
  if (!e || !e.range) return null;
  var sheet = e.range.getSheet();
  var sheetId = sheet.getSheetId();
  if (!storeBinding_(sheetId)) return null;
  triggersRecordEdit_(sheet, e.range);
  return withCore_(function (core) { return syncRunFromTrigger_(core, sheetId, 'edit'); });
}

/** Installable onChange: structural changes (rows inserted or removed, pastes) need a full diff. */
function sheetsyncOnChange(e) {
  var type = e && e.changeType;
  if (type === 'FORMAT') return null;
  return triggersSyncAll_('change');
}

/** Time-driven: pick up database changes (and continue a sync cut off by the time limit). */
function sheetsyncOnTimer() {
  return triggersSyncAll_('timer');
}

function triggersSyncAll_(why) {
  var ids = storeBoundSheetIds_();
  if (!ids.length) return null;
  return withCore_(function (core) {
    ids.forEach(function (id) { syncRunFromTrigger_(core, id, why); });
    return null;
  });
}

/**
 * Records "now" as the edit time of every row the edited range touches, by the row's key
 * (keys survive sorting). Rows without a key are new: nothing in the database can conflict
 * with them, so they need no time.
 */
function triggersRecordEdit_(sheet, range) {
  var sheetId = sheet.getSheetId();
  var first = Math.max(range.getRow(), SHEET_FIRST_DATA_ROW_);
  var last = range.getRow() + range.getNumRows() - 1;
  if (last < first) return;
  var binding = storeBinding_(sheetId);
  var keyCol = triggersKeyColumn_(sheet, binding);
  var keys = keyCol ? sheet.getRange(first, keyCol, last - first + 1, 1).getValues() : null;
  var times = storeEditTimes_(sheetId);
  var now = Date.now();
  for (var row = first; row <= last; row++) {
    var key = keys ? keys[row - first][0] : '';
    if (key !== '' && key !== null && key !== undefined) times[String(key)] = now;
  }
  storeSaveEditTimes_(sheetId, times);
}

function triggersKeyColumn_(sheet, binding) {
  if (!binding || !binding.keyColumn) return 0;
  var width = sheet.getLastColumn();
  if (width < 1) return 0;
  var headers = sheet.getRange(1, 1, 1, width).getValues()[0];
  for (var c = 0; c < headers.length; c++) {
    if (String(headers[c]).trim() === binding.keyColumn) return c + 1;
  }
  return 0;
}
