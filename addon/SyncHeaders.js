/**
 * The header row checked against the bound table, at bind and on every sync. A table column
 * without a header is neither read nor written (the core's rule: a header maps the column whose
 * name it equals, spaces around it aside), so the sync never tells it from a column nobody
 * filled: a header renamed or typed in another case would pass unseen until a later edit
 * showed up as a problem on a row. So it is a binding problem of its own, shown at the top of
 * the sidebar, with a one-click fix where the match is clear: a header that differs from the
 * column's name only in case (the fix writes the column's name into that header cell).
 */

/**
 * The header problems of `headers` (the sheet's first row, as text) for `columns` (the
 * table's, each {name}): [{column, header, sheetColumn, fix, message}]. `header` and
 * `sheetColumn` (1-based) name the header that differs only in case, when there is one, and
 * `fix` is then true; a missing column with no such header names none.
 */
function syncHeaderProblems_(columns, headers) {
  var trimmed = headers.map(function (h) { return String(h === null || h === undefined ? '' : h).trim(); });
  var names = columns.map(function (c) { return c.name; });
  var lower = names.map(function (n) { return n.toLowerCase(); });
  // Headers that name no column, not even in another case: a renamed header is among them.
  var strays = trimmed.filter(function (h) { return h !== '' && lower.indexOf(h.toLowerCase()) < 0; });
  var problems = [];
  columns.forEach(function (c) {
    if (trimmed.indexOf(c.name) >= 0) return;
    var at = -1;
    trimmed.forEach(function (h, i) {
      if (at < 0 && h.toLowerCase() === c.name.toLowerCase() && names.indexOf(h) < 0) at = i;
    });
    if (at >= 0) {
      problems.push({
        column: c.name,
        header: trimmed[at],
        sheetColumn: at + 1,
        fix: true,
        message: 'The header "' + trimmed[at] + '" differs from the column "' + c.name +
          '" only in case, so that column is neither read nor written.',
      });
      return;
    }
    problems.push({
      column: c.name,
      header: null,
      sheetColumn: null,
      fix: false,
      message: 'No header names the column "' + c.name + '", so it is neither read nor written. ' +
        (strays.length ? 'If ' + strays.map(function (h) { return '"' + h + '"'; }).join(' or ') +
          ' is that column renamed, name it "' + c.name + '" again.'
          : 'Add a header "' + c.name + '" to sync it.'),
    });
  });
  return problems;
}

/** The header row of `sheet` as text (empty when the sheet has none). */
function syncHeadersOf_(sheet) {
  var width = sheet.getLastColumn();
  if (width < 1 || sheet.getLastRow() < 1) return [];
  return sheet.getRange(1, 1, 1, width).getValues()[0].map(function (h) { return String(h); });
}

/**
 * The report's problems without the core's "missing column" ones, which the header problems
 * state with their fix: one message for one cause.
 */
function syncWithoutHeaderProblems_(problems) {
  return problems.filter(function (p) { return p.kind !== 'missing-column'; });
}

/**
 * Fixes the header problem of `column` on `sheet` where the match is clear: writes the
 * column's name into the header cell that differs from it only in case. Throws when there is
 * no such header (the person must rename it; nothing is guessed).
 */
function syncFixHeader_(sheet, columns, column) {
  var problem = syncHeaderProblems_(columns, syncHeadersOf_(sheet)).filter(function (p) {
    return p.column === column;
  })[0];
  if (!problem) throw new Error('the header of column "' + column + '" needs no fix');
  if (!problem.fix) {
    throw new Error('no header differs from "' + column + '" only in case; rename the header yourself');
  }
  sheet.getRange(1, problem.sheetColumn).setValue(column);
  return problem;
}
