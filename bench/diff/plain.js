'use strict';
// Diff benchmark, plain-JavaScript side: the keyed row diff a person would write in a page of
// JavaScript, as a baseline for the add-on's planner. Timed end to end from the two
// `getValues()`-shaped arrays (the synced table and the edited sheet): a Map of key → row text
// (the cells joined, Dates as their milliseconds) for the synced rows, then each sheet row's text
// looked up by its key; only a row whose text differs has its cells compared one by one, to
// name the changed columns. Sheet keys the Map lacks are inserts, Map keys the sheet lacks are
// deletes.
//
// Usage: node diff/plain.js ROWS RUNS   → prints one JSON result on stdout.

const { makeSheet, editSheet } = require('../lib/table');
const { median, timeRuns, peakRssMiB, log } = require('../lib/stats');

const SEP = '\u001f';

/** A cell's text for comparison: Dates by their milliseconds, everything else as JavaScript writes it. */
const cellText = (v) => (v instanceof Date ? `d${v.getTime()}` : typeof v === 'string' ? `s${v}` : `${typeof v}${v}`);

function rowText(row) {
  let text = cellText(row[0]);
  for (let c = 1; c < row.length; c += 1) text += SEP + cellText(row[c]);
  return text;
}

const sameCell = (a, b) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

/** The keyed diff of `after` against `before` (header row first in both, key in column 0). */
function plainDiff(before, after) {
  const synced = new Map();
  for (let r = 1; r < before.length; r += 1) synced.set(before[r][0], { text: rowText(before[r]), row: before[r] });
  const inserts = [];
  const updates = [];
  const seen = new Set();
  for (let r = 1; r < after.length; r += 1) {
    const row = after[r];
    const key = row[0];
    const old = synced.get(key);
    if (!old) { inserts.push(r); continue; }
    seen.add(key);
    if (old.text === rowText(row)) continue;
    const changed = [];
    for (let c = 0; c < row.length; c += 1) if (!sameCell(old.row[c], row[c])) changed.push(c);
    updates.push({ key, changed });
  }
  const deletes = [];
  for (const key of synced.keys()) if (!seen.has(key)) deletes.push(key);
  return { inserts, updates, deletes };
}

async function main() {
  const rows = Number(process.argv[2]);
  const runs = Number(process.argv[3] || 5);
  const before = makeSheet(rows);
  const { values: after, ids } = editSheet(before);
  let result = null;
  log(`plain JavaScript: ${rows} rows x ${before[0].length} columns, ${ids.length} edited, ${runs} runs`);
  const times = await timeRuns(runs, () => { result = plainDiff(before, after); });
  const found = result.updates.length;
  if (found !== ids.length || result.inserts.length || result.deletes.length
    || result.updates.some((u) => u.changed.length !== 2)) {
    throw new Error(`the plain diff found ${found} updated rows (${result.inserts.length} inserts, `
      + `${result.deletes.length} deletes), expected ${ids.length} updates of 2 cells each`);
  }
  process.stdout.write(`${JSON.stringify({
    rows, cells: rows * before[0].length, runs, times, medianMs: median(times),
    updatedFound: found, peakRssMiB: peakRssMiB(),
  })}\n`);
}

if (require.main === module) main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });

module.exports = { plainDiff };
