/**
 * Identity of the rows a person adds, from the push until their database keys are written
 * back. A batch's answer may be read executions later (a killed execution, a lost answer, a
 * push sent again), after rows were inserted, deleted or sorted, so a new row is never found
 * again by its row number alone.
 *
 * When a batch with new rows is sent, the core records each new row's pushed content (in the
 * batch's record, recordBatch, kept with the saved batch) and names the rows to mark: the first row of
 * each run of neighbouring new rows gets developer metadata, which Sheets keeps on that row
 * as rows are inserted or deleted above it (and drops when the row is deleted). When the
 * answer is read, the marks are looked up and the core decides where each key goes
 * (core.placeNewRows): the marked row if it still holds what was pushed, else the only row
 * holding the key, else the only row with the pushed content (and the key cell it was pushed
 * with, usually empty), else nowhere, which the sidebar reports. Sorting moves values but not metadata; the content check covers it.
 */

/** The developer metadata key of a new row's mark; its value is the core's marker. */
var SYNC_NEW_ROW_MARK_ = 'sheetsync.new-row';

/** Attaches the record's marks to their rows, before the batch is sent. */
function syncMarkNewRows_(sheet, record) {
  record.marks.forEach(function (m) {
    sheet.getRange(m.sheetRow + ':' + m.sheetRow).addDeveloperMetadata(SYNC_NEW_ROW_MARK_, m.marker);
  });
}

/** Where the record's marks are now: {marker: sheet row}. */
function syncFindNewRowMarks_(sheet, record) {
  var wanted = {};
  record.marks.forEach(function (m) { wanted[m.marker] = true; });
  var found = {};
  sheet.createDeveloperMetadataFinder().withKey(SYNC_NEW_ROW_MARK_).find().forEach(function (md) {
    var marker = md.getValue();
    if (wanted[marker]) found[marker] = md.getLocation().getRow().getRow();
  });
  return found;
}

/**
 * Removes the marks of `record` once its answer is applied; with no record, every mark on the
 * sheet (a batch abandoned because the sheet was bound to another table).
 */
function syncUnmarkNewRows_(sheet, record) {
  var mine = null;
  if (record) {
    mine = {};
    record.marks.forEach(function (m) { mine[m.marker] = true; });
    if (!record.marks.length) return;
  }
  sheet.createDeveloperMetadataFinder().withKey(SYNC_NEW_ROW_MARK_).find().forEach(function (md) {
    if (!mine || mine[md.getValue()]) md.remove();
  });
}

/**
 * Where each applied new row's key goes in the sheet as it is now (core.placeNewRows). The
 * rows around the marks are read first, which settles the common case in one read; the whole
 * sheet only when some key is not placed by its mark. `input`: the table and time zone the
 * batch was planned with.
 */
function syncPlaceNewRows_(core, sheet, input, record, response) {
  var marks = syncFindNewRowMarks_(sheet, record);
  var lo = null;
  var hi = null;
  record.rows.forEach(function (r) {
    var at = marks[r.marker];
    if (at === undefined) return;
    at += r.offset;
    lo = lo === null ? at : Math.min(lo, at);
    hi = hi === null ? at : Math.max(hi, at);
  });
  var now = {
    schema: input.schema,
    timeZone: input.timeZone,
    zoneOffsets: input.zoneOffsets,
    nowMs: input.nowMs,
    sheet: null,
  };
  var places = null;
  if (lo !== null) {
    now.sheet = sheetReadRows_(sheet, lo, hi);
    if (now.sheet.headers.length) {
      places = core.placeNewRows(now, record, { rows: marks, wholeSheet: false }, response);
    }
  }
  if (!places || places.some(function (p) { return p.sheetRow === null || p.sheetRow === undefined; })) {
    now.sheet = sheetReadSnapshot_(sheet);
    places = core.placeNewRows(now, record, { rows: marks, wholeSheet: true }, response);
  }
  return places;
}

/**
 * Where the write-back of each applied update goes in a batch an earlier execution sent: the
 * row holding its key in the sheet as it is now (core.placeKeyedRows), read whole.
 */
function syncPlaceKeyedRows_(core, sheet, input, batch, response) {
  var updates = batch.push.some(function (p) { return p.change.op === 'update'; });
  if (!updates) return [];
  var now = {
    schema: input.schema,
    timeZone: input.timeZone,
    zoneOffsets: input.zoneOffsets,
    nowMs: input.nowMs,
    sheet: sheetReadSnapshot_(sheet),
  };
  return core.placeKeyedRows(now, batch, response);
}
