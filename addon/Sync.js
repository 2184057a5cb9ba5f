/**
 * The sync loop for one bound sheet, run under the document lock (or, for a clock trigger
 * without its document, the lock DetachedTimer.js describes):
 *
 *   finish a batch a previous run left unanswered (same batch id: the server applies it once)
 *   → read the sheet → read database changes since the cursor (the first time, copy the
 *   table page by page instead: SyncCopy.js)
 *   → plan in the core → fetch base images if the plan asks, ask resolveConflict about
 *   "custom" conflicts, and plan again → write the sheet's edits and the base → push the
 *   database changes in batches, each saved before it is sent → apply each answer → save the
 *   base, cursor and report.
 *
 * The core keeps nothing between executions (a planned round lives only as long as its round)
 * and the base is saved after every batch, so a sync cut off by the 6-minute limit loses
 * nothing: the next run plans again from what was saved and carries on.
 */

/** Stop starting new work after this long, leaving room to save before the 6-minute limit. */
var SYNC_TIME_BUDGET_MS_ = 4.5 * 60 * 1000;
/** Changes per push batch: one transaction on the server, one answer to apply. */
var SYNC_BATCH_SIZE_ = 500;
/** Rows per page when reading the table or its changes. */
var SYNC_PAGE_SIZE_ = 5000;

/**
 * Calls fn(core) with the wasm core. Where the runtime compiles the module synchronously,
 * fn runs at once and its answer is returned as is: the whole execution then ends when the
 * entry point returns, so it works even if Apps Script does not wait for a returned Promise.
 * Where the runtime refuses a synchronous compile, the answer is a Promise that resolves
 * once the core has been instantiated asynchronously (and the platform must wait for it).
 */
function withCore_(fn) {
  var core = sheetsyncCoreNow();
  if (core) return fn(core);
  return sheetsyncCore().then(fn);
}

/** Applies fn to a value that may be a Promise (see withCore_), keeping its shape. */
function thenOrNow_(value, fn) {
  if (value && typeof value.then === 'function') return value.then(fn);
  return fn(value);
}

/** Runs a sync for the sidebar or the menu: answers the report, throws what went wrong. */
function syncRunNow_(sheetId, options) {
  if (serverModeOn_(sheetId)) return serverModeSyncNow_(sheetId, options);
  return withCore_(function (core) {
    var lock = detachedSyncLock_();
    if (!lock.tryLock(30000)) {
      return { text: 'Another sync of this document is running; try again in a moment.', busy: true };
    }
    try {
      return syncRun_(core, sheetId, options);
    } catch (e) {
      // The state says the sync failed until one succeeds, in every open sidebar.
      if (!options.dryRun && storeBinding_(sheetId)) syncStateSaveFailure_(sheetId, e, options.source || 'sidebar');
      throw e;
    } finally {
      lock.releaseLock();
    }
  });
}

/** Runs a sync for a trigger: never throws (a trigger has nobody to tell), logs instead. */
function syncRunFromTrigger_(core, sheetId, why) {
  var lock = detachedSyncLock_();
  // An edit waits for a running sync, which may have read the sheet before the edit; the
  // timer need not, the next tick comes soon enough.
  if (!lock.tryLock(why === 'timer' ? 1000 : 25000)) return null;
  try {
    return syncRun_(core, sheetId, { trigger: why });
  } catch (e) {
    console.error('sheetsync (' + why + ') sheet ' + sheetId + ': ' + (e && e.stack ? e.stack : e));
    syncStateSaveFailure_(sheetId, e, why);
    return null;
  } finally {
    lock.releaseLock();
  }
}

/** A sync goes round again at most this often when its pushes met concurrent changes. */
var SYNC_MAX_ROUNDS_ = 3;

/**
 * One sync of one sheet. options: {dryRun, confirmMassDelete, putBack, resolutions, trigger,
 * source}: `putBack` answers the mass-delete question by restoring the rows from the database
 * (SyncPutBack.js); `trigger` or `source` says what started the sync (SyncState.js).
 * Answers the report the sidebar shows, saved as the sheet's sync state.
 */
function syncRun_(core, sheetId, options) {
  var binding = storeBinding_(sheetId);
  if (!binding) throw new Error('this sheet is not bound to a table yet: choose one in the sidebar');
  var client = serverClient_(storeConnection_());
  var ctx = {
    started: Date.now(),
    sheetId: sheetId,
    binding: binding,
    sheet: sheetById_(sheetId),
    client: client,
    core: core,
    schema: syncSchema_(core, client, binding.table),
    tally: syncTally_(),
    carried: [],
    copy: null,
  };
  syncCopyResume_(ctx, options);
  if (!options.dryRun) {
    syncFinishPendingBatch_(core, client, ctx.sheet, sheetId, ctx.schema, ctx.tally, ctx.carried);
  }
  var round;
  var rounds = 0;
  do {
    // Rows that met a concurrent database change come back as changes: merge them at once.
    round = syncRound_(ctx, rounds === 0 ? options : { confirmMassDelete: options.confirmMassDelete });
    rounds++;
  } while (!options.dryRun && round.pushConflicts > 0 && !round.more && rounds < SYNC_MAX_ROUNDS_ &&
    Date.now() - ctx.started < SYNC_TIME_BUDGET_MS_ / 2);
  if (options.dryRun) return round.report;
  syncForgetEditTimes_(sheetId, ctx.started);
  // Header problems are shown with their fix, once: not again as the core's row problems.
  var problems = syncWithoutHeaderProblems_(ctx.carried.concat(round.problems));
  var report = syncReport_(round.plan, problems, ctx.tally, round.more, storeCursor_(sheetId));
  report.headers = syncHeaderProblems_(ctx.schema.columns, syncHeadersOf_(ctx.sheet));
  if (round.more) report.progress = { done: round.pushed, total: round.plan.push.length };
  syncCopyReport_(ctx, round, report);
  syncStateSave_(sheetId, report, options.trigger || options.source || 'sidebar');
  storeSaveProgress_(sheetId, round.more ? report.progress : null);
  return report;
}

/** Reads, plans, writes the sheet and pushes once. */
function syncRound_(ctx, options) {
  var core = ctx.core;
  var client = ctx.client;
  var sheetId = ctx.sheetId;
  var base = storeBase_(sheetId);
  var timeZone = storeSpreadsheet_().getSpreadsheetTimeZone();
  var input = {
    schema: ctx.schema,
    timeZone: timeZone,
    zoneOffsets: zoneOffsets_(timeZone),
    sheet: sheetReadSnapshot_(ctx.sheet),
    base: base,
    changes: storeHeldChanges_(sheetId),
    databaseRows: [],
    policies: ctx.binding.policy || { default: 'database-wins', columns: {} },
    editTimes: storeEditTimes_(sheetId),
    resolutions: options.resolutions || [],
    baseImages: {},
    baseImageUnavailable: [],
    nowMs: Date.now(),
    options: { confirmMassDelete: !!options.confirmMassDelete },
  };
  // A first sync copies the table page by page (SyncCopy.js); its preview reads it whole.
  var copying = base === null || (ctx.copy !== null && !ctx.copy.done);
  if (copying && !options.dryRun) return syncCopyRound_(ctx, input, options);
  if (copying) input.base = null;
  var cursor = storeCursor_(sheetId);
  var feed = copying
    ? syncReadTable_(client, ctx.schema)
    : syncReadChanges_(client, ctx.schema, cursor, syncGivenPage_(core, ctx.schema, cursor, options.changePage));
  input.databaseRows = feed.rows;
  input.changes = input.changes.concat(feed.changes);

  var planned = syncPlan_(core, client, input);
  if (options.putBack) planned = syncPutBackPlan_(ctx, input, planned);
  var plan = planned.plan;
  if (!copying) syncKeyOrderAppends_(ctx, input, plan);
  if (options.dryRun) {
    planned.free();
    return { report: syncPreview_(plan, ctx.tally) };
  }

  if (!sheetEditsEmpty_(plan.sheetEdits)) sheetApplyEdits_(ctx.sheet, plan.sheetEdits);
  storeUpdateBase_(core, sheetId, plan.baseUpdates, base);
  storeSaveHeldChanges_(sheetId, plan.pendingChanges);
  storeSaveCursor_(sheetId, feed.cursor);
  ctx.tally.add(plan.summary, true);
  overridesKeep_(ctx, plan);

  var round = { plan: plan, problems: plan.problems.slice(), more: false, pushed: 0, pushConflicts: 0 };
  try {
    syncPushPlan_(ctx, planned, round);
  } finally {
    planned.free();
  }
  return round;
}

/**
 * Sends the push of `planned` (a planned round) in batches, each saved before it is sent,
 * adding what happened to `round`; stops between batches when the time budget is spent
 * (round.more).
 */
function syncPushPlan_(ctx, planned, round) {
  var total = planned.plan.push.length;
  for (var i = 0; i < total; i += SYNC_BATCH_SIZE_) {
    if (syncOutOfTime_(ctx)) {
      round.more = true;
      break;
    }
    var to = Math.min(i + SYNC_BATCH_SIZE_, total);
    var done = syncPushBatch_(ctx, planned, i, to);
    round.pushed += to - i;
    round.pushConflicts += done.counts.pushConflicts;
    ctx.tally.add(done.counts, false);
    round.problems = round.problems.concat(done.outcome.problems);
  }
  return round;
}

/** Whether this execution has spent its budget and must leave the rest to the next one. */
function syncOutOfTime_(ctx) {
  return Date.now() - ctx.started > SYNC_TIME_BUDGET_MS_;
}

/** The bound table's schema, checked by the core (protocol version, single-column key). */
function syncSchema_(core, client, tableName) {
  var list = core.decodeTableList(client.listTables());
  var table = list.tables.filter(function (t) { return t.name === tableName; })[0];
  if (!table) {
    throw new Error('the server no longer offers table "' + tableName + '" to this token');
  }
  apiKeyColumn_(core, table);
  return table;
}

/** The first sync: every row of the table, in key-ordered pages, and the cursor to go on from. */
function syncReadTable_(client, schema) {
  var rows = [];
  var after = null;
  var cursor = null;
  do {
    // Rows are checked against the schema by the planner, which reports a bad one as a
    // problem of that row instead of failing the whole sync.
    var page = client.rows(schema.name, after, SYNC_PAGE_SIZE_);
    // The first page's cursor is the one every later change is newer than.
    if (cursor === null) cursor = page.cursor;
    rows = rows.concat(page.rows);
    after = page.next_after;
  } while (after !== null && after !== undefined);
  return { rows: rows, changes: [], cursor: cursor };
}

/**
 * Every change since `cursor`, page after page, without waiting. `first`, when given, is the
 * first page, already read (by the sidebar): it is not asked for again.
 */
function syncReadChanges_(client, schema, cursor, first) {
  var changes = [];
  var page;
  do {
    page = first || client.changes(schema.name, cursor, SYNC_PAGE_SIZE_, 0);
    first = null;
    changes = changes.concat(page.changes);
    cursor = page.cursor;
  } while (page.more);
  return { rows: [], changes: changes, cursor: cursor };
}

/**
 * A page of changes the sidebar read from the server itself ({from, page}), if it can stand
 * for the first page this sync would read: it must start at this sheet's cursor (a page read
 * before the last sync, or after another page, would skip or repeat changes) and pass the
 * core's check against the table. Otherwise null, and the sync reads the page itself.
 */
function syncGivenPage_(core, schema, cursor, given) {
  if (!given || !given.page || cursor === null || String(given.from) !== String(cursor)) return null;
  try {
    return core.checkChangePage(schema, given.page);
  } catch (e) {
    return null;
  }
}

/**
 * Plans a round (the sheet crosses into the core once), then plans it again while the plan
 * asks for something the add-on can get: base images (for numeric-delta) and answers from
 * resolveConflict (for custom conflicts). Answers the planned round; free() it when done.
 */
function syncPlan_(core, client, input) {
  var planned = core.planRound(input);
  try {
    if (planned.plan.needBaseImages.length) {
      var fetched = syncFetchBaseImages_(client, input.schema, planned.plan.needBaseImages);
      planned.addBaseImages(fetched.images, fetched.unavailable);
    }
    planned.resolve(syncAskRules_(input.schema, planned.plan.conflicts));
  } catch (e) {
    planned.free();
    throw e;
  }
  return planned;
}

function syncFetchBaseImages_(client, schema, wanted) {
  var images = {};
  var unavailable = [];
  var rows = client.rowsAtVersions(schema.name, wanted);
  wanted.forEach(function (w, i) {
    if (rows[i]) images[w.key] = rows[i];
    else unavailable.push(w.key);
  });
  return { images: images, unavailable: unavailable };
}

/** Asks Rules.js's resolveConflict about each held custom conflict. */
function syncAskRules_(schema, conflicts) {
  var answers = [];
  conflicts.forEach(function (c) {
    if (c.policy !== 'custom' || !c.column) return;
    var rule = rulesAsk_({
      table: schema.name,
      key: c.key,
      column: c.column,
      base: c.baseValue === undefined ? null : c.baseValue,
      sheet: c.sheetValue,
      database: c.databaseValue,
      sheetEditedAt: c.sheetTimeMs === undefined ? null : c.sheetTimeMs,
      databaseChangedAt: c.databaseTimeMs === undefined ? null : c.databaseTimeMs,
    });
    if (!rule) return;
    answers.push({ key: c.key, column: c.column, choose: rule.take ? rule.take : { value: rule.value } });
  });
  return answers;
}

/** Forgets the edit times recorded before this sync began (they have been used). */
function syncForgetEditTimes_(sheetId, before) {
  var times = storeEditTimes_(sheetId);
  var used = Object.keys(times).filter(function (k) { return times[k] <= before; });
  if (!used.length) return;
  used.forEach(function (k) { delete times[k]; });
  storeSaveEditTimes_(sheetId, times);
}
