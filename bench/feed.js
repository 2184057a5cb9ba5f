'use strict';
// Feed latency: how long after a plain SQL UPDATE commits on another connection a client that is
// waiting on the changes long-poll has it. For each load level (1, 100, 500 waiting clients) the
// driver commits TRIALS updates, one at a time, each only once every client is parked on the
// server again (its `sheetsync_long_polls_waiting` gauge says so), and at a random offset so
// the server's sequencer tick is not in step with it.
// A sample is (client received the change) − (the COMMIT was sent), on one monotonic clock.
// The server's peak RSS (VmHWM) is read at the end: the 500-client load is the largest.
//
// Usage: node feed.js mysql|postgres TRIALS CLIENTS...   → one JSON result on stdout.

const { createDatabase, insertRows } = require('./lib/databases');
const { startServer } = require('./lib/server');
const { ok, request, agent } = require('./lib/http');
const { COLUMNS, createTableSql, makeRow, sqlParams } = require('./lib/table');
const { median, percentile, nowMs, log } = require('./lib/stats');

const TABLE = 'items';
const WAIT_S = 20;
const QTY = COLUMNS.findIndex((c) => c.name === 'qty');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One long-polling client: follows the feed and reports when it sees `qty = marker` on key 1. */
function follower(server, a, cursor, onMarker, isStopped) {
  const state = { waiting: false, errors: 0 };
  (async () => {
    while (!isStopped()) {
      state.waiting = true;
      const res = await request(server.base, 'GET',
        `/v1/tables/${TABLE}/changes?cursor=${encodeURIComponent(cursor)}&limit=1000&wait=${WAIT_S}`,
        { token: server.token, agent: a, timeoutMs: (WAIT_S + 10) * 1000 }).catch(() => null);
      state.waiting = false;
      const at = nowMs();
      if (!res || res.status !== 200) { state.errors += 1; await sleep(200); continue; }
      for (const change of res.body.changes) {
        if (change.key === '1' && change.op === 'upsert') onMarker(Number(change.cells[QTY]), at);
      }
      cursor = res.body.cursor;
    }
  })();
  return state;
}

/** The server's timestamps of the last wake-up (Unix epoch, µs), from its `/metrics`. */
async function wakeStages(server) {
  const res = await request(server.base, 'GET', '/metrics', {}).catch(() => null);
  if (!res || res.status !== 200) return null;
  const stages = {};
  for (const m of String(res.body).matchAll(/^sheetsync_feed_wake_microseconds\{stage="(\w+)"\} (\d+)/gm)) {
    stages[m[1]] = Number(m[2]);
  }
  const answers = /^sheetsync_feed_wake_answers (\d+)/m.exec(String(res.body));
  return { stages, answers: answers ? Number(answers[1]) : null };
}

/** The wall clock in ms with sub-millisecond resolution, comparable with the server's. */
function epochMs() {
  return performance.timeOrigin + performance.now();
}

/** How many long-polls the server has parked, from its `/metrics`. */
async function parkedOnServer(server) {
  const res = await request(server.base, 'GET', '/metrics', {}).catch(() => null);
  const m = res && res.status === 200 && /^sheetsync_long_polls_waiting (\d+)/m.exec(String(res.body));
  return m ? Number(m[1]) : 0;
}

async function measureLoad(db, server, conn, clients, trials) {
  const a = agent();
  const first = await ok(server.base, 'GET', `/v1/tables/${TABLE}/rows?limit=1`, { token: server.token, agent: a });
  let stopped = false;
  const received = new Map();
  const onMarker = (marker, at) => { if (received.has(marker)) received.get(marker).push(at); };
  const states = Array.from({ length: clients },
    () => follower(server, a, first.body.cursor, onMarker, () => stopped));
  const samples = [];
  const firsts = [];
  const lasts = [];
  // Per commit, each stage's time after COMMIT was sent: where a change's delay goes.
  const stageNames = ['tick_began', 'advanced', 'first_woken', 'last_woken', 'first_answered', 'last_answered'];
  const stageTimes = Object.fromEntries([...stageNames, 'first_received', 'last_received'].map((n) => [n, []]));
  let missed = 0;
  for (let t = 0; t < trials; t += 1) {
    const marker = 1000000 + clients * 1000 + t;
    const settle = Date.now() + 15000;
    while (states.some((s) => !s.waiting) && Date.now() < settle) await sleep(10);
    // A client has only sent its request; it is parked once the server says so. Without this the
    // first commit after the clients connect also times their connection set-up.
    while (await parkedOnServer(server) < clients && Date.now() < settle) await sleep(10);
    await sleep(150 + Math.random() * 100);
    received.set(marker, []);
    await conn.query('BEGIN');
    await conn.query(`UPDATE ${TABLE} SET qty = ${conn.placeholder(1)} WHERE id = 1`, [marker]);
    const t0 = nowMs();
    const t0Epoch = epochMs();
    await conn.query('COMMIT');
    const deadline = Date.now() + 10000;
    while (received.get(marker).length < clients && Date.now() < deadline) await sleep(2);
    const got = received.get(marker);
    missed += clients - got.length;
    for (const at of got) samples.push(at - t0);
    // The first and last delivery of each commit separate the wake-up delay from the fan-out.
    if (got.length) {
      firsts.push(Math.min(...got) - t0);
      lasts.push(Math.max(...got) - t0);
      stageTimes.first_received.push(Math.min(...got) - t0);
      stageTimes.last_received.push(Math.max(...got) - t0);
      const wake = await wakeStages(server);
      for (const n of stageNames) {
        if (wake && wake.stages[n]) stageTimes[n].push(wake.stages[n] / 1000 - t0Epoch);
      }
    }
    received.delete(marker);
  }
  stopped = true;
  // Wake the parked clients so they see `stopped`, then drop their sockets.
  await conn.query(`UPDATE ${TABLE} SET qty = 0 WHERE id = 1`);
  await sleep(500);
  a.destroy();
  const errors = states.reduce((n, s) => n + s.errors, 0);
  const result = {
    clients, trials, samples: samples.length, missed, errors,
    p50Ms: median(samples), p99Ms: percentile(samples, 99), maxMs: Math.max(...samples),
    firstDeliveryMs: median(firsts), lastDeliveryMs: median(lasts),
    serverRssMiB: server.rss().nowMiB,
    stagesMs: Object.fromEntries(Object.entries(stageTimes)
      .filter(([, xs]) => xs.length)
      .map(([n, xs]) => [n, median(xs)])),
  };
  log(`feed ${db.dialect} ${clients} clients: p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${missed} missed`);
  log(`  stages after COMMIT sent (medians, ms): ${Object.entries(result.stagesMs)
    .map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', ')}`);
  return result;
}

async function main() {
  const dialect = process.argv[2];
  const trials = Number(process.argv[3] || 20);
  const loads = process.argv.slice(4).map(Number);
  const db = await createDatabase(dialect, 'feed');
  let server;
  try {
    const conn = await db.connect();
    await conn.query(createTableSql(dialect, TABLE));
    await insertRows(db, conn, TABLE, COLUMNS.map((c) => c.name),
      Array.from({ length: 1000 }, (_, i) => sqlParams(makeRow(i, 1))));
    server = await startServer(db, TABLE);
    const levels = [];
    for (const clients of loads.length ? loads : [1, 100, 500]) {
      levels.push(await measureLoad(db, server, conn, clients, trials));
    }
    await conn.close();
    process.stdout.write(`${JSON.stringify({ dialect, levels, serverPeakRssMiB: server.rss().peakMiB })}\n`);
  } finally {
    if (server) await server.stop();
    await db.drop();
  }
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
