/**
 * The clock trigger of a published add-on, when Google runs it without its document.
 *
 * Google may run a published editor add-on's time-driven trigger with no active document:
 * no active spreadsheet, `getDocumentProperties()` and `getDocumentLock()` null. Such a tick
 * still syncs, from three things it can reach:
 *
 * - **The spreadsheet, by id.** `SpreadsheetApp.openById` (it needs the `spreadsheets` scope)
 *   reaches the bound sheets and their hidden sheets (base, pending batch, edit times).
 * - **The owner's copy of the settings** (DetachedCopy.js). The settings live in document
 *   properties, which such a tick cannot read, so the trigger owner's user properties keep a
 *   copy per spreadsheet: connection and token, origin, bindings, cursors, the triggers
 *   record. The owner's executions that have the document refresh it (a setting the sidebar
 *   changes, the owner opening the sidebar, the end of every sync the owner runs: onEdit,
 *   onChange, the sidebar, the timer when it has the document).
 * - **The document's record of its settings.** A hidden sheet `_sheetsync_timer` holds, in
 *   row 1: the hash of the settings a sync must agree on (connection, origin, bindings, the
 *   triggers record) and the current timer's id; the two claims below; and how the last
 *   tick without the document went. Every execution that changes one of those settings in
 *   the document rewrites the hash, so a copy made before the change no longer matches it.
 *
 * A tick without the document syncs only when its copy's hash equals the document's: a stale
 * copy could push to a table the sheet is no longer bound to, with a token since revoked, so
 * the tick refuses instead, records why in the document and fails the execution (Google lists
 * it as failed and tells the trigger owner). Cursors need no such check: the feed is read
 * again from an older cursor at worst, and the core skips every change whose version the base
 * already holds, so the tick moves its own copy's cursors and the document's cursors stay
 * where the last sync with the document left them.
 *
 * Locking. A sync writes the sheet, the base and the server, so no two may overlap for one
 * document. Syncs with the document hold the document lock; a tick without the document
 * cannot get that lock, and holds its owner's user lock instead (only the current owner's
 * timer syncs, and a person's user lock keeps two of their executions apart). Neither lock
 * excludes the other, so each side also claims the document in its own cell of the record:
 * it writes "busy until" into its cell, flushes, then reads the other side's cell, and backs
 * off if that claim is live. Whichever writes second sees the first's claim, so the two never
 * both go on (at worst both back off, and the next run tries again). A claim lapses after the
 * longest execution Google allows, so a killed execution cannot block syncing for good.
 * This is needed only in a published add-on: a script bound to its sheet always has its
 * document, and skips all of it.
 */

var DETACHED_SHEET_ = '_sheetsync_timer';
/** Row 1 of the record: A the settings' hash and the timer's id, B and C the claims, D the last tick. */
var DETACHED_CELLS_ = { state: 1, documentClaim: 2, timerClaim: 3, lastTick: 4 };
/** A claim outlives the longest execution (6 minutes) by a margin, then lapses. */
var DETACHED_CLAIM_MS_ = 6.5 * 60 * 1000;

/** Whether this execution is a tick without the document. */
function detachedActive_() {
  return STORE_DETACHED_ !== null;
}

/** Whether the document may be synced by a tick without it: only in a published add-on. */
function detachedApplies_() {
  return triggersIsPublishedAddon_();
}

// ---- The document's record -------------------------------------------------------------

/** The record sheet of `ss`, made (hidden) when `create`; null when there is none. */
function detachedRecordSheet_(ss, create) {
  var sheet = ss.getSheetByName(DETACHED_SHEET_);
  if (!sheet && create) {
    var active = ss.getActiveSheet();
    sheet = ss.insertSheet(DETACHED_SHEET_, ss.getNumSheets());
    sheet.hideSheet();
    if (active) ss.setActiveSheet(active);
  }
  return sheet;
}

/** Row 1 of the record as {state, documentClaim, timerClaim, lastTick}, JSON parsed. */
function detachedReadRecord_(sheet) {
  var row = sheet.getRange(1, 1, 1, 4).getValues()[0];
  var out = {};
  Object.keys(DETACHED_CELLS_).forEach(function (name) {
    var text = row[DETACHED_CELLS_[name] - 1];
    if (text === '' || text === null || text === undefined) {
      out[name] = null;
      return;
    }
    try {
      out[name] = JSON.parse(String(text).slice(STORE_CHUNK_MARK_.length));
    } catch (e) {
      throw new Error('sheetsync: cell ' + String.fromCharCode(64 + DETACHED_CELLS_[name]) + '1 of the hidden sheet ' +
        DETACHED_SHEET_ + ' is damaged (' + e.message + '); turn automatic sync off and on again');
    }
  });
  return out;
}

function detachedWriteCell_(sheet, name, value) {
  var cell = sheet.getRange(1, DETACHED_CELLS_[name]);
  if (value === null) cell.clearContent();
  else cell.setValue(STORE_CHUNK_MARK_ + JSON.stringify(value));
}

/**
 * Rewrites the document's record of its settings (with the document): the stable settings'
 * hash and the current timer. Made only once automatic sync is on. Turning automatic sync off
 * also clears the claims and the last tick's note, so off and on again mends a damaged cell.
 */
function detachedPublish_() {
  var ss = storeSpreadsheet_();
  var timerUid = detachedTimerUid_();
  var sheet = detachedRecordSheet_(ss, timerUid !== null);
  if (!sheet) return;
  if (timerUid === null) sheet.getRange(1, 2, 1, 3).clearContent();
  detachedWriteCell_(sheet, 'state', { hash: detachedHash_(storeSettings_()), timerUid: timerUid });
}

/**
 * For the sidebar (with the document): what went wrong in the last tick without the document,
 * or ''. When the person looking runs automatic sync (`mine`), opening the sidebar refreshes
 * their copy and the record first, which settles a refusal for want of a current copy.
 */
function detachedSidebarNote_(mine) {
  if (!detachedApplies_()) return '';
  var ss = storeSpreadsheet_();
  var sheet = detachedRecordSheet_(ss, false);
  if (mine) {
    detachedPublishIfChanged_(sheet);
    detachedRefreshCopy_();
  }
  if (!sheet) return '';
  var record = detachedReadRecord_(sheet);
  var last = record.lastTick;
  if (!last || !last.failed) return '';
  if (!(mine && last.copy)) return last.text;
  // The refusal was for want of a current copy: say whether the refresh just now mended it.
  var copy = detachedReadCopy_(PropertiesService.getUserProperties().getProperties() || {}, ss.getId());
  var problem = detachedCopyProblem_(copy, record.state);
  if (problem) return detachedRefusalText_(problem);
  detachedWriteCell_(sheet, 'lastTick', null);
  return '';
}

/**
 * Called by Store.js after every settings write. With the document, a change to a stable
 * setting rewrites the document's record and the owner's copy at once, so a tick without
 * the document never syncs with settings older than the document's.
 */
function detachedSettingWritten_(name) {
  if (detachedActive_() || !detachedIsStableKey_(STORE_PREFIX_ + name) || !detachedApplies_()) return;
  detachedPublish_();
  detachedRefreshCopy_();
}

// ---- The lock a sync runs under --------------------------------------------------------

/**
 * The lock a sync holds: {tryLock(ms), releaseLock()}. With the document, the document lock;
 * without it, the owner's user lock. In a published add-on whose document has a record, each
 * side also claims the document against the other (see the top of this file). Releasing it,
 * with the document, also refreshes the owner's copy and the record.
 */
function detachedSyncLock_() {
  var detached = detachedActive_();
  var lock = detached ? LockService.getUserLock() : LockService.getDocumentLock();
  var sheet = null;
  var mine = detached ? 'timerClaim' : 'documentClaim';
  var theirs = detached ? 'documentClaim' : 'timerClaim';
  return {
    tryLock: function (ms) {
      if (!lock.tryLock(ms)) return false;
      if (!detached && !detachedApplies_()) return true;
      var claimed = null;
      try {
        claimed = detachedRecordSheet_(storeSpreadsheet_(), false);
        if (!claimed) return true;
        detachedWriteCell_(claimed, mine, { until: Date.now() + DETACHED_CLAIM_MS_ });
        SpreadsheetApp.flush();
        var other = detachedReadRecord_(claimed)[theirs];
        if (!(other && other.until > Date.now())) {
          sheet = claimed;
          return true;
        }
      } catch (e) {
        if (claimed) detachedWriteCell_(claimed, mine, null);
        lock.releaseLock();
        throw e;
      }
      detachedWriteCell_(claimed, mine, null);
      lock.releaseLock();
      return false;
    },
    releaseLock: function () {
      try {
        if (sheet) detachedWriteCell_(sheet, mine, null);
        if (!detached && detachedApplies_()) detachedRefreshAfterSync_(sheet);
      } finally {
        lock.releaseLock();
      }
    },
  };
}

/**
 * After a sync with the document: the record and the owner's copy catch up with what the sync
 * changed. A failure here is logged, not thrown: the sync itself went through, and a copy left
 * stale only makes the next tick without the document refuse, saying so.
 */
function detachedRefreshAfterSync_(sheet) {
  try {
    detachedPublishIfChanged_(sheet);
    detachedRefreshCopy_();
  } catch (e) {
    console.error('sheetsync: the copy of the settings for automatic sync without the document was not ' +
      'refreshed: ' + (e && e.message ? e.message : e));
  }
}

/** Rewrites the record when it no longer matches the document's settings (or is missing). */
function detachedPublishIfChanged_(sheet) {
  var timerUid = detachedTimerUid_();
  if (!sheet && timerUid === null) return;
  var state = sheet ? detachedReadRecord_(sheet).state : null;
  if (state && state.hash === detachedHash_(storeSettings_()) && state.timerUid === timerUid) return;
  detachedPublish_();
}

// ---- The tick without the document ----------------------------------------------------

/**
 * A tick of the clock trigger `e.triggerUid` with no document: finds the spreadsheet it was
 * made for in its owner's user properties, opens it by id, checks the owner's copy of the
 * settings against the document's record, and syncs every bound sheet as a tick with the
 * document would. Refuses (throws, after noting why in the document) when the copy is
 * missing or stale.
 */
function detachedTick_(e) {
  var uid = e && e.triggerUid ? String(e.triggerUid) : '';
  if (!uid) {
    throw new Error('sheetsync: the clock trigger ran without its document and without its trigger id, ' +
      'so which spreadsheet it is for cannot be known');
  }
  var user = PropertiesService.getUserProperties();
  var mine = user.getProperties() || {};
  var spreadsheetId = detachedSpreadsheetOf_(mine, uid);
  if (!spreadsheetId) {
    throw new Error('sheetsync: the clock trigger ' + uid + ' ran without its document, and this person\'s ' +
      'settings name no spreadsheet for it; turn automatic sync off and on again in the sidebar');
  }
  var ss;
  try {
    ss = SpreadsheetApp.openById(spreadsheetId);
  } catch (err) {
    throw new Error('sheetsync: automatic sync could not open spreadsheet ' + spreadsheetId + ' (' + err.message + ')');
  }
  var sheet = detachedRecordSheet_(ss, false);
  var record = sheet ? detachedReadRecord_(sheet) : {};
  if (record.state && record.state.timerUid !== uid) return detachedRetire_(user, mine, spreadsheetId, uid);
  var copy = detachedReadCopy_(mine, spreadsheetId);
  var problem = detachedCopyProblem_(copy, record.state);
  if (problem) detachedRefuse_(ss, sheet, problem);

  STORE_DETACHED_ = { spreadsheet: ss, properties: detachedProperties_(copy.settings) };
  STORE_SETTINGS_ = null;
  if (!triggersCurrent_(e)) return null;
  return thenOrNow_(triggersSyncAll_('timer', triggersTimerHasWork_), function () {
    detachedWriteCopy_(user, mine, spreadsheetId, copy);
    detachedNoteTick_(sheet);
    return null;
  });
}

/** The spreadsheet whose clock trigger `uid` is, from the owner's user properties, or null. */
function detachedSpreadsheetOf_(mine, uid) {
  var prefix = STORE_PREFIX_ + 'timer.';
  var keys = Object.keys(mine);
  for (var i = 0; i < keys.length; i++) {
    if (keys[i].indexOf(prefix) === 0 && mine[keys[i]] === uid) return keys[i].slice(prefix.length);
  }
  return null;
}

/** Why `copy` cannot be used against the document's record `state`, or '' when it can. */
function detachedCopyProblem_(copy, state) {
  if (!copy) {
    return 'this person keeps no copy of the spreadsheet\'s sheetsync settings, which a sync without the ' +
      'document needs; it is made when the owner of automatic sync next opens the sidebar or edits the sheet';
  }
  if (copy.problem) return copy.problem;
  if (!state) {
    return 'the spreadsheet holds no record of its sheetsync settings to check this person\'s copy against; ' +
      'it is written when the sidebar next changes a setting or a sync runs in the spreadsheet';
  }
  if (copy.hash !== state.hash) {
    return 'the connection, bindings or owner changed in the spreadsheet after this person\'s copy of them was ' +
      'made, and a sync with the old ones could write to the wrong table; the copy is refreshed when the ' +
      'owner of automatic sync next opens the sidebar or edits the sheet';
  }
  return '';
}

/** Notes in the document why the tick did not sync, then fails the execution with it. */
function detachedRefuse_(ss, sheet, problem) {
  var text = detachedRefusalText_(problem);
  if (sheet) detachedWriteCell_(sheet, 'lastTick', { at: Date.now(), failed: true, copy: true, text: text });
  throw new Error('sheetsync (' + ss.getName() + '): ' + text);
}

function detachedRefusalText_(problem) {
  return 'Automatic sync without the spreadsheet open did not run: ' + problem + '.';
}

/** Notes in the document when the tick ran and what each sheet's sync said. */
function detachedNoteTick_(sheet) {
  if (!sheet) return;
  var reports = storeBoundSheetIds_().map(function (id) { return storeReadReport_(id); })
    .filter(function (r) { return r; });
  var failed = reports.filter(function (r) { return r.failed; });
  detachedWriteCell_(sheet, 'lastTick', {
    at: Date.now(),
    failed: failed.length > 0,
    text: (failed.length ? failed : reports).map(function (r) { return r.text; }).join(' '),
  });
}

/**
 * A timer that is no longer the document's (automatic sync was turned off, or someone took
 * it over) deletes itself and its owner's copy, as a retired trigger with the document does.
 */
function detachedRetire_(user, mine, spreadsheetId, uid) {
  ScriptApp.getProjectTriggers().forEach(function (t) {
    if (t.getUniqueId() === uid) ScriptApp.deleteTrigger(t);
  });
  user.deleteProperty(STORE_PREFIX_ + 'timer.' + spreadsheetId);
  detachedForgetCopy_(user, mine, spreadsheetId);
  return null;
}
