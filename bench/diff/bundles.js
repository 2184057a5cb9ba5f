'use strict';
// Two builds of the add-on bundle taking turns in ONE process, with daff's TableView path as the
// yardstick: the before → after figures of a change to the planner, free of the drift between
// separate runs on a shared machine. Each round times planSync from getValues() (as
// bench/diff/wasm.js does) with both bundles, then daff; the bundles swap places every round,
// since whichever runs second pays for collecting the garbage of the first (the same bundle
// in both places measured 2.5% slower second).
//
// Usage: node diff/bundles.js ROWS DIR ROUNDS BEFORE AFTER
//   (DIR/base.json as bench/run.js prepares it; BEFORE, AFTER: WasmBundle.js files, converting
//   the cells with this checkout's addon/Sheet.js, or add-on folders, each with its own
//   WasmBundle.js and Sheet.js, for a change to both)

const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { makeSheet, editSheet } = require('../lib/table');
const { fmt, log } = require('../lib/stats');
const { takeTurns } = require('../lib/turns');
const { loadCore, addonSnapshotOf } = require('../lib/bundle');
const { addonInput, fresh } = require('./input');
const { diffWithDaff, tableView } = require('./daff');

async function main() {
  const [rows, dir, rounds, beforeFile, afterFile] = [Number(process.argv[2]), process.argv[3],
    Number(process.argv[4] || 5), process.argv[5], process.argv[6]];
  if (!beforeFile || !afterFile) throw new Error('usage: node diff/bundles.js ROWS DIR ROUNDS BEFORE AFTER');
  const before = makeSheet(rows);
  const { values, ids } = editSheet(before);
  const base = JSON.parse(fs.readFileSync(path.join(dir, 'base.json'), 'utf8'));
  // Each run plans a fresh copy of the sheet (made outside the timing), as each getValues()
  // hands the add-on fresh arrays.
  const planner = async (given) => {
    const file = path.resolve(given);
    const folder = fs.statSync(file).isDirectory();
    const core = await loadCore(folder ? path.join(file, 'WasmBundle.js') : file);
    const snapshotOf = folder ? addonSnapshotOf(file) : addonSnapshotOf();
    return (sheet) => core.planSync(addonInput(sheet, base, snapshotOf)).summary.updatedInDatabase;
  };
  const engines = {
    before: await planner(beforeFile),
    after: await planner(afterFile),
    daffView: (b, a) => diffWithDaff(b, a, tableView),
  };
  const { times, medians } = takeTurns(engines, {
    rounds,
    expected: ids.length,
    argsOf: (name) => (name === 'daffView' ? [fresh(before), fresh(values)] : [fresh(values)]),
    orderOf: (round) => (round % 2 ? ['after', 'before', 'daffView'] : ['before', 'after', 'daffView']),
  });
  const load = os.loadavg().map((x) => x.toFixed(2)).join('/');
  log(`${rows} rows, ${rounds} rounds, load ${load}: ${Object.entries(medians).map(([k, v]) => `${k} ${fmt(v)} ms`).join(', ')}`);
  log(`before ÷ after = ${fmt(medians.before / medians.after)}×, daffView ÷ before = ${fmt(medians.daffView / medians.before)}×, daffView ÷ after = ${fmt(medians.daffView / medians.after)}×`);
  process.stdout.write(`${JSON.stringify({ rows, rounds, loadAverage: os.loadavg(), times, medians })}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
