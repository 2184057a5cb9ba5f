'use strict';
// Diff benchmark, WebAssembly side: the add-on's own bundle (addon/WasmBundle.js) loaded as Apps
// Script loads it, planning a sync of the edited sheet against the base. Timed end to end from
// the `getValues()`-shaped 2-D array (Numbers, Strings, Booleans, Dates, "" for empty): turning
// it into the core's input as the add-on does (its own `sheetSnapshotOf_`), carrying it into
// wasm, planning, and carrying the plan back out. Each run gets a sheet of its own, made
// outside the timing, and its own peak RSS is reported. The base is read from DIR/base.json
// beforehand, as the add-on reads it from its hidden sheet before planning.
//
// Two ways across the boundary are measured: `object` (planSync, as the add-on calls it: the
// bundle's loader turns the sheet's rows into flat arrays and the rest of the input into JSON
// text) and `json` (planSyncJson: JSON.stringify of the whole input in JS, one
// string across, the plan back as JSON text and JSON.parse'd).
//
// Usage: node diff/wasm.js ROWS DIR RUNS object|json   → one JSON result on stdout.

const fs = require('node:fs');
const path = require('node:path');
const { editedSheet } = require('../lib/table');
const { median, nowMs, peakRssMiB, resetPeakRss, windowPeakRssMiB, log } = require('../lib/stats');
const { loadCore, addonSnapshotOf } = require('../lib/bundle');
const { addonInput } = require('./input');

/** How many rows the plan pushes as updates, whatever the plan's exact field names. */
function updatesIn(plan) {
  if (plan && plan.summary) {
    const s = plan.summary;
    const named = s.updatedInDatabase ?? s.updated_in_database ?? s.updated;
    if (Number.isFinite(named)) return named;
  }
  return Array.isArray(plan && plan.push) ? plan.push.length : NaN;
}

async function main() {
  const rows = Number(process.argv[2]);
  const dir = process.argv[3];
  const runs = Number(process.argv[4] || 5);
  const mode = process.argv[5] || 'object';
  // Each run plans a sheet of its own, made outside the timing, as each getValues() hands the
  // add-on fresh arrays. It is made anew rather than copied, and edited in place, so that only
  // one table was ever made for it, as in the add-on, and the peak RSS is the add-on's.
  const sheetOf = () => editedSheet(rows);
  let { values, ids } = sheetOf();
  const base = JSON.parse(fs.readFileSync(path.join(dir, 'base.json'), 'utf8'));
  const core = await loadCore();
  // Each phase's time is kept too, so a slow figure comes with where the time went.
  const phases = { convertMs: [], stringifyMs: [], wasmMs: [], parseMs: [] };
  const phase = (name, t0) => { const t = nowMs(); phases[name].push(t - t0); return t; };
  const planners = {
    object: core.planSync && ((input) => {
      const t0 = nowMs();
      const plan = core.planSync(input);
      phase('wasmMs', t0);
      return plan;
    }),
    json: core.planSyncJson && ((input) => {
      let t = nowMs();
      const text = JSON.stringify(input);
      t = phase('stringifyMs', t);
      const out = core.planSyncJson(text);
      t = phase('wasmMs', t);
      const plan = JSON.parse(out);
      phase('parseMs', t);
      return plan;
    }),
  };
  const planSync = planners[mode];
  if (!planSync) throw new Error(`the bundle has no planner for the ${mode} mode`);
  log(`wasm (${mode}): ${rows} rows x ${values[0].length} columns, ${ids.length} edited, ${runs} runs`);
  const snapshotOf = addonSnapshotOf();
  const width = values[0].length;
  let found = NaN;
  const times = [];
  const runPeaks = [];
  let windowed = false;
  for (let run = 0; run < runs; run += 1) {
    if (run > 0) {
      values = null;
      ({ values } = sheetOf());
    }
    // The peak of this run alone: the sheet it plans and what planning holds, not the tables
    // made to feed it (an add-on's execution holds only its own sheet).
    windowed = resetPeakRss();
    const t0 = nowMs();
    const input = addonInput(values, base, snapshotOf);
    phase('convertMs', t0);
    const plan = planSync(input);
    times.push(nowMs() - t0);
    runPeaks.push(windowPeakRssMiB());
    found = updatesIn(plan);
  }
  if (found !== ids.length) throw new Error(`the wasm plan updates ${found} rows, expected ${ids.length}`);
  process.stdout.write(`${JSON.stringify({
    mode, rows, cells: rows * width, runs, times, medianMs: median(times),
    phases: Object.fromEntries(Object.entries(phases).filter(([, v]) => v.length).map(([k, v]) => [k, median(v)])),
    updatedFound: found, peakRssMiB: peakRssMiB(),
    // Per run: the process's peak RSS while that run planned (its sheet included), when Linux
    // lets the peak be reset; else the process's peak so far.
    runPeakRssMiB: runPeaks, runPeakWindowed: windowed,
    cellConversion: snapshotOf ? 'addon/Sheet.js sheetSnapshotOf_' : 'bench/diff/input.js toCoreCell, a copy',
  })}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
