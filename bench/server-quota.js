'use strict';
// Server mode against Google's per-minute quotas, measured: how many bindings one service
// account keeps fresh, and at what lag. One server syncs N bindings (each its own table of
// ROWS rows and its own spreadsheet) through the Sheets API stand-in, which enforces Google's
// quotas (60 reads and 60 writes per minute per account, 300 per project; 429 past them).
// Time runs SPEEDUP times faster: the stand-in's quota minute and the server's budget window
// are 60 s ÷ SPEEDUP, its safety poll 5 min ÷ SPEEDUP and its coalescing 200 ms ÷ SPEEDUP;
// the quotas themselves stay Google's. Every figure is given in real-time equivalent
// (measured × SPEEDUP). Work the server does not scale (its CPU, the database, HTTP) is
// SPEEDUP times heavier in those figures, so they are upper bounds.
//
// Load, per binding, for MINUTES (equivalent) after every sheet got its first round: CHANGES
// SQL updates of a row by another application per hour, and as many edits by a person in the
// sheet, each followed by a poke; at random (seeded) times. Measured per change: SQL commit →
// the value in the sheet, and edit → the value in the table (poke → DB). The person's edits
// and the benchmark's looks at the sheets go to the stand-in's spreadsheets directly (as a
// person's typing does not count against the API's quota); only the server's calls count.
// A change still missing DRAIN minutes (equivalent) after the load stopped counts as lost; one
// overwritten on its way by a later change to the same cell arrives with that change.
// N is "kept fresh" when both lags have p99 ≤ 60 s (equivalent) and nothing is lost.
//
// Usage: node server-quota.js mysql|postgres N... [--speedup 20] [--minutes 20] [--changes 6]
//   → one JSON result on stdout (progress on stderr).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { createDatabase, quoteIdent } = require('./lib/databases');
const { startServer, cli } = require('./lib/server');
const { request } = require('./lib/http');
const { percentile, median, nowMs, log } = require('./lib/stats');
const { rng } = require('./lib/table');
const { createSheetsStandIn, createTestServiceAccount } = require('../tests/emulator/lib/sheetsApi');
const { SpreadsheetModel } = require('../tests/emulator/lib/grid');

const ROWS = 20;
const SHEET = 'Items';
const FRESH_S = 60;
const DRAIN_MINUTES = 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { speedup: { type: 'string', default: '20' }, minutes: { type: 'string', default: '20' }, changes: { type: 'string', default: '6' } },
});
const [dialect, ...sizes] = positionals;
const SPEEDUP = Number(opts.speedup);
const MINUTES = Number(opts.minutes);
const CHANGES_PER_HOUR = Number(opts.changes);
for (const [name, v] of [['--speedup', SPEEDUP], ['--minutes', MINUTES], ['--changes', CHANGES_PER_HOUR]]) {
  if (!(v > 0)) throw new Error(`${name} must be a number above 0, got ${JSON.stringify(opts[name.slice(2)])}`);
}
if (!['mysql', 'postgres'].includes(dialect) || sizes.length === 0 || sizes.some((n) => !(Number(n) >= 1))) {
  throw new Error('usage: node server-quota.js mysql|postgres N... [--speedup 20] [--minutes 20] [--changes 6]');
}
// 60 s ÷ SPEEDUP must be whole ms, and the safety poll whole seconds (the server's units).
const WINDOW_MS = Math.round(60000 / SPEEDUP);
const SAFETY_POLL_S = Math.max(1, Math.round(300 / SPEEDUP));
const COALESCE_MS = Math.max(1, Math.round(200 / SPEEDUP));
const eq = (realMs) => (realMs * SPEEDUP) / 1000; // real ms → equivalent seconds

const tableName = (i) => `q${i}`;

/** The table of binding `i`: ids 1..ROWS, a name and a quantity. */
async function createTables(conn, n) {
  for (let i = 1; i <= n; i++) {
    const t = quoteIdent(dialect, tableName(i));
    await conn.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, qty INT NOT NULL)`);
    const tuples = Array.from({ length: ROWS }, (_, r) => `(${r + 1}, 'item ${r + 1}', ${r + 1})`);
    await conn.query(`INSERT INTO ${t} (id, name, qty) VALUES ${tuples.join(', ')}`);
  }
}

/** The stand-in with N spreadsheets `sheet-i` (an empty tab Items each), shared with `account`. */
async function startStandIn(account, n) {
  const standIn = createSheetsStandIn({ serviceAccounts: [account], quotaWindowMs: WINDOW_MS });
  const sheets = [];
  for (let i = 1; i <= n; i++) {
    const ss = new SpreadsheetModel({ id: `sheet-${i}`, name: `bench ${i}`, timeZone: 'UTC' });
    sheets.push({ ss, sheet: ss.addSheet(SHEET) });
    standIn.addSpreadsheet(ss, { sharedWith: [account.email] });
  }
  await standIn.listen();
  return { standIn, sheets };
}

/** The 1-based sheet row holding key `id` in column A, or 0. */
function rowOf(sheet, id) {
  for (let r = 2; r <= sheet.lastRow(); r++) {
    const c = sheet.cell(r, 1);
    if (c && String(c.v) === String(id)) return r;
  }
  return 0;
}

/** Whether every sheet has its header and all its rows (the first rounds are done). */
function allSynced(sheets) {
  return sheets.every(({ sheet }) => {
    const head = sheet.cell(1, 1);
    return head && head.v === 'id' && rowOf(sheet, ROWS) > 0;
  });
}

/** Binding i's changes: `count` each way at random times in [0, periodMs). */
function schedule(n, periodMs, random) {
  const events = [];
  const perBinding = (CHANGES_PER_HOUR * MINUTES) / 60;
  for (let i = 1; i <= n; i++) {
    for (const kind of ['db', 'sheet']) {
      // A whole number of changes, the fraction drawn at random, so the rate holds on average.
      const count = Math.floor(perBinding) + (random() < perBinding % 1 ? 1 : 0);
      for (let k = 0; k < count; k++) events.push({ at: random() * periodMs, binding: i, kind });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/** Runs one size: N bindings under the load. */
async function measure(n) {
  log(`\n== server-quota: ${n} bindings, ${dialect}, speedup ${SPEEDUP}`);
  const db = await createDatabase(dialect, 'quota');
  const account = createTestServiceAccount();
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssbench-quota-'));
  const keyFile = path.join(keyDir, 'sa.json');
  const { standIn, sheets } = await startStandIn(account, n);
  standIn.writeKeyFile(keyFile, account);
  const conn = await db.connect();
  let server = null;
  try {
    await createTables(conn, n);
    const tables = Array.from({ length: n }, (_, k) => tableName(k + 1));
    const bindingIds = [];
    server = await startServer(db, tables, {
      serveArgs: ['--google-key', keyFile, '--google-api-url', standIn.url, '--instance-name', 'bench',
        '--safety-poll-seconds', String(SAFETY_POLL_S), '--coalesce-ms', String(COALESCE_MS),
        '--google-quota-window-ms', String(WINDOW_MS)],
      beforeServe: async () => {
        for (let i = 1; i <= n; i++) {
          const out = await cli(db.url, ['binding', 'create', '--spreadsheet', `sheet-${i}`, '--sheet', SHEET,
            '--table', tableName(i), '--policy', 'latest-wins']);
          const m = /binding (\d+) created/.exec(out);
          if (!m) throw new Error(`binding create printed no id: ${out}`);
          bindingIds[i] = Number(m[1]);
        }
      },
    });
    const t0 = nowMs();
    while (!allSynced(sheets)) {
      if (nowMs() - t0 > 10 * 60000) throw new Error(`the first rounds of ${n} bindings took over 10 minutes`);
      await sleep(100);
    }
    const firstRoundsS = eq(nowMs() - t0);
    log(`all ${n} sheets synced after ${firstRoundsS.toFixed(0)} s (equivalent)`);
    standIn.resetStats();

    const periodMs = (MINUTES * 60000) / SPEEDUP;
    const events = schedule(n, periodMs, rng(n));
    const pending = []; // { kind, binding, row, value, at }
    const done = { db: [], sheet: [] };
    let seq = 0;
    let stopWatch = false;
    // A change has arrived when its value is there; an earlier change to the same cell that
    // was still on its way arrived too, overwritten by this one (its value may never show).
    const arrived = (p, at) => {
      for (let k = pending.length - 1; k >= 0; k--) {
        const q = pending[k];
        if (q.kind === p.kind && q.binding === p.binding && q.row === p.row && q.at <= p.at) {
          done[q.kind].push(at - q.at);
          pending.splice(k, 1);
        }
      }
    };
    // The sheets are looked at in this process (no API call): a DB change has arrived when
    // its value is in its row's name cell.
    const sheetWatch = (async () => {
      while (!stopWatch) {
        const at = nowMs();
        for (const p of pending.filter((q) => q.kind === 'db')) {
          if (!pending.includes(p)) continue;
          const { sheet } = sheets[p.binding - 1];
          const r = rowOf(sheet, p.row);
          if (r && sheet.cell(r, 2) && sheet.cell(r, 2).v === p.value) arrived(p, at);
        }
        await sleep(20);
      }
    })();
    // A sheet edit has arrived when its value is in the table.
    const watchConn = await db.connect();
    const dbWatch = (async () => {
      while (!stopWatch) {
        const waiting = pending.filter((p) => p.kind === 'sheet');
        for (const p of waiting) {
          if (!pending.includes(p)) continue;
          const rows = await watchConn.query(`SELECT name FROM ${quoteIdent(dialect, tableName(p.binding))} WHERE id = ${p.row}`);
          if (rows.length && rows[0].name === p.value) arrived(p, nowMs());
        }
        await sleep(20);
      }
    })();

    // Database changes go to rows 1..ROWS/2, sheet edits to the others: no change meets
    // another in conflict, so each is a plain one-way sync.
    const random = rng(n + 1000);
    const start = nowMs();
    let pokeErrors = 0;
    for (const e of events) {
      const wait = start + e.at - nowMs();
      if (wait > 0) await sleep(wait);
      seq += 1;
      const half = ROWS / 2;
      if (e.kind === 'db') {
        const row = 1 + Math.floor(random() * half);
        const value = `db ${seq}`;
        await conn.query(`UPDATE ${quoteIdent(dialect, tableName(e.binding))} SET name = '${value}' WHERE id = ${row}`);
        pending.push({ kind: 'db', binding: e.binding, row, value, at: nowMs() });
      } else {
        const row = half + 1 + Math.floor(random() * half);
        const value = `sheet ${seq}`;
        const { sheet } = sheets[e.binding - 1];
        const r = rowOf(sheet, row);
        if (!r) throw new Error(`sheet-${e.binding} lost the row of id ${row}`);
        sheet.putCell(r, 2, { ...(sheet.cell(r, 2) || {}), v: value, f: undefined });
        pending.push({ kind: 'sheet', binding: e.binding, row, value, at: nowMs() });
        const res = await request(server.base, 'POST', `/v1/bindings/${bindingIds[e.binding]}/poke`, { token: server.token, body: {} });
        if (res.status !== 202) pokeErrors += 1;
      }
    }
    const loadEnd = nowMs();
    const drainMs = (DRAIN_MINUTES * 60000) / SPEEDUP;
    while (pending.length && nowMs() - loadEnd < drainMs) await sleep(50);
    stopWatch = true;
    await Promise.all([sheetWatch, dbWatch]);
    await watchConn.close();
    const lost = { db: pending.filter((p) => p.kind === 'db').length, sheet: pending.filter((p) => p.kind === 'sheet').length };
    const stats = standIn.stats;
    const figure = (xs, lostCount) => {
      if (!xs.length) return { samples: 0, lost: lostCount };
      const s = xs.map(eq);
      return { samples: s.length, lost: lostCount, p50S: median(s), p99S: percentile(s, 99), maxS: Math.max(...s) };
    };
    const dbToSheet = figure(done.db, lost.db);
    const pokeToDb = figure(done.sheet, lost.sheet);
    const fresh = [dbToSheet, pokeToDb].every((f) => f.lost === 0 && f.samples > 0 && f.p99S <= FRESH_S);
    const reads = ['spreadsheets.get', 'spreadsheets.values.get', 'spreadsheets.values.batchGet']
      .reduce((a, m) => a + (stats.byMethod[m] || 0), 0);
    const writes = stats.requests - reads - (stats.byMethod['oauth.token'] || 0);
    const minutesMeasured = eq(nowMs() - start) / 60;
    const result = {
      bindings: n, firstRoundsS, dbToSheet, pokeToDb, fresh, pokeErrors,
      quota429: stats.byStatus[429] || 0,
      readsPerMinute: reads / minutesMeasured,
      writesPerMinute: writes / minutesMeasured,
      serverRssMiB: server.rss().nowMiB,
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    if (server) await server.stop();
    await conn.close();
    await standIn.close();
    await db.drop();
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
}

async function main() {
  const levels = [];
  for (const n of sizes.map(Number)) levels.push(await measure(n));
  const kept = levels.filter((l) => l.fresh).map((l) => l.bindings);
  process.stdout.write(`${JSON.stringify({
    dialect, speedup: SPEEDUP, minutes: MINUTES, changesPerHour: CHANGES_PER_HOUR, rows: ROWS,
    safetyPollS: SAFETY_POLL_S * SPEEDUP, freshS: FRESH_S, drainMinutes: DRAIN_MINUTES,
    largestFresh: kept.length ? Math.max(...kept) : null, levels,
  })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
