'use strict';
// A small in-memory stand-in for the sheetsync server's protocol v1, run as a child process
// (UrlFetchApp in the emulator blocks the test's own thread). It keeps one table, a change
// log whose ids are the row versions, and the answers of pushed batches for replays.
// Server mode's bindings are kept as handed over: POST /v1/bindings stores the add-on's
// state, DELETE /v1/bindings/{id} hands it back, POST /v1/bindings/{id}/poke counts pokes (keeping their bodies) and
// GET /v1/bindings/{id} answers the status a test set; GET /v1/bindings/{id}/conflicts lists the
// conflicts a test set, and POST there records answers to them (refusing one to a conflict not
// held, as the server does).
// Test-only controls: POST /test/write (a direct database write), POST /test/reset,
// GET /test/state, POST /test/binding (sets a binding's `status`, its `state` as the
// server's rounds would move it, or `refusePokes`).

const http = require('node:http');

const TOKEN = process.env.FAKE_TOKEN || 't0ken';
const schema = {
  name: 'people',
  writable: true,
  columns: [
    { name: 'id', sql_type: { kind: 'int', bits: 32, unsigned: false }, nullable: false, primary_key: true, generated: true },
    { name: 'name', sql_type: { kind: 'text', max_chars: 40 }, nullable: false, primary_key: false, generated: false },
    { name: 'qty', sql_type: { kind: 'int', bits: 32, unsigned: false }, nullable: true, primary_key: false, generated: false },
  ],
};
const rows = new Map(); // id -> { version, cells }
const log = []; // { seq, key, version, op, cells, origin, changed_at_ms }
const batches = new Map();
let nextId = 1;
let pushes = 0;
const bindings = new Map(); // id -> { handedOver, state, status, pokes, pokeBodies }
let nextBinding = 1;

function record(id, cells, origin) {
  const seq = log.length + 1;
  if (cells) rows.set(id, { version: seq, cells });
  else rows.delete(id);
  log.push({ seq, key: String(id), version: seq, op: cells ? 'upsert' : 'delete', cells, origin, changed_at_ms: Date.now() });
  return seq;
}

function write(body, origin) {
  const id = body.id === undefined || body.id === null ? nextId : Number(body.id);
  nextId = Math.max(nextId, id + 1);
  if (body.delete) return record(id, null, origin);
  const old = rows.get(id);
  const cells = [id, body.name ?? (old ? old.cells[1] : ''), body.qty ?? (old ? old.cells[2] : null)];
  return record(id, cells, origin);
}

function applyOp(op, origin) {
  if (op.op === 'insert') {
    const name = op.cells.name;
    if (name === undefined || name === null || name === '') {
      return { result: 'rejected', key: null, column: 'name', code: 'not_null', reason: 'a name is required' };
    }
    // A check constraint: a client cannot know it, so only the database refuses the row.
    if (typeof op.cells.qty === 'number' && op.cells.qty < 0) {
      return { result: 'rejected', key: null, column: 'qty', code: 'check', reason: 'qty must not be negative' };
    }
    const id = nextId++;
    const version = record(id, [id, name, op.cells.qty ?? null], origin);
    return { result: 'applied', key: String(id), version, row: rows.get(id).cells };
  }
  const id = Number(op.key);
  const current = rows.get(id);
  if (!current || current.version !== op.expected_version) {
    return { result: 'conflict', key: op.key, current: current ? { key: op.key, version: current.version, cells: current.cells } : null };
  }
  if (op.op === 'delete') {
    const version = record(id, null, origin);
    return { result: 'applied', key: op.key, version, row: null };
  }
  const cells = current.cells.slice();
  if ('name' in op.cells) cells[1] = op.cells.name;
  if ('qty' in op.cells) cells[2] = op.cells.qty;
  const version = record(id, cells, origin);
  return { result: 'applied', key: op.key, version, row: cells };
}

// The sidebar long-polls straight from the browser, so the stand-in answers CORS as the
// real server does for the Apps Script origins.
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Allow-Methods': 'GET, POST, DELETE',
  'Access-Control-Allow-Private-Network': 'true',
};

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...CORS });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  let text = '';
  req.on('data', (c) => { text += c; });
  req.on('end', () => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      return res.end();
    }
    const url = new URL(req.url, 'http://x');
    const q = Object.fromEntries(url.searchParams);
    const body = text ? JSON.parse(text) : null;
    if (url.pathname === '/test/write') return send(res, 200, { version: write(body, null) });
    if (url.pathname === '/test/reset') {
      rows.clear();
      batches.clear();
      log.length = 0;
      nextId = 1;
      pushes = 0;
      bindings.clear();
      nextBinding = 1;
      return send(res, 200, {});
    }
    if (url.pathname === '/test/state') {
      return send(res, 200, {
        rows: [...rows.values()].map((r) => r.cells), pushes, log: log.length,
        bindings: Object.fromEntries(bindings),
      });
    }
    if (url.pathname === '/test/binding') {
      const b = bindings.get(body.id);
      if (body.status) b.status = { ...b.status, ...body.status };
      if (body.state) b.state = { ...b.state, ...body.state };
      if ('refusePokes' in body) b.refusePokes = body.refusePokes;
      if (body.conflicts) b.conflicts = body.conflicts;
      return send(res, 200, b);
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return send(res, 401, { error: 'unauthorized', message: 'the token is not valid' });
    }
    if (url.pathname === '/v1/tables') return send(res, 200, { protocol: 1, tables: [schema] });
    if (url.pathname === '/v1/tables/people/rows') {
      const after = q.after ? Number(q.after) : -Infinity;
      // Pages hold at most 1000 rows here, whatever the client asks, as a server may cap them.
      const limit = Math.min(Number(q.limit || 1000), 1000);
      const all = [...rows.entries()].filter(([id]) => id > after).sort((a, b) => a[0] - b[0]);
      const page = all.slice(0, limit).map(([id, r]) => ({ key: String(id), version: r.version, cells: r.cells }));
      const more = all.length > limit;
      return send(res, 200, { rows: page, next_after: more ? page[page.length - 1].key : null, cursor: String(log.length) });
    }
    if (url.pathname === '/v1/tables/people/changes') {
      const from = Number(q.cursor || 0);
      const limit = Number(q.limit || 1000);
      const later = log.filter((e) => e.seq > from);
      const page = later.slice(0, limit);
      const changes = page.map((e) => ({
        key: e.key, version: e.version, op: e.op, ...(e.cells ? { cells: e.cells } : {}),
        origin: e.origin, changed_at_ms: e.changed_at_ms,
      }));
      const cursor = page.length ? String(page[page.length - 1].seq) : String(from);
      return send(res, 200, { changes, cursor, more: later.length > limit });
    }
    if (url.pathname === '/v1/tables/people/push' && req.method === 'POST') {
      pushes++;
      if (batches.has(body.batch_id)) return send(res, 200, { ...batches.get(body.batch_id), replayed: true });
      const answer = { batch_id: body.batch_id, results: body.changes.map((op) => applyOp(op, body.origin)), replayed: false };
      batches.set(body.batch_id, answer);
      return send(res, 200, answer);
    }
    if (url.pathname === '/v1/bindings' && req.method === 'POST') return handOver(res, body);
    const held = /^\/v1\/bindings\/(\d+)\/conflicts$/.exec(url.pathname);
    if (held) {
      const b = bindings.get(Number(held[1]));
      if (!b) return send(res, 404, { error: 'not_found', message: `there is no binding ${held[1]}` });
      if (req.method === 'GET') return send(res, 200, { conflicts: b.conflicts });
      for (const a of body.answers) {
        const c = b.conflicts.find((h) => h.key === a.key && h.column === a.column);
        if (!c) return send(res, 409, { error: 'conflict', message: `binding ${held[1]} holds no conflict on row "${a.key}"` });
        c.answered = a.choose;
      }
      b.answers.push(...body.answers);
      return send(res, 202, { accepted: body.answers.length, woken: true, via: 'this instance' });
    }
    const binding = /^\/v1\/bindings\/(\d+)(\/poke)?$/.exec(url.pathname);
    if (binding) {
      const id = Number(binding[1]);
      const b = bindings.get(id);
      if (!b) return send(res, 404, { error: 'not_found', message: `there is no binding ${id}` });
      if (binding[2] && req.method === 'POST') {
        if (b.refusePokes) return send(res, 503, { error: 'internal', message: 'the server is restarting' });
        b.pokes++;
        b.pokeBodies.push(body);
        return send(res, 202, {});
      }
      if (binding[2]) return send(res, 405, { error: 'method_not_allowed', message: 'poke is a POST' });
      if (req.method === 'GET') return send(res, 200, b.status);
      if (req.method === 'DELETE') {
        bindings.delete(id);
        const h = b.handedOver;
        return send(res, 200, { id, spreadsheet: h.spreadsheet, sheet: h.sheet, table: h.table, policy: h.policy, ...b.state });
      }
    }
    const version = /^\/v1\/tables\/people\/rows\/([^/]+)\/versions\/(\d+)$/.exec(url.pathname);
    if (version) return send(res, 404, { error: 'not_found', message: 'that version of the row is no longer kept' });
    return send(res, 404, { error: 'not_found', message: 'no such route' });
  });
});

function handOver(res, body) {
  const fields = ['spreadsheet', 'sheet', 'table', 'policy', 'base', 'cursor', 'held', 'pendingBatch'];
  const missing = fields.find((f) => !(f in body));
  if (missing) return send(res, 400, { error: 'bad_request', message: `${missing}: the field is missing` });
  if (body.pendingBatch !== null) {
    return send(res, 409, { error: 'conflict', message: `the add-on's batch ${body.pendingBatch} was sent and its answer is not applied yet` });
  }
  const policies = [['policy.default', body.policy.default], ...Object.entries(body.policy.columns).map(([c, p]) => [`policy.columns.${c}`, p])];
  const custom = policies.find(([, p]) => p === 'custom');
  if (custom) return send(res, 400, { error: 'bad_request', message: `${custom[0]}: "custom" runs the add-on's resolveConflict, which the server does not have` });
  const bound = [...bindings.entries()].find(([, b]) => b.handedOver.spreadsheet === body.spreadsheet && b.handedOver.sheet === body.sheet);
  if (bound) return send(res, 409, { error: 'conflict', message: `sheet "${body.sheet}" is already bound (binding ${bound[0]})` });
  const id = nextBinding++;
  bindings.set(id, {
    handedOver: body,
    state: { base: body.base, cursor: body.cursor, held: body.held },
    status: {
      id, spreadsheet: body.spreadsheet, sheet: body.sheet, table: body.table, paused: false, owner: null,
      // As the server answers before the binding's first round: nothing known yet.
      statusSavedAtMs: null, statusSavedBy: null,
      lastRound: null, lagMs: null, conflicts: null, rejects: null, massDeleteHeld: null, quotaBackoffUntilMs: null,
    },
    pokes: 0,
    pokeBodies: [],
    conflicts: [],
    answers: [],
  });
  return send(res, 201, { id });
}

// The tests' fetch reuses connections; a connection the server closes as idle just as the
// next request goes out fails that request, so keep idle connections longer than any test.
server.keepAliveTimeout = 10 * 60 * 1000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
