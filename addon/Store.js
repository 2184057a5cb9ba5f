/**
 * Per-document state. Everything lives with the spreadsheet, never with the person: document
 * properties for small settings (connection, bindings, cursors) and a hidden sheet per bound
 * sheet for the large, growing things (the base, the pending batch), because properties hold
 * at most 9 KB per value and 500 KB in all.
 */

var STORE_PREFIX_ = 'sheetsync.';
/** Cells hold at most 50,000 characters; chunks stay well under that. */
var STORE_CHUNK_CHARS_ = 40000;
/**
 * Starts every chunk so that Sheets never reads one as a number, a date or a formula (a chunk
 * of JSON may well begin with "=", "-" or digits).
 */
var STORE_CHUNK_MARK_ = '~';
/** The hidden sheet's columns: one block of chunks each. */
var STORE_BLOCKS_ = { base: 1, pending: 2, report: 3, held: 4, copy: 5, edits: 6, overrides: 7, editors: 8 };

/** A property value holds at most 9 KB, counted in UTF-8 bytes (not characters). */
var STORE_PROPERTY_BYTES_ = 9 * 1024;

/**
 * Set only by a published add-on's clock trigger that runs without its document
 * (DetachedTimer.js): {spreadsheet, properties}, the spreadsheet it opened by id and a
 * properties store over its owner's copy of the settings. Everything below reads and writes
 * through it instead of the active document.
 */
var STORE_DETACHED_ = null;

function storeProps_() {
  return STORE_DETACHED_ ? STORE_DETACHED_.properties : PropertiesService.getDocumentProperties();
}

/** The spreadsheet this execution syncs: the active one, or the one a detached timer opened. */
function storeSpreadsheet_() {
  return STORE_DETACHED_ ? STORE_DETACHED_.spreadsheet : SpreadsheetApp.getActiveSpreadsheet();
}

/**
 * The document's properties, read with one call per execution and kept for its rest: every
 * call counts against the daily 50,000 property reads and writes, and a sync reads a dozen
 * settings. Writes go through at once and into the copy. (Each execution starts with fresh
 * globals, so the copy never outlives the execution that read it.)
 */
var STORE_SETTINGS_ = null;

function storeSettings_() {
  if (STORE_SETTINGS_ === null) STORE_SETTINGS_ = storeProps_().getProperties() || {};
  return STORE_SETTINGS_;
}

function storeGetJson_(name, fallback) {
  var text = storeSettings_()[STORE_PREFIX_ + name];
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error('sheetsync: the stored setting "' + name + '" is damaged (' + e.message +
      '); disconnect and connect again to reset it');
  }
}

function storePutJson_(name, value) {
  if (value === null || value === undefined) {
    if (storeSettings_()[STORE_PREFIX_ + name] === undefined) return;
    storeProps_().deleteProperty(STORE_PREFIX_ + name);
    delete storeSettings_()[STORE_PREFIX_ + name];
    detachedSettingWritten_(name);
    return;
  }
  var text = JSON.stringify(value);
  if (storeUtf8Bytes_(text) > STORE_PROPERTY_BYTES_) {
    throw new Error('sheetsync: the setting "' + name + '" takes ' + storeUtf8Bytes_(text) +
      ' bytes, more than the ' + STORE_PROPERTY_BYTES_ + ' a document property holds');
  }
  if (storeSettings_()[STORE_PREFIX_ + name] === text) return;
  storeProps_().setProperty(STORE_PREFIX_ + name, text);
  storeSettings_()[STORE_PREFIX_ + name] = text;
  detachedSettingWritten_(name);
}

/** The length of `text` in UTF-8 bytes (Apps Script has no TextEncoder). */
function storeUtf8Bytes_(text) {
  var bytes = 0;
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one 4-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The server this document syncs with: {url, token}, or null. */
function storeConnection_() {
  return storeGetJson_('connection', null);
}

function storeSaveConnection_(connection) {
  storePutJson_('connection', connection);
}

/**
 * The tag the server puts on the changes this document pushes, so the document never
 * re-applies its own writes. Made once per document.
 */
function storeOrigin_() {
  var origin = storeGetJson_('origin', null);
  if (!origin) {
    origin = 'sheet-' + storeNewId_();
    storePutJson_('origin', origin);
  }
  return origin;
}

/** A fresh unique id (batch ids, origins); Apps Script has no crypto, but has getUuid. */
function storeNewId_() {
  if (typeof Utilities !== 'undefined' && Utilities.getUuid) return Utilities.getUuid();
  return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
}

/**
 * The binding of one sheet: {table, policy: {default, columns}, autoSync}, with
 * {mode: 'server', serverBinding: id} while the server syncs it (ServerMode.js), or null.
 * Keyed by the sheet's id, which survives renames and moves.
 */
function storeBinding_(sheetId) {
  return storeGetJson_('binding.' + sheetId, null);
}

function storeSaveBinding_(sheetId, binding) {
  storePutJson_('binding.' + sheetId, binding);
}

/** The ids of every bound sheet of this document. */
function storeBoundSheetIds_() {
  var keys = Object.keys(storeSettings_());
  var ids = [];
  for (var i = 0; i < keys.length; i++) {
    var m = /^sheetsync\.binding\.(\d+)$/.exec(keys[i]);
    if (m) ids.push(Number(m[1]));
  }
  return ids.sort(function (a, b) { return a - b; });
}

/** The change-feed cursor the sheet has applied up to, or null before the first sync. */
function storeCursor_(sheetId) {
  return storeGetJson_('cursor.' + sheetId, null);
}

function storeSaveCursor_(sheetId, cursor) {
  storePutJson_('cursor.' + sheetId, cursor);
}

/**
 * When each row was last edited in the sheet (ms), for latest-wins: {rowKey: ms}. Kept in the
 * hidden sheet, not a property: one paste can touch thousands of keys, far past the 9 KB a
 * property value holds.
 */
function storeEditTimes_(sheetId) {
  var text = storeReadBlock_(sheetId, 'edits');
  return text ? JSON.parse(text) : {};
}

function storeSaveEditTimes_(sheetId, times) {
  var keys = Object.keys(times || {});
  storeWriteBlock_(sheetId, 'edits', keys.length ? JSON.stringify(times) : '');
}

/** The last sync's summary and its open questions (conflicts, rejections, a delete guard). */
function storeReport_(sheetId) {
  return storeGetJson_('report.' + sheetId, null);
}

function storeSaveReport_(sheetId, report) {
  var text = JSON.stringify(report);
  if (storeUtf8Bytes_(text) > STORE_PROPERTY_BYTES_) {
    // Properties hold 9 KB a value: keep the report in the hidden sheet when it is larger.
    storeWriteBlock_(sheetId, 'report', text);
    // The time and id stay in the property: an open sidebar asks it whether anything is new.
    storePutJson_('report.' + sheetId, { inSheet: true, at: report.at, id: report.id });
  } else {
    storePutJson_('report.' + sheetId, report);
  }
}

function storeReadReport_(sheetId) {
  var report = storeReport_(sheetId);
  if (report && report.inSheet) {
    var text = storeReadBlock_(sheetId, 'report');
    return text ? JSON.parse(text) : null;
  }
  return report;
}

/** The base: what the sheet and the database last agreed on, as the core keeps it. */
function storeBase_(sheetId) {
  var text = storeReadBlock_(sheetId, 'base');
  return text ? JSON.parse(text) : null;
}

function storeSaveBase_(sheetId, base) {
  storeWriteBlock_(sheetId, 'base', base === null || base === undefined ? '' : JSON.stringify(base));
}

/**
 * Applies a plan's or an answer's base updates to the stored base, in the core, and answers
 * the stored text after them. `stored`, when given, is the stored base as the caller already read it
 * (an object, or null for none), which spares reading it again.
 */
function storeUpdateBase_(core, sheetId, updates, stored) {
  var text = stored === undefined ? storeReadBlock_(sheetId, 'base') : stored === null ? '' : JSON.stringify(stored);
  text = core.applyBaseUpdates(text, updates || {});
  storeWriteBlock_(sheetId, 'base', text);
  return text;
}

/**
 * The batch being pushed: {table, batch}, batch being the core's record of it (its request
 * and what reading its answer needs; an earlier version saved {batchId, table, request,
 * recovery, newRows}, which the core upgrades: SyncPush.js). Saved before the push is sent
 * and cleared only after its answer is applied, so a push cut off by a crash or the time
 * limit is sent again with the same batch id and the server applies it once.
 */
function storePendingBatch_(sheetId) {
  var text = storeReadBlock_(sheetId, 'pending');
  return text ? JSON.parse(text) : null;
}

function storeSavePendingBatch_(sheetId, batch) {
  storeWriteBlock_(sheetId, 'pending', batch ? JSON.stringify(batch) : '');
}

/**
 * Database changes the last plan could not settle (rows held for a person), handed back to
 * the next plan before newer changes.
 */
function storeHeldChanges_(sheetId) {
  var text = storeReadBlock_(sheetId, 'held');
  return text ? JSON.parse(text) : [];
}

function storeSaveHeldChanges_(sheetId, changes) {
  storeWriteBlock_(sheetId, 'held', changes && changes.length ? JSON.stringify(changes) : '');
}

/**
 * Where a first sync that copies the table page by page stands (SyncCopy.js), or null when
 * none is under way.
 */
function storeCopy_(sheetId) {
  var text = storeReadBlock_(sheetId, 'copy');
  return text ? JSON.parse(text) : null;
}

function storeSaveCopy_(sheetId, copy) {
  storeWriteBlock_(sheetId, 'copy', copy ? JSON.stringify(copy) : '');
}

/**
 * What an unbound sheet was bound to: {table, policy, autoSync}, so binding it to the same
 * table again keeps the policy and automatic sync. Null when unknown.
 */
function storeLastBinding_(sheetId) {
  return storeGetJson_('unbound.' + sheetId, null);
}

function storeSaveLastBinding_(sheetId, last) {
  storePutJson_('unbound.' + sheetId, last);
}

/** Forgets everything about one sheet's sync (on unbind). */
function storeForgetSheet_(sheetId) {
  ['binding.', 'cursor.', 'report.', 'progress.', 'poke.'].forEach(function (name) {
    storePutJson_(name + sheetId, null);
  });
  var hidden = storeHiddenSheet_(sheetId, false);
  if (hidden) hidden.getParent().deleteSheet(hidden);
}

/** Progress of a long sync that continues in the next execution, or null. */
function storeProgress_(sheetId) {
  return storeGetJson_('progress.' + sheetId, null);
}

function storeSaveProgress_(sheetId, progress) {
  storePutJson_('progress.' + sheetId, progress);
}

function storeHiddenSheetName_(sheetId) {
  return '_sheetsync_base_' + sheetId;
}

function storeHiddenSheet_(sheetId, create) {
  var ss = storeSpreadsheet_();
  var name = storeHiddenSheetName_(sheetId);
  var sheet = ss.getSheetByName(name);
  if (!sheet && create) {
    // insertSheet makes the new sheet the active one: give the person their sheet back.
    var active = ss.getActiveSheet();
    sheet = ss.insertSheet(name, ss.getNumSheets());
    sheet.getRange(1, 1, 1, 4).setValues([['0', '0', '0', '0']]);
    sheet.hideSheet();
    if (active) ss.setActiveSheet(active);
  }
  return sheet;
}

/**
 * Reads a block of text kept as chunks down one column of the hidden sheet: row 1 holds the
 * number of chunks, rows 2.. the chunks, so a block of any size costs one range read.
 */
function storeReadBlock_(sheetId, block) {
  var sheet = storeHiddenSheet_(sheetId, false);
  if (!sheet) return '';
  var col = storeBlockColumn_(block);
  var count = Number(sheet.getRange(1, col).getValue()) || 0;
  if (count === 0) return '';
  var cells = sheet.getRange(2, col, count, 1).getValues();
  var parts = [];
  for (var i = 0; i < cells.length; i++) parts.push(String(cells[i][0]).slice(STORE_CHUNK_MARK_.length));
  return parts.join('');
}

function storeWriteBlock_(sheetId, block, text) {
  var sheet = storeHiddenSheet_(sheetId, true);
  var col = storeBlockColumn_(block);
  var old = Number(sheet.getRange(1, col).getValue()) || 0;
  var chunks = [];
  for (var i = 0; i < text.length; i += STORE_CHUNK_CHARS_) {
    chunks.push([STORE_CHUNK_MARK_ + text.slice(i, i + STORE_CHUNK_CHARS_)]);
  }
  if (chunks.length) {
    sheetEnsureSize_(sheet, chunks.length + 1, col);
    sheet.getRange(2, col, chunks.length, 1).setValues(chunks);
  }
  if (old > chunks.length) sheet.getRange(2 + chunks.length, col, old - chunks.length, 1).clearContent();
  sheet.getRange(1, col).setValue(String(chunks.length));
}

function storeBlockColumn_(block) {
  var col = STORE_BLOCKS_[block];
  if (!col) throw new Error('sheetsync: unknown storage block "' + block + '"');
  return col;
}
