'use strict';
// UI gestures the emulator's simulated person lacks, done the way Sheets does them: the grid
// changes and the triggers Google fires for that gesture run.

const { FilterModel } = require('../../emulator/lib/filter');

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
  if (sheet.filter) {
    // The filter's criteria move with their column.
    const order = Array.from({ length: Math.max(sheet.maxCols, from, to) }, (_, i) => i + 1);
    const [moved] = order.splice(from - 1, 1);
    order.splice(to > from ? to - 2 : to - 1, 0, moved);
    sheet.filter.criteria = new Map([...sheet.filter.criteria].map(([c, v]) => [order.indexOf(c) + 1, v]));
  }
  return emu.triggerRunner.fireChange(person, 'OTHER');
}

/**
 * Data → Create a filter (over the data, when the sheet has none yet), then hiding the rows
 * whose column `col` shows one of `hidden` (null clears that column's criteria); Sheets fires
 * onChange OTHER. The filter only hides rows from view: getValues still returns every row.
 */
async function filterRows(emu, person, sheetName, col, hidden) {
  const sheet = emu.spreadsheet.sheetByName(sheetName);
  if (!sheet.filter) sheet.filter = new FilterModel(1, 1, Math.max(1, sheet.lastRow()), Math.max(1, sheet.lastColumn()));
  if (hidden) sheet.filter.criteria.set(col, { hiddenValues: hidden.map(String), type: null, values: [] });
  else sheet.filter.criteria.delete(col);
  return emu.triggerRunner.fireChange(person, 'OTHER');
}

/** Data → Remove filter; Sheets fires onChange OTHER. */
async function removeFilter(emu, person, sheetName) {
  emu.spreadsheet.sheetByName(sheetName).filter = null;
  return emu.triggerRunner.fireChange(person, 'OTHER');
}

/** The sheet rows the filter hides now. */
function hiddenRows(emu, sheetName) {
  const ss = emu.spreadsheet;
  const sheet = ss.sheetByName(sheetName);
  const out = [];
  for (let r = 1; sheet.filter && r <= sheet.lastRow(); r++) if (sheet.filter.hides(ss, sheet, r)) out.push(r);
  return out;
}

module.exports = { moveColumn, filterRows, removeFilter, hiddenRows };
