// Loaded after the add-on's files: e2eSaveAsOldBatch(sheetId, withNewRows) rewrites the
// pending batch in the hidden sheet into the shape the add-on saved before the core kept batch
// records ({batchId, table, request, recovery, newRows}), as a batch an execution of the
// earlier version left unanswered is found after the add-on is updated.
function e2eSaveAsOldBatch(sheetId, withNewRows) {
  var saved = storePendingBatch_(sheetId);
  if (!saved || !saved.batch) throw new Error('no pending batch in the current shape to rewrite');
  var b = saved.batch;
  var from = b.plannedFrom;
  var formulas = {};
  Object.keys(from.rows).forEach(function (i) { formulas[i] = from.formulas[i] || []; });
  var old = {
    batchId: b.request.batch_id,
    table: saved.table,
    request: b.request,
    recovery: {
      timeZone: from.timeZone,
      headers: from.headers,
      firstRow: from.firstRow,
      rows: from.rows,
      formulas: formulas,
      push: b.push,
      sheetEdits: b.sheetEdits,
    },
  };
  if (withNewRows) old.newRows = b.newRows;
  storeSavePendingBatch_(sheetId, old);
  return old;
}
