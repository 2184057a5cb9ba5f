/**
 * Automatic sync: one installable onEdit, one onChange and one time-driven trigger per
 * document, installed and removed together. Installing twice leaves exactly one of each.
 *
 * - onEdit (installable, since simple triggers cannot fetch URLs) records when each edited row
 *   changed, for latest-wins, then syncs so the edit reaches the database.
 * - onChange catches what onEdit does not report (rows inserted or removed, pastes, sorts):
 *   the sync diffs the whole sheet, so it needs no details.
 * - the time-driven trigger catches up with changes made in the database: every minute for a
 *   script bound to the sheet, hourly for a published add-on (the most Google allows). A
 *   published add-on's may run without its document; DetachedTimer.js handles that case.
 */

var TRIGGER_HANDLERS_ = ['sheetsyncOnEdit', 'sheetsyncOnChange', 'sheetsyncOnTimer'];

/**
 * Who runs this document's automatic sync. Installable triggers belong to the account that
 * made them, and no one can see or remove another person's, so the document keeps one record
 * (a document property): {owner, uids: [edit, change, timer]}. Only triggers named in it run a
 * sync; any other sheetsync trigger that fires (a collaborator's, after someone took over or
 * turned automatic sync off) deletes itself instead. So there is one owner per document, and
 * any editor can take over or turn it off without making duplicates.
 */
function triggersRecord_() {
  return storeGetJson_('triggers', null);
}

/** Installs the three triggers for the active document as its owner, replacing any earlier ones. */
function triggersInstall_() {
  triggersRemoveMine_();
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  var made = [];
  try {
    made.push(ScriptApp.newTrigger('sheetsyncOnEdit').forSpreadsheet(ss).onEdit().create());
    made.push(ScriptApp.newTrigger('sheetsyncOnChange').forSpreadsheet(ss).onChange().create());
    var timer = ScriptApp.newTrigger('sheetsyncOnTimer').timeBased();
    made.push(triggersIsPublishedAddon_() ? timer.everyHours(1).create() : timer.everyMinutes(1).create());
  } catch (e) {
    made.forEach(function (t) { ScriptApp.deleteTrigger(t); });
    throw new Error('automatic sync cannot be turned on here: Google refused its triggers (' +
      e.message + '). A test deployment supports none; use Sync now, or install the published ' +
      'add-on or a script bound to the spreadsheet');
  }
  var uids = made.map(function (t) { return t.getUniqueId(); });
  // A clock trigger names no document; remember which of this person's is this document's
  // (before the record, whose writing makes this person's copy of the settings for a clock
  // trigger without the document: DetachedTimer.js).
  PropertiesService.getUserProperties().setProperty(triggersTimerKey_(ss), uids[2]);
  storePutJson_('triggers', { owner: triggersMe_(), uids: uids, since: Date.now() });
  return triggersState_();
}

/**
 * Turns automatic sync off for the document: removes this person's triggers and the record,
 * so a collaborator's triggers, which this person cannot remove, delete themselves when they
 * next fire.
 */
function triggersRemove_() {
  triggersRemoveMine_();
  storePutJson_('triggers', null);
}

/** What the sidebar shows: {on, owner, mine}. */
function triggersState_() {
  var record = triggersRecord_();
  if (!record) return { on: false, owner: '', mine: false };
  var mineNow = triggersMine_().map(function (t) { return t.getUniqueId(); });
  var mine = record.uids.every(function (uid) { return mineNow.indexOf(uid) >= 0; });
  if (mine) return { on: true, owner: record.owner, mine: true };
  // Someone else's triggers cannot be seen from here; the record is what is known of them.
  var me = triggersMe_();
  if (me && record.owner === me) return { on: false, owner: '', mine: false };
  return { on: true, owner: record.owner, mine: false };
}

/**
 * This person's sheetsync triggers for the active document: the edit and change triggers
 * whose source is this spreadsheet, and the clock trigger remembered for it. In a published
 * add-on getProjectTriggers lists the person's triggers of every document, and
 * getUserTriggers(document) lists no clock trigger at all, so neither is used alone.
 */
function triggersMine_() {
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  var timerUid = PropertiesService.getUserProperties().getProperty(triggersTimerKey_(ss));
  return ScriptApp.getProjectTriggers().filter(function (t) {
    if (TRIGGER_HANDLERS_.indexOf(t.getHandlerFunction()) < 0) return false;
    if (t.getHandlerFunction() === 'sheetsyncOnTimer') return t.getUniqueId() === timerUid;
    return t.getTriggerSourceId() === ss.getId();
  });
}

function triggersRemoveMine_() {
  triggersMine_().forEach(function (t) { ScriptApp.deleteTrigger(t); });
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  var user = PropertiesService.getUserProperties();
  user.deleteProperty(triggersTimerKey_(ss));
  detachedForgetCopy_(user, user.getProperties() || {}, ss.getId());
}

function triggersTimerKey_(ss) {
  return STORE_PREFIX_ + 'timer.' + ss.getId();
}

/** The running person's address, or '' where Google withholds it. */
function triggersMe_() {
  try {
    return Session.getEffectiveUser().getEmail() || '';
  } catch (e) {
    return '';
  }
}

/**
 * Whether the trigger that started this execution is one of the document's current ones.
 * One that is not (its owner was taken over from, or automatic sync was turned off by
 * someone else) deletes itself, so it runs at most once more and does nothing then.
 */
function triggersCurrent_(e) {
  var uid = e && e.triggerUid ? String(e.triggerUid) : null;
  // An event that names no trigger cannot be checked; syncing once too often is harmless,
  // never syncing is not.
  if (!uid) return true;
  var record = triggersRecord_();
  if (record && record.uids.indexOf(uid) >= 0) return true;
  ScriptApp.getProjectTriggers().forEach(function (t) {
    if (t.getUniqueId() === uid) ScriptApp.deleteTrigger(t);
  });
  return false;
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
  if (!e || !e.range || !triggersCurrent_(e)) return null;
  var sheet = e.range.getSheet();
  var sheetId = sheet.getSheetId();
  if (!storeBinding_(sheetId)) return null;
  if (serverModeOn_(sheetId)) return serverModePoke_(sheetId, serverModeEditOf_(sheet, e.range, e.user));
  triggersRecordEdit_(sheet, e.range, e.user);
  return withCore_(function (core) { return syncRunFromTrigger_(core, sheetId, 'edit'); });
}

/** Installable onChange: structural changes (rows inserted or removed, pastes) need a full diff. */
function sheetsyncOnChange(e) {
  var type = e && e.changeType;
  // An edit or a paste also fires onEdit, which syncs it: a second sync here would double
  // the executions, UrlFetch calls and property reads of every edit.
  if (!triggersCurrent_(e) || type === 'FORMAT' || type === 'EDIT') return null;
  return triggersSyncAll_('change');
}

/** Time-driven: pick up database changes (and continue a sync cut off by the time limit). */
function sheetsyncOnTimer(e) {
  // Google may run a published add-on's clock trigger without its document: no spreadsheet,
  // no document properties. It then opens the spreadsheet by id and syncs with its owner's
  // copy of the settings (DetachedTimer.js).
  if (!SpreadsheetApp.getActiveSpreadsheet() || !PropertiesService.getDocumentProperties()) {
    return detachedTick_(e);
  }
  if (!triggersCurrent_(e)) return null;
  return triggersSyncAll_('timer', triggersTimerHasWork_);
}

/** A full sync at least this often, for edits no trigger reports (other scripts, the API). */
var TRIGGERS_FULL_SYNC_MS_ = 60 * 60 * 1000;

/**
 * Whether the timer has work for a sheet, found without instantiating the core and with at
 * most one request: a sync to finish or retry, edits not yet pushed, changes in the feed, or
 * an hour since the last full sync. An idle tick then costs one UrlFetch call and one
 * property read, which keeps a timer every minute within the daily quotas.
 */
function triggersTimerHasWork_(sheetId) {
  var report = storeReadReport_(sheetId);
  var cursor = storeCursor_(sheetId);
  if (!report || report.failed || cursor === null || storeProgress_(sheetId)) return true;
  if (!(Date.now() - report.at < TRIGGERS_FULL_SYNC_MS_)) return true;
  if (storePendingBatch_(sheetId) || Object.keys(storeEditTimes_(sheetId)).length) return true;
  var page;
  try {
    page = serverClient_(storeConnection_()).changes(storeBinding_(sheetId).table, cursor,
      TRIGGERS_PEEK_CHANGES_, 0);
  } catch (e) {
    return true; // the sync says what is wrong, in the report the sidebar shows
  }
  // Only this document's own writes, whose answers were applied (no batch is pending), need
  // no sync: the sheet and the base already hold them. The cursor stays where the last sync
  // left it (this tick holds no lock to move it safely); once more than a peek's worth of
  // them pile up, a sync runs and moves past them.
  var origin = storeOrigin_();
  var foreign = page.changes.some(function (c) { return c.origin !== origin; });
  return foreign || !!page.more;
}

/** How many changes an idle tick looks at before it decides a sync is needed. */
var TRIGGERS_PEEK_CHANGES_ = 50;

function triggersSyncAll_(why, hasWork) {
  var ids = serverModeAddonSheets_(storeBoundSheetIds_(), why).filter(function (id) { return !hasWork || hasWork(id); });
  if (!ids.length) return null;
  return withCore_(function (core) {
    ids.forEach(function (id) { syncRunFromTrigger_(core, id, why); });
    return null;
  });
}

/**
 * Records "now" as the edit time of every row the edited range touches, by the row's key,
 * and `user` (the event's) as its author where Google names them (EditAuthors.js)
 * (keys survive sorting). Rows without a key are new: nothing in the database can conflict
 * with them, so they need no time.
 */
function triggersRecordEdit_(sheet, range, user) {
  var sheetId = sheet.getSheetId();
  var keys = triggersEditedKeys_(sheet, range);
  if (keys === null) return;
  var times = storeEditTimes_(sheetId);
  var now = Date.now();
  keys.forEach(function (key) { times[key] = now; });
  storeSaveEditTimes_(sheetId, times);
  editAuthorsRecord_(sheetId, times, now, user);
}

/**
 * The keys (as text) of the data rows the edited range touches, read from the key column;
 * rows without a key yet are left out. Null when the range holds no data row.
 */
function triggersEditedKeys_(sheet, range) {
  var first = Math.max(range.getRow(), SHEET_FIRST_DATA_ROW_);
  var last = range.getRow() + range.getNumRows() - 1;
  if (last < first) return null;
  var keyCol = triggersKeyColumn_(sheet, storeBinding_(sheet.getSheetId()));
  if (!keyCol) return [];
  return sheet.getRange(first, keyCol, last - first + 1, 1).getValues()
    .map(function (row) { return row[0]; })
    .filter(function (key) { return key !== '' && key !== null && key !== undefined; })
    .map(String);
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
