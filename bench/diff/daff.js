'use strict';
// Diff benchmark, daff side: the daff npm package (pinned 1.4.2) comparing the synced table with
// the edited sheet, keyed on the `id` column. Timed end to end from the two `getValues()`-shaped
// arrays, through one of daff's two ways in:
//
// - `view`: daff's fast path. `new daff.TableView(values)` wraps the 2-D array itself without
//   copying a cell; its cells are compared with `==`, so Dates are turned into their
//   milliseconds first, in place (two equal Dates are different objects). Each run gets fresh
//   arrays and fresh Dates, untimed, as `getValues()` hands the add-on fresh ones.
// - `simple`: daff's `SimpleTable`, built cell by cell from the arrays (its slowest path; its
//   cell view compares values by their text, so Dates need no conversion).
//
// Both then run the keyed alignment and the highlighter diff.
//
// Usage: node diff/daff.js ROWS RUNS [view|simple]   → prints one JSON result on stdout.

const daff = require('daff');
const { makeSheet, editSheet } = require('../lib/table');
const { median, nowMs, peakRssMiB, log } = require('../lib/stats');
const { fresh } = require('./input');

function simpleTable(values) {
  const height = values.length;
  const width = values[0].length;
  const table = new daff.SimpleTable(width, height);
  for (let y = 0; y < height; y += 1) {
    const row = values[y];
    for (let x = 0; x < width; x += 1) table.setCell(x, y, row[x]);
  }
  return table;
}

/** Turns every Date of `values` into its milliseconds, in place, and wraps it in a TableView. */
function tableView(values) {
  for (let y = 0; y < values.length; y += 1) {
    const row = values[y];
    for (let x = 0; x < row.length; x += 1) if (row[x] instanceof Date) row[x] = row[x].getTime();
  }
  return new daff.TableView(values);
}


function diffWithDaff(before, after, toTable) {
  const flags = new daff.CompareFlags();
  flags.ids = ['id'];
  const alignment = daff.compareTables(toTable(before), toTable(after), flags).align();
  const out = new daff.SimpleTable(0, 0);
  new daff.TableDiff(alignment, flags).hilite(out);
  let updated = 0;
  for (let y = 0; y < out.get_height(); y += 1) if (out.getCell(0, y) === '->') updated += 1;
  return updated;
}

const MODES = { view: tableView, simple: simpleTable };

async function main() {
  const rows = Number(process.argv[2]);
  const runs = Number(process.argv[3] || 5);
  const mode = process.argv[4] || 'view';
  const toTable = MODES[mode];
  if (!toTable) throw new Error(`unknown daff mode ${mode} (view or simple)`);
  const before = makeSheet(rows);
  const { values: after, ids } = editSheet(before);
  let found = 0;
  log(`daff (${mode}): ${rows} rows x ${before[0].length} columns, ${ids.length} edited, ${runs} runs`);
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const [b, a] = mode === 'view' ? [fresh(before), fresh(after)] : [before, after];
    const t0 = nowMs();
    found = diffWithDaff(b, a, toTable);
    times.push(nowMs() - t0);
  }
  if (found !== ids.length) throw new Error(`daff found ${found} updated rows, expected ${ids.length}`);
  process.stdout.write(`${JSON.stringify({
    mode, rows, cells: rows * before[0].length, runs, times, medianMs: median(times),
    updatedFound: found, peakRssMiB: peakRssMiB(),
  })}\n`);
}

if (require.main === module) main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });

module.exports = { diffWithDaff, tableView };
