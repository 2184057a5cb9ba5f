/**
 * No edit lost: the values conflict policies overrode, kept so a person can find and restore
 * them.
 *
 * The core decides what lost (a plan's `overrides`: the losing side, the losing and winning
 * values, when and by whom the losing change was made where known); this file only keeps and
 * sends what it decided. Each sync keeps its plan's overrides in the sheet's hidden storage
 * (the newest OVERRIDES_KEPT_, plus at most a report's worth not yet sent, so the list stays
 * small whatever happens), and reports the sheet's losing values to the server, which keeps
 * them in the row's history with the change log (the database's losing values are already
 * there). A report that fails is sent again by the next sync; the server stores each once.
 *
 * Restoring a cell override writes the losing value back into the cell, records the edit
 * time, and syncs: to the core it is an ordinary edit of the sheet, pushed like any other.
 * A whole row that lost is put back as a new row, once (OverridesRow.js).
 */

/** How many overrides the sidebar keeps per sheet, newest first. */
var OVERRIDES_KEPT_ = 50;
/** The most overrides one report to the server carries (the server takes 1000). */
var OVERRIDES_REPORT_MAX_ = 500;

/** The overrides kept for one sheet, newest first. */
function overridesKept_(sheetId) {
  var text = storeReadBlock_(sheetId, 'overrides');
  return text ? JSON.parse(text) : [];
}

/**
 * Saves the newest OVERRIDES_KEPT_ overrides, and past them those the server has not had yet
 * (at most one report's worth), so trimming the list never loses one before it is reported.
 */
function overridesSave_(sheetId, list) {
  var kept = list.slice(0, OVERRIDES_KEPT_).concat(list.slice(OVERRIDES_KEPT_)
    .filter(function (o) { return !o.reported; }).slice(0, OVERRIDES_REPORT_MAX_));
  storeWriteBlock_(sheetId, 'overrides', kept.length ? JSON.stringify(kept) : '');
}

/**
 * Keeps the overrides of a plan whose sheet edits have been applied, then reports the
 * sheet's losing values not reported yet. A failed report never fails the sync.
 */
function overridesKeep_(ctx, plan) {
  var found = plan.overrides || [];
  var kept = overridesKept_(ctx.sheetId);
  if (found.length) {
    var origin = storeOrigin_();
    var known = {};
    kept.forEach(function (o) { known[o.id] = true; });
    var now = Date.now();
    var authors = editAuthors_(ctx.sheetId);
    var fresh = found.map(function (o) { return overridesEntry_(origin, o, now, authors); })
      .filter(function (o) { return !known[o.id]; });
    kept = fresh.reverse().concat(kept);
    overridesSave_(ctx.sheetId, kept);
  }
  overridesReport_(ctx, kept);
}

/**
 * One plan override as kept: plain data the sidebar can show. `author` is the person whose
 * sheet edit lost, where onEdit learnt it (EditAuthors.js); null when unknown.
 */
function overridesEntry_(origin, o, now, authors) {
  var column = o.column === undefined ? null : o.column;
  return {
    id: [origin, o.key, column === null ? '*' : column, o.databaseVersion, o.losingSide].join(':'),
    key: o.key,
    column: column,
    sheetRow: o.sheetRow === undefined ? null : o.sheetRow,
    kind: o.kind,
    policy: o.policy,
    side: o.losingSide,
    value: o.losingValue,
    cell: o.losingCell === undefined ? null : o.losingCell,
    winning: o.winningValue,
    changedAt: o.losingTimeMs === undefined ? null : o.losingTimeMs,
    by: o.losingOrigin === undefined ? null : o.losingOrigin,
    author: o.losingSide === 'sheet' ? editAuthorOf_(authors, o.key, o.losingTimeMs) : null,
    version: o.databaseVersion,
    at: now,
    reported: o.losingSide !== 'sheet',
    restoredAt: null,
  };
}

/** Sends the server the sheet's losing values it has not had yet. */
function overridesReport_(ctx, kept) {
  var due = kept.filter(function (o) { return !o.reported; }).slice(0, OVERRIDES_REPORT_MAX_);
  if (!due.length) return;
  try {
    ctx.client.reportOverrides(ctx.schema.name, {
      origin: storeOrigin_(),
      overrides: due.map(function (o) {
        return {
          id: o.id,
          key: o.key,
          column: o.column,
          value: o.value,
          winning_value: o.winning,
          policy: o.policy,
          edited_at_ms: o.changedAt,
          author: o.author === undefined ? null : o.author,
          database_version: o.version,
        };
      }),
    });
  } catch (e) {
    console.warn('sheetsync: reporting ' + due.length + ' overridden values failed; the next sync sends them again: ' + e.message);
    return;
  }
  var sent = {};
  due.forEach(function (o) { sent[o.id] = true; });
  kept.forEach(function (o) { if (sent[o.id]) o.reported = true; });
  overridesSave_(ctx.sheetId, kept);
}

/** The active sheet's kept overrides, newest first, for the sidebar. */
function listOverrides() {
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  if (!storeBinding_(sheetId)) return { overrides: [] };
  return {
    overrides: overridesKept_(sheetId).slice(0, OVERRIDES_KEPT_).map(function (o) {
      return {
        id: o.id,
        key: o.key,
        column: o.column,
        side: o.side,
        policy: o.policy,
        value: o.cell === null ? o.value : o.cell,
        winning: o.winning,
        changedAt: o.changedAt,
        by: o.by,
        author: o.author === undefined ? null : o.author,
        at: o.at,
        restorable: o.column === null ? overridesRowRestorable_(o) && !o.restoredAt : o.cell !== null,
        restoredAt: o.restoredAt,
      };
    }),
  };
}

/**
 * Restores a kept override: a cell's losing value goes into the row's cell (found by key,
 * wherever the row is now), a whole row is appended (OverridesRow.js); the edit is recorded
 * and synced. Answers the sync's report.
 */
function restoreOverride(id) {
  var sheet = SpreadsheetApp.getActiveSheet();
  var sheetId = sheet.getSheetId();
  var binding = storeBinding_(sheetId);
  if (!binding) throw new Error('this sheet is not bound to a table');
  var kept = overridesKept_(sheetId);
  var entry = kept.filter(function (o) { return o.id === id; })[0];
  if (!entry) throw new Error('that overridden value is no longer kept (the sidebar keeps the newest ' + OVERRIDES_KEPT_ + ')');
  if (entry.column === null) return overridesRestoreRow_(sheet, sheetId, binding, kept, entry);
  if (entry.cell === null) throw new Error('the ' + entry.column + ' of row ' + entry.key + ' has no value to restore');
  var at = overridesCellOf_(sheet, binding, entry);
  var range = sheet.getRange(at.row, at.column);
  // Text keeps its apostrophe unless the cell is plain text, as the sync's own writes do.
  var plainText = {};
  plainText[at.column] = range.getNumberFormat() === '@';
  range.setValue(sheetFromCellIn_(entry.cell, at.column, plainText));
  var times = storeEditTimes_(sheetId);
  times[String(entry.key)] = Date.now();
  storeSaveEditTimes_(sheetId, times);
  entry.restoredAt = Date.now();
  overridesSave_(sheetId, kept);
  return syncRunNow_(sheetId, {});
}

/** Where the entry's cell is now: {row, column}, or an error saying what is missing. */
function overridesCellOf_(sheet, binding, entry) {
  var width = sheet.getLastColumn();
  var headers = width ? sheet.getRange(1, 1, 1, width).getValues()[0].map(function (h) { return String(h).trim(); }) : [];
  var keyCol = triggersKeyColumn_(sheet, binding);
  var col = headers.indexOf(entry.column) + 1;
  if (!keyCol || !col) {
    throw new Error('the sheet has no "' + (keyCol ? entry.column : binding.keyColumn) + '" column to restore into');
  }
  var last = sheet.getLastRow();
  var keys = last >= SHEET_FIRST_DATA_ROW_
    ? sheet.getRange(SHEET_FIRST_DATA_ROW_, keyCol, last - SHEET_FIRST_DATA_ROW_ + 1, 1).getValues()
    : [];
  for (var i = 0; i < keys.length; i++) {
    if (String(keys[i][0]) === String(entry.key)) return { row: SHEET_FIRST_DATA_ROW_ + i, column: col };
  }
  throw new Error('row ' + entry.key + ' is no longer in the sheet, so its ' + entry.column + ' cannot be restored');
}
