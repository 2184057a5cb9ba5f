/**
 * "Not now, put them back": the answer to the mass-delete question that restores, from the
 * database, the rows a person deleted in the sheet, instead of deleting them in the database.
 *
 * Which rows those are is the core's decision: the plan it would make with the deletions
 * confirmed lists them as deletes. Each is read from the server at the version the base holds
 * (the server answers it while that is the row's current version, or while the change log
 * keeps it), dropped from the base this plan starts from, and handed to the planner as a row
 * only the database has; the planner then adds it to the sheet, exactly as it adds a row
 * another application inserted. A newer change of the row in the feed wins over that image,
 * as always. A row the server no longer has stays in the base, so it is neither put back nor
 * deleted: the question is asked again for it.
 */

/**
 * The planned round that puts back the rows `planned` withheld deleting (its plan's
 * massDelete), planned again from `input` (changed in place: its base and database rows).
 * Answers the new planned round (`planned` is freed), or `planned` when nothing was withheld.
 */
function syncPutBackPlan_(ctx, input, planned) {
  if (!planned.plan.massDelete) return planned;
  planned.free();
  var confirmed = {};
  Object.keys(input).forEach(function (k) { confirmed[k] = input[k]; });
  confirmed.options = { confirmMassDelete: true };
  var deleted = ctx.core.planSync(confirmed).push.filter(function (p) { return p.change.op === 'delete'; });
  var base = {};
  Object.keys(input.base || {}).forEach(function (k) { base[k] = input.base[k]; });
  var wanted = deleted
    .map(function (p) { return { key: p.change.key, version: base[p.change.key] ? base[p.change.key][0] : null }; })
    .filter(function (w) { return w.version !== null; });
  var rows = wanted.length ? ctx.client.rowsAtVersions(input.schema.name, wanted) : [];
  var restored = [];
  rows.forEach(function (row, i) {
    if (!row) return;
    delete base[wanted[i].key];
    restored.push(row);
  });
  input.base = base;
  input.databaseRows = input.databaseRows.concat(restored);
  return syncPlan_(ctx.core, ctx.client, input);
}
