'use strict';
// Push throughput: ROWS rows × 20 columns inserted through the server over HTTP (bearer token,
// change-capture triggers and compare-and-set all on), in pushes of BATCH rows sent one after
// the other as the add-on sends them, against the same rows written straight into the same table
// by multi-row INSERTs (1000 rows per statement) in one transaction, with the same triggers
// installed. Every run starts from a fresh database holding an empty table, and the two paths
// take turns going first, so neither always meets the larger table. Runs repeat up to RUNS times
// but stop early once BUDGET seconds have gone (the result says how many ran).
//
// Usage: node push.js mysql|postgres ROWS RUNS BATCH BUDGET [ANALYZE_EVERY]   → one JSON result.

const { createDatabase, insertRows } = require('./lib/databases');
const { startServer } = require('./lib/server');
const { ok, agent } = require('./lib/http');
const { COLUMNS, createTableSql, makeRow, wireCells, sqlParams } = require('./lib/table');
const { median, nowMs, log } = require('./lib/stats');

const TABLE = 'items';
const KEY_STRIDE = 10000000;

/** The data rows with their keys moved into key range `range`, so the two paths never collide. */
function rowsOfRun(template, range) {
  return template.map((row) => {
    const copy = row.slice();
    copy[0] = range * KEY_STRIDE + row[0];
    return copy;
  });
}

async function pushAll(server, rows, batch, run, analyze) {
  const a = agent();
  let applied = 0;
  let analyzeMs = 0;
  const t0 = nowMs();
  for (let start = 0; start < rows.length; start += batch) {
    if (analyze && start > 0 && (start / batch) % analyze.every === 0) {
      const a0 = nowMs();
      await analyze.run();
      analyzeMs += nowMs() - a0;
    }
    const changes = rows.slice(start, start + batch).map((row) => ({ op: 'insert', cells: wireCells(row) }));
    const res = await ok(server.base, 'POST', `/v1/tables/${TABLE}/push`, {
      token: server.token,
      agent: a,
      body: { batch_id: `bench-${process.pid}-${run}-${start}`, origin: 'bench', changes },
      timeoutMs: 300000,
    });
    for (const r of res.body.results) {
      if (r.result !== 'applied') throw new Error(`a pushed row was not applied: ${JSON.stringify(r).slice(0, 400)}`);
      applied += 1;
    }
  }
  const ms = nowMs() - t0;
  a.destroy();
  if (applied !== rows.length) throw new Error(`${applied} of ${rows.length} rows applied`);
  // The pushes' own time, and the ANALYZEs' apart: autovacuum runs them in a worker of its
  // own, not inside anyone's push, so the ratio leaves them out and reports them beside it.
  return { pushMs: ms - analyzeMs, analyzeMs };
}

async function insertDirect(db, rows) {
  const conn = await db.connect();
  const t0 = nowMs();
  await conn.query('BEGIN');
  await insertRows(db, conn, TABLE, COLUMNS.map((c) => c.name), rows.map(sqlParams));
  await conn.query('COMMIT');
  const ms = nowMs() - t0;
  await conn.close();
  return ms;
}

async function oneRun(dialect, template, batch, run, analyzeEvery) {
  const db = await createDatabase(dialect, 'push');
  let server;
  try {
    const conn = await db.connect();
    await conn.query(createTableSql(dialect, TABLE));
    await conn.close();
    server = await startServer(db, TABLE);
    // With autovacuum off, nothing refreshes the planner's statistics while the table grows;
    // ANALYZE every N pushes stands in for it, between pushes; its own time is kept apart.
    const analyzer = analyzeEvery > 0 ? await db.connect() : null;
    const analyze = analyzer ? { every: analyzeEvery, run: () => analyzer.query('ANALYZE') } : null;
    const viaServer = () => pushAll(server, rowsOfRun(template, 1), batch, run, analyze);
    const direct = () => insertDirect(db, rowsOfRun(template, 2));
    let pushed;
    let directMs;
    if (run % 2 === 0) {
      pushed = await viaServer();
      directMs = await direct();
    } else {
      directMs = await direct();
      pushed = await viaServer();
    }
    if (analyzer) await analyzer.close();
    return { ...pushed, directMs, serverPeakRssMiB: server.rss().peakMiB };
  } finally {
    if (server) await server.stop();
    await db.drop();
  }
}

async function main() {
  const dialect = process.argv[2];
  const rows = Number(process.argv[3] || 100000);
  const maxRuns = Number(process.argv[4] || 3);
  const batch = Number(process.argv[5] || 1000);
  const budgetMs = Number(process.argv[6] || 300) * 1000;
  const analyzeEvery = Number(process.argv[7] || 0);
  const template = Array.from({ length: rows }, (_, i) => makeRow(i, 1));
  const started = nowMs();
  const runs = [];
  while (runs.length < maxRuns && (runs.length === 0 || nowMs() - started < budgetMs)) {
    const r = await oneRun(dialect, template, batch, runs.length, analyzeEvery);
    runs.push(r);
    const analyzed = analyzeEvery > 0 ? ` (+ ANALYZE ${r.analyzeMs.toFixed(0)} ms)` : '';
    log(`push ${dialect} run ${runs.length}/${maxRuns}: server ${r.pushMs.toFixed(0)} ms${analyzed}, direct ${r.directMs.toFixed(0)} ms`);
  }
  const pushMs = runs.map((r) => r.pushMs);
  const directMs = runs.map((r) => r.directMs);
  const analyzeMs = runs.map((r) => r.analyzeMs);
  process.stdout.write(`${JSON.stringify({
    dialect, rows, runs: runs.length, batch, analyzeEvery, pushMs, directMs, analyzeMs,
    pushRowsPerSec: rows / (median(pushMs) / 1000),
    directRowsPerSec: rows / (median(directMs) / 1000),
    ratio: median(runs.map((r) => r.directMs / r.pushMs)),
    ratioCountingAnalyze: median(runs.map((r) => r.directMs / (r.pushMs + r.analyzeMs))),
    serverPeakRssMiB: Math.max(...runs.map((r) => r.serverPeakRssMiB)),
  })}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
