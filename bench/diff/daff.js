'use strict';
// Diff benchmark, daff side: the daff npm package (pinned 1.4.2) comparing the synced table with
// the edited sheet, keyed on the `id` column. Timed end to end from the two `getValues()`-shaped
// arrays: building daff's tables from them (its marshalling), the keyed alignment and the
// highlighter diff. daff's SimpleTable is used because its cell view compares values by their
// text; daff's TableView compares with `==`, which calls two equal Dates different.
//
// Usage: node diff/daff.js ROWS RUNS   → prints one JSON result on stdout.

const daff = require('daff');
const { makeSheet, editSheet } = require('../lib/table');
const { median, timeRuns, peakRssMiB, log } = require('../lib/stats');

function toDaffTable(values) {
  const height = values.length;
  const width = values[0].length;
  const table = new daff.SimpleTable(width, height);
  for (let y = 0; y < height; y += 1) {
    const row = values[y];
    for (let x = 0; x < width; x += 1) table.setCell(x, y, row[x]);
  }
  return table;
}

function diffWithDaff(before, after) {
  const flags = new daff.CompareFlags();
  flags.ids = ['id'];
  const alignment = daff.compareTables(toDaffTable(before), toDaffTable(after), flags).align();
  const out = new daff.SimpleTable(0, 0);
  new daff.TableDiff(alignment, flags).hilite(out);
  let updated = 0;
  for (let y = 0; y < out.get_height(); y += 1) if (out.getCell(0, y) === '->') updated += 1;
  return updated;
}

async function main() {
  const rows = Number(process.argv[2]);
  const runs = Number(process.argv[3] || 5);
  const before = makeSheet(rows);
  const { values: after, ids } = editSheet(before);
  let found = 0;
  log(`daff: ${rows} rows x ${before[0].length} columns, ${ids.length} edited, ${runs} runs`);
  const times = await timeRuns(runs, () => { found = diffWithDaff(before, after); });
  if (found !== ids.length) throw new Error(`daff found ${found} updated rows, expected ${ids.length}`);
  process.stdout.write(`${JSON.stringify({
    rows, cells: rows * before[0].length, runs, times, medianMs: median(times),
    updatedFound: found, peakRssMiB: peakRssMiB(),
  })}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
