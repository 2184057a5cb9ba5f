'use strict';
// The Sheets API stand-in: per-minute quotas (429 RESOURCE_EXHAUSTED), injected failures,
// latency, and the request counter benchmarks read.

const test = require('node:test');
const assert = require('node:assert');
const { startStandIn, enc } = require('../support/sheetsApi');

test('reads past the per-user budget in a minute are 429 RESOURCE_EXHAUSTED, and the next minute refills it', async (t) => {
  let now = Date.now();
  const s = await startStandIn({ standIn: { now: () => now, quota: { readsPerMinutePerUser: 2 } } });
  t.after(s.close);
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 200);
  assert.strictEqual((await s.api('GET', '')).status, 200);
  const over = await s.api('GET', '/values/A1');
  assert.strictEqual(over.status, 429);
  assert.deepStrictEqual(over.body, { error: {
    code: 429,
    message: `Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:${s.account.projectNumber}'.`,
    status: 'RESOURCE_EXHAUSTED',
  } });
  assert.strictEqual((await s.api('PUT', '/values/A1?valueInputOption=RAW', { values: [[1]] })).status, 200, 'writes have their own budget');
  now += 60 * 1000;
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 200);
});

test('a shortened quota window refills the budgets after that many ms instead of a minute', async (t) => {
  const start = Math.ceil(Date.now() / 3000) * 3000; // a window's first ms
  let now = start;
  const s = await startStandIn({ standIn: { now: () => now, quotaWindowMs: 3000, quota: { readsPerMinutePerUser: 1 } } });
  t.after(s.close);
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 200);
  now = start + 2999;
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 429);
  now = start + 3000;
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 200);
  assert.strictEqual(s.standIn.quota.snapshot().windowMs, 3000);
  assert.throws(() => require('../lib/sheetsApi').createSheetsStandIn({ quotaWindowMs: 0 }), /quota window must be a whole number of ms ≥ 1, got 0/);
});

test('the per-project budget is shared by all users of the project', async (t) => {
  const now = Date.now();
  const s = await startStandIn({ standIn: { now: () => now, quota: { writesPerMinutePerProject: 1 } } });
  t.after(s.close);
  assert.strictEqual((await s.api('PUT', '/values/A1?valueInputOption=RAW', { values: [[1]] })).status, 200);
  const over = await s.api('POST', ':batchUpdate', { requests: [] });
  assert.strictEqual(over.status, 429);
  assert.match(over.body.error.message, /limit 'Write requests per minute' /);
});

test('the default budgets are Google\'s documented 300 per project and 60 per user per minute', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  assert.deepStrictEqual(s.standIn.quota.limits, { readsPerMinutePerProject: 300, readsPerMinutePerUser: 60, writesPerMinutePerProject: 300, writesPerMinutePerUser: 60 });
  for (let i = 0; i < 60; i++) assert.strictEqual((await s.api('GET', '/values/A1')).status, 200);
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 429);
});

test('failNext makes the next calls fail with the status asked for, in Google\'s error body', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  s.standIn.failNext({ count: 2, code: 503 });
  const first = await s.api('GET', '/values/A1');
  assert.deepStrictEqual(first.body, { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } });
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 503);
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 200);
  assert.throws(() => s.standIn.failNext({ code: 418 }), /no Google status name for HTTP 418/);
});

test('a configured latency delays every answer', async (t) => {
  const s = await startStandIn({ standIn: { latencyMs: (method) => (method === 'spreadsheets.values.get' ? 400 : 0) } });
  t.after(s.close);
  await s.token();
  let started = Date.now();
  await s.api('GET', '');
  const fast = Date.now() - started;
  started = Date.now();
  await s.api('GET', '/values/A1');
  const slow = Date.now() - started;
  assert.ok(slow >= 400, `values.get took ${slow} ms`);
  assert.ok(fast < 400, `spreadsheets.get took ${fast} ms`);
});

test('the request counter counts calls by method and by status, and can be read over HTTP', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.api('GET', `/values/${enc('Sheet1!A1')}`);
  await s.api('PUT', '/values/A1?valueInputOption=RAW', { values: [[1]] });
  await s.api('GET', `/values/${enc('Nope!A1')}`);
  assert.deepStrictEqual(s.standIn.stats, {
    requests: 4,
    byMethod: { 'oauth.token': 1, 'spreadsheets.values.get': 2, 'spreadsheets.values.update': 1 },
    byStatus: { 200: 3, 400: 1 },
    bySpreadsheet: { [s.emu.spreadsheet.id]: 3 },
  });
  const over = await (await fetch(`${s.standIn.url}/__standin/stats`)).json();
  assert.strictEqual(over.requests, 4);
  assert.strictEqual(over.quota.limits.readsPerMinutePerUser, 60);
  s.standIn.resetStats();
  assert.strictEqual(s.standIn.stats.requests, 0);
});
