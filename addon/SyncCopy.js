/**
 * The first sync of a sheet, copied a page of the table at a time so that a table of any size
 * gets there across the 6-minute execution limit.
 *
 * Each page is planned on its own: its rows are the database side, against the sheet and the
 * base so far, and the core cuts the plan down to what concerns the page's keys (rows written
 * into or added to the sheet, the base, conflicts, and pushes of sheet values that win over
 * the database: keep_page in core/src/round/copy.rs). After each page the sheet, the base, and the copy's place (the next page's key)
 * are saved, so a later execution (the timer, an edit, the sidebar's next call) carries on
 * from there; an execution cut off part-way through a page does that page again, which binds
 * the rows it already wrote instead of adding them twice.
 *
 * The feed cursor of the first page is kept: once every page is in, an ordinary round reads
 * the changes made since, which catches whatever the database did during the copy, and sends
 * what only the sheet has (rows without a key, keys the table lacks).
 *
 * The copy's state (storeCopy_): {cursor, after, pages, rows, done, tally, problems}.
 */

/** Problems kept from earlier executions of a copy: enough to show, small to store. */
var SYNC_COPY_MAX_PROBLEMS_ = 50;

/**
 * Picks up a copy an earlier execution left part-way: its counts and problems so far (a
 * preview counts only what it would do itself).
 */
function syncCopyResume_(ctx, options) {
  ctx.copy = storeCopy_(ctx.sheetId);
  if (!ctx.copy || options.dryRun) return;
  ctx.tally = syncTally_(ctx.copy.tally);
  (ctx.copy.problems || []).forEach(function (p) { ctx.carried.push(p); });
}

/**
 * Copies pages until the table is in or the time budget is spent, then runs the ordinary round
 * that finishes the first sync. `template` is the round's input: the sheet as read at the
 * start, the time zone, policies and edit times; each page gets its own base and rows.
 */
function syncCopyRound_(ctx, template, options) {
  var copy = ctx.copy;
  if (!copy || copy.done) {
    copy = { cursor: null, after: null, pages: 0, rows: 0, done: false, tally: null, problems: [] };
    ctx.copy = copy;
  }
  var base = template.base || {};
  var round = { plan: syncCopyEmptyPlan_(), problems: [], more: false, pushed: 0, pushConflicts: 0 };
  while (!copy.done) {
    if (syncOutOfTime_(ctx)) return syncCopyPaused_(ctx, round);
    var page = ctx.client.rows(ctx.schema.name, copy.after, SYNC_PAGE_SIZE_);
    if (copy.cursor === null) {
      // Every change after the first page's cursor reaches the sheet once the copy is done.
      // It is saved before anything else, so a first page done twice keeps the first cursor.
      copy.cursor = page.cursor;
      storeSaveCopy_(ctx.sheetId, copy);
    }
    var chunk = syncCopyPage_(ctx, template, base, page.rows, options);
    base = chunk.base;
    round.plan = chunk.plan;
    round.pushConflicts += chunk.round.pushConflicts;
    if (chunk.round.more) return syncCopyPaused_(ctx, round);
    copy.after = page.next_after === undefined ? null : page.next_after;
    copy.pages++;
    copy.rows += page.rows.length;
    copy.done = copy.after === null;
    copy.tally = ctx.tally.save();
    copy.problems = (copy.problems || []).concat(chunk.problems).slice(0, SYNC_COPY_MAX_PROBLEMS_);
    chunk.problems.forEach(function (p) { ctx.carried.push(p); });
    if (copy.done) storeSaveCursor_(ctx.sheetId, copy.cursor);
    storeSaveCopy_(ctx.sheetId, copy);
  }
  if (syncOutOfTime_(ctx)) {
    // Every page is in; the next execution catches up with the feed.
    round.more = true;
    return round;
  }
  return syncRound_(ctx, options);
}

/**
 * Plans, writes and pushes one page of the table. Answers {base, plan, round, problems}: the
 * whole base after the page, the page's plan, how its pushes went, and the problems only
 * this page can report (database rows that cannot be read).
 */
function syncCopyPage_(ctx, template, base, rows, options) {
  var keys = {};
  rows.forEach(function (r) { keys[r.key] = true; });
  var input = {};
  Object.keys(template).forEach(function (k) { input[k] = template[k]; });
  input.base = base;
  input.databaseRows = rows;
  input.changes = [];
  var planned = syncPlan_(ctx.core, ctx.client, input);
  try {
    return syncCopyPageOf_(ctx, template, base, planned, keys);
  } finally {
    planned.free();
  }
}

/**
 * Writes and pushes the page planned as `planned` from the stored base `base`, once cut down
 * to its keys (the core's).
 */
function syncCopyPageOf_(ctx, template, base, planned, keys) {
  planned.keepPage(Object.keys(keys));
  var plan = planned.plan;

  if (!sheetEditsEmpty_(plan.sheetEdits)) sheetApplyEdits_(ctx.sheet, plan.sheetEdits);
  syncCopyExtendSnapshot_(ctx, template, plan.sheetEdits);
  base = JSON.parse(storeUpdateBase_(ctx.core, ctx.sheetId, plan.baseUpdates, base));
  if (plan.pendingChanges.length) {
    storeSaveHeldChanges_(ctx.sheetId, storeHeldChanges_(ctx.sheetId).concat(plan.pendingChanges));
  }
  ctx.tally.add(plan.summary, true);
  overridesKeep_(ctx, plan);

  var round = { plan: plan, problems: [], more: false, pushed: 0, pushConflicts: 0 };
  if (plan.push.length) {
    syncPushPlan_(ctx, planned, round);
    // Each answer was saved into the stored base; carry on from that.
    base = storeBase_(ctx.sheetId) || {};
  }
  var problems = plan.problems.map(syncShowProblem_).concat(round.problems.map(syncShowProblem_));
  return { base: base, plan: plan, round: round, problems: problems };
}

/**
 * Keeps the sheet as read at the start in step with the rows the copy added, rather than
 * reading the whole sheet again for every page: the next page then finds them in the base,
 * unchanged, at no cost (missing, they would look deleted). Rows written in place belong to
 * pages already done, which later pages leave alone.
 */
function syncCopyExtendSnapshot_(ctx, template, edits) {
  if (edits.deleteRows.length) {
    template.sheet = sheetReadSnapshot_(ctx.sheet);
    return;
  }
  var snapshot = template.sheet;
  edits.appends.forEach(function (row) {
    snapshot.rows.push(row);
    if (snapshot.formulas) snapshot.formulas.push([]);
  });
}

/** The round's answer when the budget ran out part-way: more to do, and how far it got. */
function syncCopyPaused_(ctx, round) {
  round.more = true;
  round.copied = ctx.copy.rows;
  round.progress = { done: ctx.copy.rows, total: null, copying: true };
  return round;
}

/** Tells how far a copy got, and forgets it once the first sync is complete. */
function syncCopyReport_(ctx, round, report) {
  if (round.copied !== undefined) {
    report.progress = round.progress;
    report.pieces = ['Copying the table: ', round.copied, ' rows read so far. '].concat(report.pieces);
    report.text = syncJoinPieces_(report.pieces);
  }
  if (!round.more && ctx.copy) {
    storeSaveCopy_(ctx.sheetId, null);
    ctx.copy = null;
  }
}

/** A plan with nothing in it, for a round that stopped before its first page. */
function syncCopyEmptyPlan_() {
  return {
    push: [],
    sheetEdits: { writes: [], deleteRows: [], appends: [], formats: [] },
    baseUpdates: {},
    conflicts: [],
    problems: [],
    needBaseImages: [],
    massDelete: null,
    pendingChanges: [],
    summary: syncTally_().zero(),
  };
}
