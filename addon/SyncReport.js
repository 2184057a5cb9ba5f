/**
 * What a sync tells people: counts added up across plans and push answers, one sentence
 * ("12 updated in the database, 3 rows added to the sheet, 1 conflict"), the conflicts held
 * for a person, the rows to fix, and the mass-delete question.
 */

var SYNC_COUNTS_ = [
  ['updatedInDatabase', 'updated in the database', 'updated in the database'],
  ['insertedInDatabase', 'added to the database', 'added to the database'],
  ['deletedInDatabase', 'deleted from the database', 'deleted from the database'],
  ['rowsWrittenToSheet', 'row updated in the sheet', 'rows updated in the sheet'],
  ['rowsAddedToSheet', 'row added to the sheet', 'rows added to the sheet'],
  ['rowsRemovedFromSheet', 'row removed from the sheet', 'rows removed from the sheet'],
  ['openConflicts', 'conflict', 'conflicts'],
];

/** The core's problem kind for a new row still waiting for a required value. */
var SYNC_INCOMPLETE_KIND_ = 'incomplete-row';

/** What a sync that changed nothing and left nothing waiting says. */
var SYNC_IN_SYNC_TEXT_ = 'Everything is in sync.';

/**
 * Adds up summaries. A plan's database counts are what it intends; a push answer's are what
 * happened, so once answers arrive they replace the plan's database counts. `saved` (from
 * `save()`) carries the counts of a sync that spans several executions.
 */
function syncTally_(saved) {
  var planned = (saved && saved.planned) || {};
  var done = (saved && saved.done) || {};
  var answered = !!(saved && saved.answered);
  function zero() {
    var z = {};
    SYNC_COUNTS_.forEach(function (c) { z[c[0]] = 0; });
    z.conflicts = 0;
    z.problems = 0;
    return z;
  }
  function into(target, summary) {
    Object.keys(summary || {}).forEach(function (k) {
      if (typeof summary[k] === 'number') target[k] = (target[k] || 0) + summary[k];
    });
  }
  return {
    zero: zero,
    add: function (summary, fromPlan) {
      if (fromPlan) {
        into(planned, summary);
      } else {
        answered = true;
        into(done, summary);
      }
    },
    save: function () {
      return { planned: planned, done: done, answered: answered };
    },
    counts: function () {
      var out = zero();
      into(out, planned);
      if (answered) {
        ['updatedInDatabase', 'insertedInDatabase', 'deletedInDatabase'].forEach(function (k) {
          out[k] = done[k] || 0;
        });
      }
      return out;
    },
  };
}

/**
 * The sentence for a set of counts, as pieces: strings and the numbers between them, so the
 * sidebar can print each number in the reader's locale ("20,000", "20.000") while the menu's
 * toast and the API join them plainly. `open` is syncOpenProblems_'s split of the problems.
 */
function syncSentencePieces_(counts, dryRun, open) {
  var pieces = [];
  function add(n, rest) {
    pieces.push(pieces.length ? ', ' : dryRun ? 'A sync would do this: ' : '', n, rest);
  }
  SYNC_COUNTS_.forEach(function (c) {
    var n = counts[c[0]] || 0;
    if (n) add(n, ' ' + (n === 1 ? c[1] : c[2]));
  });
  if (open.problems) {
    add(open.problems, (open.problems === 1 ? ' problem' : ' problems') + ' in ');
    pieces.push(open.problemRows, open.problemRows === 1 ? ' row' : ' rows');
  }
  if (open.incompleteRows) add(open.incompleteRows, open.incompleteRows === 1 ? ' row waiting for values' : ' rows waiting for values');
  if (!pieces.length) return [dryRun ? 'Nothing to sync: the sheet and the table agree.' : SYNC_IN_SYNC_TEXT_];
  return pieces;
}

/** Pieces (strings and numbers) joined into plain text. */
function syncJoinPieces_(pieces) {
  return pieces.join('');
}

/** How many rows (or keys, when no row is known) `problems` are in. */
function syncProblemRows_(problems) {
  var rows = {};
  problems.forEach(function (p) {
    var row = p.sheetRow === undefined ? null : p.sheetRow;
    rows[row ? 'row ' + row : p.key !== null && p.key !== undefined ? 'key ' + p.key : 'sheet'] = true;
  });
  return Object.keys(rows).length;
}

/**
 * `problems` split into rows to fix and rows still being typed: {problems, problemRows,
 * incompleteRows}. A new row waiting for a required value is no error (nothing is wrong
 * with what was typed), so it is counted apart: "1 row waiting for values".
 */
function syncOpenProblems_(problems) {
  var toFix = problems.filter(function (p) { return p.kind !== SYNC_INCOMPLETE_KIND_; });
  var incomplete = problems.filter(function (p) { return p.kind === SYNC_INCOMPLETE_KIND_; });
  return { problems: toFix.length, problemRows: syncProblemRows_(toFix), incompleteRows: syncProblemRows_(incomplete) };
}

/** The report the sidebar shows after a sync (and keeps until the next one). */
function syncReport_(plan, problems, tally, more, cursor) {
  var counts = tally.counts();
  // Rounds re-plan the same rows: what is open is what the last round left.
  var open = syncOpenProblems_(problems);
  counts.problems = open.problems;
  counts.incompleteRows = open.incompleteRows;
  counts.openConflicts = plan.summary.openConflicts;
  var pieces = syncSentencePieces_(counts, false, open);
  if (more) pieces.push(' (continuing…)');
  var report = {
    text: syncJoinPieces_(pieces),
    pieces: pieces,
    // Whether the sync changed anything, on either side (conflicts and problems only wait).
    did: SYNC_COUNTS_.some(function (c) { return c[0] !== 'openConflicts' && counts[c[0]] > 0; }),
    dryRun: false,
    counts: counts,
    conflicts: plan.conflicts.map(syncShowConflict_),
    problems: problems.map(syncShowProblem_),
    massDelete: syncShowMassDelete_(plan.massDelete),
    more: more,
    progress: more ? { done: 0, total: plan.push.length } : null,
    cursor: cursor,
    at: Date.now(),
  };
  return report;
}

/** A dry run's report: what would happen, line by line, with nothing written. */
function syncPreview_(plan, tally) {
  tally.add(plan.summary, true);
  var counts = tally.counts();
  var lines = plan.push.slice(0, 50).map(function (p) {
    var c = p.change;
    var where = p.sheetRow ? 'row ' + p.sheetRow : 'key ' + c.key;
    if (c.op === 'insert') return 'Add ' + where + ' to the database';
    if (c.op === 'update') return 'Update key ' + c.key + ' (' + Object.keys(c.cells).join(', ') + ') in the database';
    return 'Delete key ' + c.key + ' from the database';
  });
  if (plan.push.length > 50) lines.push('… and ' + (plan.push.length - 50) + ' more database changes');
  var edits = plan.sheetEdits;
  if (edits.writes.length) lines.push('Write ' + edits.writes.length + ' runs of cells in the sheet');
  if (edits.appends.length) lines.push('Add ' + edits.appends.length + ' rows to the sheet');
  if (edits.deleteRows.length) lines.push('Remove ' + edits.deleteRows.length + ' rows from the sheet');
  var open = syncOpenProblems_(plan.problems);
  counts.problems = open.problems;
  counts.incompleteRows = open.incompleteRows;
  var pieces = syncSentencePieces_(counts, true, open);
  return {
    text: syncJoinPieces_(pieces),
    pieces: pieces,
    dryRun: true,
    counts: counts,
    preview: lines,
    conflicts: plan.conflicts.map(syncShowConflict_),
    problems: plan.problems.map(syncShowProblem_),
    massDelete: syncShowMassDelete_(plan.massDelete),
    more: false,
    progress: null,
    cursor: null,
    at: Date.now(),
  };
}

function syncShowConflict_(c) {
  return {
    key: c.key,
    column: c.column === undefined ? null : c.column,
    sheetRow: c.sheetRow === undefined ? null : c.sheetRow,
    kind: c.kind,
    policy: c.policy,
    sheet: c.sheetValue === undefined ? null : c.sheetValue,
    database: c.databaseValue === undefined ? null : c.databaseValue,
    base: c.baseValue === undefined ? null : c.baseValue,
  };
}

function syncShowProblem_(p) {
  return {
    kind: p.kind,
    sheetRow: p.sheetRow === undefined ? null : p.sheetRow,
    key: p.key === undefined ? null : p.key,
    column: p.column === undefined ? null : p.column,
    message: p.message,
  };
}

function syncShowMassDelete_(m) {
  if (!m) return null;
  var pieces = ['This sync would delete ', m.withheld, ' of the ', m.baseRows,
    ' rows in the database, because they are gone from the sheet. Nothing was deleted yet.'];
  return { withheld: m.withheld, baseRows: m.baseRows, text: syncJoinPieces_(pieces), pieces: pieces };
}
