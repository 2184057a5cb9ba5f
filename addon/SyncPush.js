/**
 * Exactly-once pushes. A batch is saved (with its id) before it is sent and forgotten only
 * after its answer has been applied to the sheet and the base. If the execution dies in
 * between, the next sync sends the saved batch again under the same id: the server recognises
 * the id, applies nothing twice and answers as it did the first time, so an inserted row gets
 * its database key written back exactly once.
 *
 * The core reads an answer against the input and plan the push was made from. The saved batch
 * therefore keeps just enough of them to read the answer again after a crash: the sheet rows
 * the batch came from, the plan's row deletions and its writes to those rows. New rows are
 * written back where they are when the answer is read, found by their marks and pushed
 * content (SyncNewRows.js), never by the row numbers saved here.
 */

/**
 * Sends one batch of planned pushes (`part`, a slice of `plan.push`) and applies the answer.
 * Answers {outcome, counts}.
 */
function syncPushBatch_(core, client, sheet, sheetId, input, plan, part) {
  var batchId = storeNewId_();
  var batch = {
    batchId: batchId,
    table: input.schema.name,
    request: {
      batch_id: batchId,
      origin: storeOrigin_(),
      changes: part.map(function (p) { return p.change; }),
    },
    recovery: syncRecoveryOf_(input, plan, part),
    newRows: syncNewRowsOf_(core, input, plan, part, batchId),
  };
  storeSavePendingBatch_(sheetId, batch);
  // Marked after the batch is saved, so no mark exists without its batch; a saved batch whose
  // marks are missing (the execution died in between) still finds its rows by content.
  syncMarkNewRows_(sheet, batch.newRows);
  return syncSendSavedBatch_(core, client, sheet, sheetId, batch, input, syncPlanPart_(plan, part), false);
}

/** Resends a batch a previous execution saved but never saw answered, if there is one. */
function syncFinishPendingBatch_(core, client, sheet, sheetId, schema, tally, problems) {
  var batch = storePendingBatch_(sheetId);
  if (!batch) return;
  if (batch.table !== schema.name || !batch.recovery) {
    // The sheet was bound to another table since: the batch belongs to nothing now.
    syncUnmarkNewRows_(sheet, null);
    storeSavePendingBatch_(sheetId, null);
    return;
  }
  var r = batch.recovery;
  var rows = [];
  var formulas = [];
  Object.keys(r.rows).forEach(function (i) {
    rows[Number(i)] = r.rows[i];
    formulas[Number(i)] = r.formulas[i] || [];
  });
  for (var i = 0; i < rows.length; i++) {
    if (!rows[i]) rows[i] = [];
    if (!formulas[i]) formulas[i] = [];
  }
  var input = {
    schema: schema,
    timeZone: r.timeZone,
    zoneOffsets: zoneOffsets_(r.timeZone),
    sheet: { headers: r.headers, rows: rows, firstRow: r.firstRow, formulas: formulas },
    nowMs: Date.now(),
  };
  var plan = syncPlanPart_({ sheetEdits: r.sheetEdits }, batch.push || r.push);
  var done = syncSendSavedBatch_(core, client, sheet, sheetId, batch, input, plan, true);
  tally.add(done.counts, false);
  done.outcome.problems.forEach(function (p) { problems.push(p); });
}

/**
 * Sends a saved batch and applies its answer. `replay`: the batch was saved by an earlier
 * execution, so the sheet may have changed since, and changed rows are written back on the
 * row holding their key rather than at their saved row number.
 */
function syncSendSavedBatch_(core, client, sheet, sheetId, batch, input, plan, replay) {
  var sent = batch.request.changes.length;
  var response = core.checkPushResponse(batch.batchId, sent, client.push(batch.table, batch.request));
  // A batch saved before new rows were recorded keeps the row numbers it was planned with.
  var places = undefined;
  if (batch.newRows) {
    places = batch.newRows.rows.length ? syncPlaceNewRows_(core, sheet, input, batch.newRows, response) : [];
    if (replay) places = places.concat(syncPlaceKeyedRows_(core, sheet, input, plan, response));
  }
  var outcome = core.applyPushResults(input, plan, response, places);
  if (outcome.writes.length) {
    sheetApplyEdits_(sheet, { writes: outcome.writes }, sheetPlainTextColumns_(plan.sheetEdits || {}));
  }
  storeSaveBase_(sheetId, syncApplyBaseUpdates_(storeBase_(sheetId) || {}, outcome.baseUpdates));
  if (outcome.pendingChanges.length) {
    storeSaveHeldChanges_(sheetId, storeHeldChanges_(sheetId).concat(outcome.pendingChanges));
  }
  // Unmarked before the batch is forgotten, so no mark outlives its batch; a replay whose
  // marks are gone finds its rows by the keys already written or by content.
  if (batch.newRows) syncUnmarkNewRows_(sheet, batch.newRows);
  storeSavePendingBatch_(sheetId, null);
  return { outcome: outcome, counts: syncCountsOf_(batch.request.changes, response.results) };
}

/** A plan that pushes only `part`, with the sheet edits the whole plan made. */
function syncPlanPart_(plan, part) {
  return {
    push: part,
    sheetEdits: plan.sheetEdits,
    baseUpdates: {},
    conflicts: [],
    problems: [],
    needBaseImages: [],
    massDelete: null,
    pendingChanges: [],
    summary: syncTally_().zero(),
  };
}

/** What reading this batch's answer needs of the input and plan, kept small. */
function syncRecoveryOf_(input, plan, part) {
  var first = input.sheet.firstRow;
  var rows = {};
  var formulas = {};
  var wanted = {};
  part.forEach(function (p) {
    if (!p.sheetRow) return;
    var i = p.sheetRow - first;
    wanted[p.sheetRow] = true;
    rows[i] = input.sheet.rows[i] || [];
    formulas[i] = (input.sheet.formulas && input.sheet.formulas[i]) || [];
  });
  return {
    timeZone: input.timeZone,
    headers: input.sheet.headers,
    firstRow: first,
    rows: rows,
    formulas: formulas,
    push: part,
    sheetEdits: {
      writes: plan.sheetEdits.writes.filter(function (w) { return wanted[w.row]; }),
      deleteRows: plan.sheetEdits.deleteRows,
      appends: [],
      // Not applied again: they say which columns are plain text for the write-backs.
      formats: plan.sheetEdits.formats,
    },
  };
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
