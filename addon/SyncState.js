/**
 * The sync state of one bound sheet: the outcome of the last sync, whoever started it (the
 * sidebar, the menu, the edit, change or timer trigger), kept in the document so that an open
 * sidebar shows what a trigger did. It says when the sync ran, who or what started it, what
 * it did (counts), and what waits for a person: the mass-delete question, conflicts, rows to
 * fix, and header problems. Nothing is "in sync" while anything waits.
 *
 * The state is the report (SyncReport.js) with these fields added; it is saved by
 * storeSaveReport_, which keeps it in a document property when it fits the 9 KB a value
 * holds and in the hidden sheet otherwise (leaving a stub in the property that still carries
 * `at`), so the sidebar's refresh costs one property read and no UrlFetch call.
 */

/** What may start a sync, as the sidebar names it. */
var SYNC_STATE_SOURCES_ = {
  sidebar: 'from the sidebar',
  menu: 'from the menu',
  bind: 'when the table was chosen',
  edit: 'after an edit',
  change: 'after rows were inserted or removed',
  timer: 'by the timer',
};

/**
 * Adds the state's fields to `report` and saves it as the sheet's state. `source` is one of
 * SYNC_STATE_SOURCES_'s names. Answers the report.
 */
function syncStateSave_(sheetId, report, source) {
  if (!SYNC_STATE_SOURCES_[source]) throw new Error('sheetsync: unknown sync source "' + source + '"');
  report.source = source;
  report.sourceText = SYNC_STATE_SOURCES_[source];
  report.by = triggersMe_();
  if (typeof report.at !== 'number') report.at = Date.now();
  // Two syncs may end in the same millisecond: the sidebar tells states apart by this id.
  report.id = storeNewId_();
  syncStateKeepAnswer_(sheetId, report);
  report.waiting = syncStateWaiting_(report);
  var waiting = report.waiting;
  if (report.text === SYNC_IN_SYNC_TEXT_ && waiting.any) {
    // A sync that did nothing is "in sync" only when nothing waits for a person.
    report.pieces = waiting.pieces;
    report.text = syncJoinPieces_(report.pieces);
  } else if (waiting.massDelete || waiting.headers) {
    // The counts name conflicts and problems; what else waits is added.
    report.pieces = (report.pieces || [report.text]).concat(' ', syncStateWaitingPieces_(waiting, false));
    report.text = syncJoinPieces_(report.pieces);
  }
  storeSaveReport_(sheetId, report);
  return report;
}

/**
 * "Keep them deleted in the sheet": recorded on the state's mass-delete question, so a
 * sidebar opened later shows the question as it was left (still pending, rows deleted in the
 * sheet and still in the database) rather than asking "Not now" again. Answers the state.
 */
function syncStateKeepDeleted_(sheetId) {
  var report = storeReadReport_(sheetId);
  if (!report || !report.massDelete) {
    throw new Error('sheetsync: there is no mass-delete question to answer: the last sync asked none');
  }
  report.massDelete.keptDeleted = true;
  // A new id: every open sidebar sees the answer on its next refresh.
  report.id = storeNewId_();
  storeSaveReport_(sheetId, report);
  return syncStateShown_(report);
}

/**
 * A later sync that asks the same mass-delete question (the same rows withheld out of the
 * same base) keeps the answer "keep them deleted"; a different question is asked afresh.
 */
function syncStateKeepAnswer_(sheetId, report) {
  var asked = report.massDelete;
  if (!asked || asked.keptDeleted) return;
  var known = storeReadReport_(sheetId);
  var before = known && known.massDelete;
  if (before && before.keptDeleted && before.withheld === asked.withheld && before.baseRows === asked.baseRows) {
    asked.keptDeleted = true;
  }
}

/** Records a sync that failed: the state says so until a sync succeeds. */
function syncStateSaveFailure_(sheetId, error, source) {
  var message = error && error.message ? error.message : String(error);
  var known = storeReadReport_(sheetId);
  // What waited before the failure still waits: keep it in view.
  var report = {
    text: 'The last sync failed: ' + message,
    failed: true,
    at: Date.now(),
    conflicts: (known && known.conflicts) || [],
    problems: (known && known.problems) || [],
    headers: (known && known.headers) || [],
    massDelete: (known && known.massDelete) || null,
  };
  return syncStateSave_(sheetId, report, source);
}

/**
 * What waits: {massDelete, conflicts, problems, problemRows, incompleteRows, headers, any,
 * pieces}.
 * Problems are counted both as problems and as the rows they are in, so the sidebar can say
 * "5 problems in 2 rows". New rows still waiting for a required value are counted apart: they
 * wait for values, not for a fix, but while they wait the sheet is not in sync.
 */
function syncStateWaiting_(report) {
  var open = syncOpenProblems_(report.problems || []);
  var waiting = {
    massDelete: !!report.massDelete,
    conflicts: (report.conflicts || []).length,
    problems: open.problems,
    problemRows: open.problemRows,
    incompleteRows: open.incompleteRows,
    headers: (report.headers || []).length,
  };
  waiting.any = waiting.massDelete || waiting.conflicts > 0 || waiting.problems > 0 || waiting.headers > 0 ||
    waiting.incompleteRows > 0;
  // The sidebar's state line, as pieces so it prints the counts in the reader's locale.
  waiting.pieces = waiting.any ? syncStateWaitingPieces_(waiting, true) : null;
  return waiting;
}

/**
 * The sentence (as pieces) that says what waits: everything when `all`, else only what the
 * counts leave out (the mass-delete question and header problems).
 */
function syncStateWaitingPieces_(waiting, all) {
  var pieces = ['Not in sync: '];
  var sep = 'waiting for you (';
  function add(n, one, many) {
    pieces.push(sep, n, n === 1 ? one : many);
    sep = ', ';
  }
  if (waiting.massDelete) {
    pieces.push(sep, 'a question about deleted rows');
    sep = ', ';
  }
  if (waiting.headers) add(waiting.headers, ' header problem', ' header problems');
  if (all && waiting.conflicts) add(waiting.conflicts, ' conflict', ' conflicts');
  if (all && waiting.problems) {
    add(waiting.problems, ' problem in ', ' problems in ');
    pieces.push(waiting.problemRows, waiting.problemRows === 1 ? ' row' : ' rows');
  }
  var forYou = sep === ', ';
  if (forYou) pieces.push(')');
  if (all && waiting.incompleteRows) {
    // A row being typed waits for its missing values, not for a decision.
    pieces.push(forYou ? '; ' : '', waiting.incompleteRows,
      waiting.incompleteRows === 1 ? ' row waiting for values' : ' rows waiting for values');
  }
  pieces.push('.');
  return pieces;
}

/**
 * `report` as the sidebar shows it: a report saved before the state had its fields (by an
 * earlier version of the add-on) gets what waits counted from what it holds.
 */
function syncStateShown_(report) {
  if (report && (!report.waiting || report.waiting.pieces === undefined || report.waiting.incompleteRows === undefined)) {
    report.waiting = syncStateWaiting_(report);
  }
  return report;
}

/**
 * The state the sidebar refreshes with: null when it already shows the state `knownId`, else
 * {id, report}. Reads the document's properties once (and the hidden sheet only when the
 * state is too large for a property and has changed).
 */
function syncStateSince_(sheetId, knownId) {
  var stub = storeReport_(sheetId);
  if (!stub) return knownId === null ? null : { id: null, report: null };
  if (knownId !== null && knownId !== undefined && stub.id === knownId) return null;
  return { id: stub.id || null, report: syncStateShown_(stub.inSheet ? storeReadReport_(sheetId) : stub) };
}
