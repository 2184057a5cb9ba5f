'use strict';
// One incremental sync of a large sheet inside the Apps Script emulator, phase by phase: where a
// sync's time goes besides the diff. The add-on's own files run in the emulator of tests/
// (tests/emulator, with its e2e harness for the database and the real server, so this needs
// tests/node_modules: `cd tests && npm ci`). The benchmark table (bench/lib/table.js) of ROWS
// rows is copied into the sheet by a first sync, then each run: a person types one new `qty` into
// one row, another application changes one row's `name`, and `syncNow` runs once.
//
// A phase is the time spent in the script's service calls of one kind, from the emulator's
// afterServiceCall hook (outermost calls only): read (getValues and every other Range/Sheet
// read), write (setValues and every other sheet write), HTTP (UrlFetchApp), other services
// (properties, lock, cache, ...). What is left of the execution's wall time is the script's
// own: converting cells, loading the core and planning, JSON. The emulator's reads copy each cell
// into the script's realm, as a real read hands over fresh values.
//
// Usage: node sync.js mariadb|postgres ROWS RUNS   → one JSON result on stdout.

const path = require('node:path');
const fs = require('node:fs');
const { COLUMNS, createTableSql, makeRow, sqlParams } = require('./lib/table');
const { median, nowMs, log } = require('./lib/stats');
const { ROOT } = require('./lib/server');

const TESTS = path.join(ROOT, 'tests');
const TABLE = 'items';
const QTY = COLUMNS.findIndex((c) => c.name === 'qty');
const BATCH = 500;

/** The phase a service call belongs to. */
function phaseOf(call) {
  if (call.startsWith('UrlFetchApp.')) return 'httpMs';
  const [service, method] = call.split('.');
  if (['Range', 'Sheet', 'Spreadsheet', 'SpreadsheetApp'].includes(service)) {
    return /^(get|is|has|find|create|copy)/.test(method) ? 'readMs' : 'writeMs';
  }
  return 'otherServicesMs';
}

async function main() {
  const dialect = process.argv[2] === 'mysql' ? 'mariadb' : process.argv[2];
  const rows = Number(process.argv[3] || 100000);
  const runs = Number(process.argv[4] || 5);
  if (!fs.existsSync(path.join(TESTS, 'node_modules'))) throw new Error('tests/node_modules is missing: cd tests && npm ci');
  const release = path.join(ROOT, 'target-bench', 'release', 'sheetsync-server');
  if (!process.env.SHEETSYNC_SERVER_BIN && fs.existsSync(release)) process.env.SHEETSYNC_SERVER_BIN = release;
  const { openStack } = require(path.join(TESTS, 'e2e', 'harness', 'stack'));
  const { addonEmulator, connectAndBind } = require(path.join(TESTS, 'e2e', 'harness', 'addon'));
  const { addonCursor, quietCursor } = require(path.join(TESTS, 'e2e', 'harness', 'feed'));

  const stack = await openStack(dialect, {
    label: 'bench_sync',
    tables: { [TABLE]: createTableSql(dialect === 'mariadb' ? 'mysql' : 'postgres', TABLE) },
  });
  try {
    const names = COLUMNS.map((c) => c.name).join(', ');
    for (let start = 0; start < rows; start += BATCH) {
      const count = Math.min(BATCH, rows - start);
      const one = `(${COLUMNS.map(() => '?').join(', ')})`;
      const params = [];
      for (let i = start; i < start + count; i += 1) params.push(...sqlParams(makeRow(i, 1)));
      await stack.sql(`INSERT INTO ${TABLE} (${names}) VALUES ${Array(count).fill(one).join(', ')}`, params);
    }
    const emu = addonEmulator({ clock: 'real', executionTimeLimitMs: 6 * 60 * 1000, timeZone: 'UTC' });
    await connectAndBind(emu, stack, TABLE);
    let t0 = nowMs();
    let executions = 0;
    for (let report = null; executions < 100 && (!report || report.more); executions += 1) {
      report = await emu.run('syncNow', {});
    }
    const firstSyncMs = nowMs() - t0;
    log(`sync ${dialect}: first sync of ${rows} rows in ${executions} executions, ${Math.round(firstSyncMs)} ms`);
    const idle = await emu.run('syncNow', {});
    if (!/in sync/i.test(idle.text)) throw new Error(`after the first sync: ${idle.text}`);

    // Outermost service calls only: a service may call another inside itself.
    let depth = 0;
    let phases = null;
    emu.beforeServiceCall(() => { depth += 1; });
    emu.afterServiceCall(({ call, ms }) => {
      depth -= 1;
      if (depth === 0 && phases) {
        const p = phaseOf(call);
        phases[p] += ms;
        phases.calls[p] = (phases.calls[p] || 0) + 1;
      }
    });
    const samples = [];
    for (let run = 0; run < runs; run += 1) {
      const sheetRow = 2 + Math.floor((rows * (run + 0.5)) / runs);
      const a1 = `${String.fromCharCode(65 + QTY)}${sheetRow}`;
      await emu.user.editCell('Sheet1', a1, 900000 + run);
      await stack.sql(`UPDATE ${TABLE} SET name = ? WHERE id = ?`, [`changed elsewhere ${run}`, 1 + ((sheetRow * 7) % rows)]);
      await quietCursor(stack, TABLE, await addonCursor(emu));
      phases = { readMs: 0, writeMs: 0, httpMs: 0, otherServicesMs: 0, calls: {} };
      depth = 0;
      t0 = nowMs();
      const report = await emu.run('syncNow', {});
      const totalMs = nowMs() - t0;
      const serviceMs = phases.readMs + phases.writeMs + phases.httpMs + phases.otherServicesMs;
      samples.push({ totalMs, ...phases, scriptMs: totalMs - serviceMs, text: report.text });
      phases = null;
      log(`sync ${dialect} run ${run + 1}: ${Math.round(totalMs)} ms: ${report.text}`);
    }
    const med = (k) => median(samples.map((s) => s[k]));
    process.stdout.write(`${JSON.stringify({
      dialect, rows, columns: COLUMNS.length, runs, firstSyncMs, firstSyncExecutions: executions,
      totalMs: med('totalMs'), readMs: med('readMs'), scriptMs: med('scriptMs'), writeMs: med('writeMs'),
      httpMs: med('httpMs'), otherServicesMs: med('otherServicesMs'), samples,
    })}\n`);
  } finally {
    await stack.close();
  }
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
