'use strict';
// The diff's engines side by side in ONE process, taking turns round after round, so that a
// busy machine slows them alike and their ratios stay comparable: the add-on's planSync from
// getValues() (as bench/diff/wasm.js times it), daff's TableView path and the plain-JavaScript
// keyed diff (as bench/diff/daff.js and bench/diff/plain.js time them). For quick comparisons
// while working on the planner; the suite's own figures come from one process per engine.
//
// Usage: node diff/compare.js ROWS DIR ROUNDS   (DIR/base.json as bench/run.js prepares it)

const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { makeSheet, editSheet } = require('../lib/table');
const { fmt, log } = require('../lib/stats');
const { takeTurns } = require('../lib/turns');
const { loadCore, addonSnapshotOf } = require('../lib/bundle');
const { addonInput, fresh } = require('./input');
const { diffWithDaff, tableView } = require('./daff');
const { plainDiff } = require('./plain');

async function main() {
  const rows = Number(process.argv[2]);
  const dir = process.argv[3];
  const rounds = Number(process.argv[4] || 5);
  const before = makeSheet(rows);
  const { values, ids } = editSheet(before);
  const base = JSON.parse(fs.readFileSync(path.join(dir, 'base.json'), 'utf8'));
  const core = await loadCore();
  const snapshotOf = addonSnapshotOf();
  const engines = {
    // A fresh copy of the sheet each run (made outside the timing), as each getValues() hands
    // the add-on fresh arrays.
    wasm: (sheet) => {
      const plan = core.planSync(addonInput(sheet, base, snapshotOf));
      return plan.summary.updatedInDatabase;
    },
    daffView: (b, a) => diffWithDaff(b, a, tableView),
    plain: () => plainDiff(before, values).updates.length,
  };
  const { times, medians } = takeTurns(engines, {
    rounds,
    expected: ids.length,
    argsOf: (name) => {
      if (name === 'daffView') return [fresh(before), fresh(values)];
      return name === 'wasm' ? [fresh(values)] : [];
    },
  });
  const load = os.loadavg().map((x) => x.toFixed(2)).join('/');
  log(`${rows} rows, ${rounds} rounds, load ${load}: ${Object.entries(medians).map(([k, v]) => `${k} ${fmt(v)} ms`).join(', ')}`);
  log(`daffView ÷ wasm = ${fmt(medians.daffView / medians.wasm)}×, plain ÷ wasm = ${fmt(medians.plain / medians.wasm)}×`);
  process.stdout.write(`${JSON.stringify({ rows, rounds, loadAverage: os.loadavg(), times, medians })}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
