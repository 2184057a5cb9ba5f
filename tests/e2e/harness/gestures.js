'use strict';
// UI gestures the emulator's simulated person lacks, done the way Sheets does them: the grid
// changes and the triggers Google fires for that gesture run.

/** Drags column `from` to sit before column `to` (1-based); Sheets fires onChange OTHER. */
async function moveColumn(emu, person, sheetName, from, to) {
  const sheet = emu.spreadsheet.sheetByName(sheetName);
  sheet.rows = sheet.rows.map((r) => {
    if (!r) return r;
    const cells = Array.from({ length: Math.max(r.length, from, to) }, (_, i) => r[i]);
    const [moved] = cells.splice(from - 1, 1);
    cells.splice(to > from ? to - 2 : to - 1, 0, moved);
    const out = [];
    cells.forEach((c, i) => {
      if (c !== undefined) out[i] = c;
    });
    return out;
  });
  return emu.triggerRunner.fireChange(person, 'OTHER');
}

/**
 * Data → Create a filter, then filtering rows out. The emulator has no filter model: a filter
 * only hides rows from view (getValues still returns every row), so all that reaches the
 * add-on is the onChange Sheets fires for it.
 */
async function filterRows(emu, person) {
  return emu.triggerRunner.fireChange(person, 'OTHER');
}

module.exports = { moveColumn, filterRows };
