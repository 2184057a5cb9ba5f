'use strict';
// The planner input (the core's SyncInput, camelCase as the add-on builds it) for the diff
// benchmark: the edited sheet against the base of the table as last synced, no database
// changes, the default policies. Native and wasm runs plan from exactly this input.

const { TIME_ZONE, tableSchema } = require('../lib/table');

/** A `getValues()` cell as the add-on hands it to the core: Dates become `{ d: ms }`. */
function toCoreCell(v) {
  return v instanceof Date ? { d: v.getTime() } : v;
}

/**
 * The sheet snapshot the add-on builds from `getValues()` of the bound range (header row first),
 * each cell turned into the core's form by `toCell`.
 */
function sheetSnapshot(values, toCell = toCoreCell) {
  const rows = new Array(values.length - 1);
  for (let r = 1; r < values.length; r += 1) {
    const src = values[r];
    const row = new Array(src.length);
    for (let c = 0; c < src.length; c += 1) row[c] = toCell(src[c]);
    rows[r - 1] = row;
  }
  return { headers: values[0].map(String), rows, firstRow: 2 };
}

/** The full planner input for `values` against `base` (null: a first sync). */
function syncInput(values, base, toCell = toCoreCell) {
  const input = {
    schema: tableSchema(),
    timeZone: TIME_ZONE,
    zoneOffsets: [[0, 0]],
    sheet: sheetSnapshot(values, toCell),
    nowMs: 1700000000000,
  };
  if (base) input.base = base;
  return input;
}

module.exports = { toCoreCell, sheetSnapshot, syncInput };
