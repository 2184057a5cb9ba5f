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
  return inputOf(sheetSnapshot(values, toCell), base);
}

/**
 * The planner input as the add-on builds it from `values` (a fresh getValues() array, header row
 * first): through `snapshotOf`, the add-on's `sheetSnapshotOf_`, which hands the rows over as
 * getValues() gave them (the bundle's loader reads their Dates). The sheet has no formulas (an empty formula row each, so the
 * formula scan the add-on also makes is not counted). Without the add-on's function, the rows
 * are copied with `toCoreCell`.
 */
function addonInput(values, base, snapshotOf) {
  if (!snapshotOf) return syncInput(values, base);
  const rows = values.slice(1);
  const sheet = snapshotOf(rows, rows.map(() => []), 2);
  sheet.headers = values[0].map(String);
  return inputOf(sheet, base);
}

function inputOf(sheet, base) {
  const input = {
    schema: tableSchema(),
    timeZone: TIME_ZONE,
    zoneOffsets: [[0, 0]],
    sheet,
    nowMs: 1700000000000,
  };
  if (base) input.base = base;
  return input;
}

/** A fresh copy of getValues()-shaped `values` (new arrays, new Dates), as getValues() hands out. */
function fresh(values) {
  return values.map((row) => row.map((v) => (v instanceof Date ? new Date(v.getTime()) : v)));
}

module.exports = { toCoreCell, sheetSnapshot, syncInput, addonInput, fresh };
