/**
 * Your own conflict rule. Columns whose policy is "custom" (set in the sidebar under
 * Policies) ask this function what to keep when the sheet and the database both changed a
 * cell since the last sync. Edit it to suit your data; it runs inside the add-on, in the
 * sync, once per conflicting cell.
 *
 * It receives one plain object:
 *
 *   {
 *     table:      "orders",          // the database table
 *     key:        "42",              // the row's key, as text
 *     column:     "quantity",        // the column in conflict
 *     base:       5,                 // the value both sides last agreed on (null if none)
 *     sheet:      7,                 // the value now in the sheet
 *     database:   4,                 // the value now in the database
 *     sheetEditedAt:     1700000000000,  // ms since 1970 of the sheet edit, or null
 *     databaseChangedAt: 1700000005000   // ms since 1970 of the database change, or null
 *   }
 *
 * Values are in the database's form, as the server sends them: numbers, text, booleans and
 * null, with exact decimals, dates and times as text ("12.50", "2024-02-29",
 * "2024-02-29 13:45:00"), so no digit is lost to a floating-point number.
 *
 * Return:
 *   - "sheet" to keep the sheet's value (it is written to the database),
 *   - "database" to keep the database's value (it is written to the sheet),
 *   - {value: x} to write x to both sides (in the same form as the values above),
 *   - null to leave the conflict for a person to settle in the sidebar (the default).
 *
 * Examples:
 *
 *   // keep the larger number
 *   if (typeof conflict.sheet === 'number' && typeof conflict.database === 'number') {
 *     return conflict.sheet >= conflict.database ? 'sheet' : 'database';
 *   }
 *
 *   // the database wins for status, the sheet for notes
 *   if (conflict.column === 'status') return 'database';
 *   if (conflict.column === 'notes') return 'sheet';
 *
 * @param {Object} conflict the conflicting cell, as above
 * @return {string|Object|null} "sheet", "database", {value: x}, or null
 */
function resolveConflict(conflict) {
  return null;
}

/** Asks resolveConflict about one conflict; a throwing rule leaves the conflict held. */
function rulesAsk_(conflict) {
  var answer;
  try {
    answer = resolveConflict(conflict);
  } catch (e) {
    console.warn('resolveConflict threw for ' + conflict.table + ' key ' + conflict.key +
      ' column ' + conflict.column + ': ' + e.message + '; the conflict is held');
    return null;
  }
  if (answer === 'sheet' || answer === 'database') return { take: answer };
  if (answer && typeof answer === 'object' && 'value' in answer) return { value: answer.value };
  if (answer !== null && answer !== undefined) {
    console.warn('resolveConflict returned ' + JSON.stringify(answer) +
      '; expected "sheet", "database", {value: x} or null; the conflict is held');
  }
  return null;
}
