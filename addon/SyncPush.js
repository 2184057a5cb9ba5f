/**
 * Exactly-once pushes. A batch is saved (with its id) before it is sent and forgotten only
 * after its answer has been applied to the sheet and the base. If the execution dies in
 * between, the next sync sends the saved batch again under the same id: the server recognises
 * the id, applies nothing twice and answers as it did the first time, so an inserted row gets
 * its database key written back exactly once.
 *
 * The core reads an answer against the input and plan the push was made from. The saved batch
 * is the core's record of it (recordBatch, core/src/round/batch.rs), which keeps just enough
 * of them to read the answer again after a crash: the sheet rows the batch came from, the
 * plan's row deletions and its writes to those rows, and the conflicts held on its rows. New
 * rows are
 * written back where they are when the answer is read, found by their marks and pushed
 * content (SyncNewRows.js), never by the row numbers saved here.
 */

/**
 * Sends the batch of planned pushes `from`..`to` of `planned` (a planned round) and applies
 * the answer. Answers {outcome, counts}.
 */
function syncPushBatch_(ctx, planned, from, to) {
  var batchId = storeNewId_();
  var saved = { table: ctx.schema.name, batch: planned.recordBatch(from, to, batchId, storeOrigin_()) };
  storeSavePendingBatch_(ctx.sheetId, saved);
  // Marked after the batch is saved, so no mark exists without its batch; a saved batch whose
  // marks are missing (the execution died in between) still finds its rows by content.
  syncMarkNewRows_(ctx.sheet, saved.batch.newRows);
  return syncSendSavedBatch_(ctx.core, ctx.client, ctx.sheet, ctx.sheetId, ctx.schema, saved, false);
}

/** Resends a batch a previous execution saved but never saw answered, if there is one. */
function syncFinishPendingBatch_(core, client, sheet, sheetId, schema, tally, problems) {
  var saved = storePendingBatch_(sheetId);
  if (!saved) return;
  if (saved.table !== schema.name || !(saved.batch || saved.recovery)) {
    // The sheet was bound to another table since: the batch belongs to nothing now.
    syncUnmarkNewRows_(sheet, null);
    storeSavePendingBatch_(sheetId, null);
    return;
  }
  if (!saved.batch) {
    // Saved by the add-on before the core kept batch records: the core reads it into one,
    // same batch id and new rows' marks, so it is sent again and applied once.
    var zone = zoneOffsets_(saved.recovery.timeZone);
    saved = { table: saved.table, batch: core.upgradeSavedBatch(saved, zone, schema, Date.now()) };
  }
  var done = syncSendSavedBatch_(core, client, sheet, sheetId, schema, saved, true);
  tally.add(done.counts, false);
  done.outcome.problems.forEach(function (p) { problems.push(p); });
}

/**
 * Sends a saved batch ({table, batch}) and applies its answer. `replay`: the batch was saved
 * by an earlier execution, so the sheet may have changed since, and changed rows are written
 * back on the row holding their key rather than at their saved row number.
 */
function syncSendSavedBatch_(core, client, sheet, sheetId, schema, saved, replay) {
  var batch = saved.batch;
  var request = batch.request;
  var response = core.checkPushResponse(request.batch_id, request.changes.length, client.push(saved.table, request));
  var from = batch.plannedFrom;
  var now = { schema: schema, timeZone: from.timeZone, zoneOffsets: from.zoneOffsets, nowMs: Date.now(), sheet: null };
  var places = batch.newRows.rows.length ? syncPlaceNewRows_(core, sheet, now, batch.newRows, response) : [];
  if (replay) places = places.concat(syncPlaceKeyedRows_(core, sheet, now, batch, response));
  var outcome = core.readAnswer(batch, schema, response, places, now.nowMs);
  if (outcome.writes.length) {
    sheetApplyEdits_(sheet, { writes: outcome.writes }, sheetPlainTextColumns_(batch.sheetEdits));
  }
  storeUpdateBase_(core, sheetId, outcome.baseUpdates);
  if (outcome.pendingChanges.length) {
    storeSaveHeldChanges_(sheetId, storeHeldChanges_(sheetId).concat(outcome.pendingChanges));
  }
  // Unmarked before the batch is forgotten, so no mark outlives its batch; a replay whose
  // marks are gone finds its rows by the keys already written or by content.
  syncUnmarkNewRows_(sheet, batch.newRows);
  storeSavePendingBatch_(sheetId, null);
  return { outcome: outcome, counts: syncCountsOf_(request.changes, response.results) };
}

/** What the database really did, counted from its answer. */
function syncCountsOf_(changes, results) {
  var counts = { updatedInDatabase: 0, insertedInDatabase: 0, deletedInDatabase: 0, pushConflicts: 0, rejected: 0 };
  results.forEach(function (r, i) {
    if (r.result === 'applied') {
      var op = changes[i].op;
      if (op === 'insert') counts.insertedInDatabase++;
      else if (op === 'update') counts.updatedInDatabase++;
      else counts.deletedInDatabase++;
    } else if (r.result === 'conflict') {
      counts.pushConflicts++;
    } else {
      counts.rejected++;
    }
  });
  return counts;
}
