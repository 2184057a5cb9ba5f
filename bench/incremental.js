'use strict';
// Incremental cost: what one sync costs on the wire and in server time after a person changed one
// cell of a 1M-cell sheet (50,000 rows × 20 columns) that is already in sync. A sync is then a
// push of that one row (only the changed cell, with the version it was based on) followed by a
// changes poll from the client's cursor, as the add-on does; the poll is the one that delivers
// the change back (the echo of the push, which the client recognises by its origin). Bytes are counted on the socket,
// headers included (the request headers are this client's own, minimal set), and separately as
// bodies; time is the round trip on loopback. Each run edits a different row.
//
// Usage: node incremental.js mysql|postgres RUNS   → one JSON result on stdout.

const { createDatabase, insertRows } = require('./lib/databases');
const { startServer } = require('./lib/server');
const { ok, agent } = require('./lib/http');
const { COLUMNS, createTableSql, makeRow, sqlParams } = require('./lib/table');
const { median, log } = require('./lib/stats');

const TABLE = 'items';
const ROWS = 50000;

/** Reads the whole table in key-ordered pages: versions by key and the first page's cursor. */
async function loadSnapshot(server, a) {
  const versions = new Map();
  let after = null;
  let cursor = null;
  for (let page = 0; page < 10000; page += 1) {
    const q = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const res = await ok(server.base, 'GET', `/v1/tables/${TABLE}/rows?limit=5000${q}`, { token: server.token, agent: a });
    if (cursor === null) cursor = res.body.cursor;
    for (const row of res.body.rows) versions.set(row.key, row.version);
    after = res.body.next_after;
    if (after === null || after === undefined) break;
  }
  return { versions, cursor };
}

async function main() {
  const dialect = process.argv[2];
  const runs = Number(process.argv[3] || 21);
  const db = await createDatabase(dialect, 'incr');
  let server;
  try {
    const conn = await db.connect();
    await conn.query(createTableSql(dialect, TABLE));
    await insertRows(db, conn, TABLE, COLUMNS.map((c) => c.name),
      Array.from({ length: ROWS }, (_, i) => sqlParams(makeRow(i, 1))));
    await conn.close();
    server = await startServer(db, TABLE);
    const a = agent();
    const snapshot = await loadSnapshot(server, a);
    // A short snapshot is a server fault worth reporting, not a reason to measure nothing: the
    // edited rows are taken from those the snapshot did deliver.
    const keys = [...snapshot.versions.keys()];
    if (keys.length !== ROWS) log(`incremental ${dialect}: the row pages delivered ${keys.length} of ${ROWS} rows`);
    let { cursor } = snapshot;
    const push = [];
    const poll = [];
    for (let run = 0; run < runs; run += 1) {
      const key = keys[(run * 2311) % keys.length];
      const body = {
        batch_id: `incr-${process.pid}-${run}`,
        origin: 'bench-sheet',
        changes: [{ op: 'update', key, expected_version: snapshot.versions.get(key), cells: { qty: 50000 + run } }],
      };
      const p = await ok(server.base, 'POST', `/v1/tables/${TABLE}/push`, { token: server.token, agent: a, body, gzip: true });
      const result = p.body.results[0];
      if (result.result !== 'applied') throw new Error(`the one-cell push was not applied: ${JSON.stringify(result)}`);
      snapshot.versions.set(key, result.version);
      // The poll that matters is the one that delivers the change (its echo, marked with this
      // client's origin); give the feed's sequencer time to stamp it, outside the timing.
      await new Promise((r) => setTimeout(r, 250));
      const c = await ok(server.base, 'GET',
        `/v1/tables/${TABLE}/changes?cursor=${encodeURIComponent(cursor)}&limit=1000&wait=0`,
        { token: server.token, agent: a, gzip: true });
      cursor = c.body.cursor;
      if (!c.body.changes.some((ch) => ch.key === key)) throw new Error(`the poll after the push did not deliver row ${key}`);
      push.push(p);
      poll.push(c);
    }
    a.destroy();
    const pick = (list, field) => median(list.map((r) => r[field]));
    const summary = (list) => ({
      bytesOut: pick(list, 'bytesOut'), bytesIn: pick(list, 'bytesIn'),
      bodyBytesOut: pick(list, 'bodyBytesOut'), bodyBytesIn: pick(list, 'bodyBytesIn'), ms: pick(list, 'ms'),
    });
    const result = {
      dialect, rows: ROWS, cells: ROWS * COLUMNS.length, runs, snapshotRows: keys.length,
      push: summary(push), poll: summary(poll),
      sentBytes: median(push.map((r, i) => r.bytesOut + poll[i].bytesOut)),
      receivedBytes: median(push.map((r, i) => r.bytesIn + poll[i].bytesIn)),
      serverMs: median(push.map((r, i) => r.ms + poll[i].ms)),
    };
    log(`incremental ${dialect}: sent ${result.sentBytes} B, received ${result.receivedBytes} B, ${result.serverMs.toFixed(2)} ms`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    if (server) await server.stop();
    await db.drop();
  }
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
