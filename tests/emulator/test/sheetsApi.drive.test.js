'use strict';
// The Drive API push notifications of the Sheets API stand-in: files.watch and channels.stop
// on the served spreadsheets, and the notifications POSTed to a channel's address when cells
// change (developers.google.com/drive/api/guides/push).

const test = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const { startStandIn, enc } = require('../support/sheetsApi');

const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive.metadata.readonly';

/** A webhook receiver on loopback; resolves to { address, received, close, next(n) }. */
async function receiver() {
  const received = [];
  const waiting = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers });
      res.writeHead(200);
      res.end();
      for (const w of waiting.splice(0)) w();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${server.address().port}/v1/drive/notifications`;
  /** Resolves once `n` notifications in all have arrived; fails saying so after 10 s. */
  const next = async (n) => {
    const deadline = Date.now() + 10000;
    while (received.length < n) {
      if (Date.now() > deadline) throw new Error(`waited 10 s for ${n} notifications; ${received.length} arrived`);
      await new Promise((resolve) => { waiting.push(resolve); setTimeout(resolve, 100); });
    }
    return received.slice(0, n);
  };
  return { address, received, next, close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }) };
}

/** Calls a Drive method of the stand-in: `path` below /drive/v3. */
async function drive(s, path, body, { scope = DRIVE_SCOPE } = {}) {
  const res = await fetch(`${s.standIn.url}/drive/v3${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await s.token(scope)}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function setUp(t) {
  const s = await startStandIn();
  const hook = await receiver();
  t.after(async () => {
    await s.close();
    await hook.close();
  });
  const watch = (body) => drive(s, `/files/${s.emu.spreadsheet.id}/watch`, { type: 'web_hook', address: hook.address, ...body });
  return { s, hook, watch };
}

test('files.watch answers the channel and sends sync first, with Google\'s headers', async (t) => {
  const { s, hook, watch } = await setUp(t);
  const expiration = Date.now() + 600000;
  const res = await watch({ id: 'ch-1', token: 'secret-1', expiration: String(expiration) });
  assert.strictEqual(res.status, 200);
  assert.strictEqual(res.body.kind, 'api#channel');
  assert.strictEqual(res.body.id, 'ch-1');
  assert.strictEqual(res.body.token, 'secret-1');
  assert.strictEqual(res.body.expiration, String(expiration));
  assert.ok(res.body.resourceId);
  const [sync] = await hook.next(1);
  assert.strictEqual(sync.method, 'POST');
  assert.strictEqual(sync.headers['x-goog-channel-id'], 'ch-1');
  assert.strictEqual(sync.headers['x-goog-channel-token'], 'secret-1');
  assert.strictEqual(sync.headers['x-goog-resource-state'], 'sync');
  assert.strictEqual(sync.headers['x-goog-message-number'], '1');
  assert.strictEqual(sync.headers['x-goog-resource-id'], res.body.resourceId);
  assert.strictEqual(sync.headers['x-goog-resource-uri'], res.body.resourceUri);
  assert.strictEqual(sync.headers['x-goog-channel-expiration'], new Date(expiration).toUTCString());
  assert.ok(s.standIn.drive.isLive('ch-1'));
});

test('a REST write and an Apps Script edit each send an update, numbered on', async (t) => {
  const { s, hook, watch } = await setUp(t);
  await watch({ id: 'ch-2', token: 'tok' });
  await hook.next(1);
  await s.api('PUT', `/values/${enc('Sheet1!A1:B2')}?valueInputOption=RAW`, { values: [[1, 2], [3, 4]] });
  const [, rest] = await hook.next(2);
  assert.strictEqual(rest.headers['x-goog-resource-state'], 'update');
  assert.strictEqual(rest.headers['x-goog-message-number'], '2');
  assert.strictEqual(rest.headers['x-goog-changed'], 'content');
  await s.emu.run('writeValues', 'Sheet1', 'C1', [['typed']]);
  const [, , script] = await hook.next(3);
  assert.strictEqual(script.headers['x-goog-resource-state'], 'update');
  assert.strictEqual(script.headers['x-goog-message-number'], '3');
  await s.standIn.drive.settled();
  assert.strictEqual(hook.received.length, 3, 'the four cells of one write are one notification');
});

test('channels.stop answers 204 and the channel sends nothing more', async (t) => {
  const { s, hook, watch } = await setUp(t);
  const { body } = await watch({ id: 'ch-3', token: 'tok' });
  await hook.next(1);
  const stopped = await drive(s, '/channels/stop', { id: 'ch-3', resourceId: body.resourceId });
  assert.strictEqual(stopped.status, 204);
  assert.strictEqual(stopped.body, undefined);
  await s.api('PUT', `/values/${enc('Sheet1!A1')}?valueInputOption=RAW`, { values: [[1]] });
  await s.standIn.drive.settled();
  assert.strictEqual(hook.received.length, 1, 'only the sync');
  const again = await drive(s, '/channels/stop', { id: 'ch-3', resourceId: body.resourceId });
  assert.strictEqual(again.status, 404);
});

test('an expired channel sends nothing', async (t) => {
  let now = Date.now();
  const s = await startStandIn({ standIn: { now: () => now } });
  const hook = await receiver();
  t.after(async () => { await s.close(); await hook.close(); });
  await drive(s, `/files/${s.emu.spreadsheet.id}/watch`, { id: 'ch-4', type: 'web_hook', address: hook.address, expiration: String(now + 1000) });
  await hook.next(1);
  now += 1001;
  await s.api('PUT', `/values/${enc('Sheet1!A1')}?valueInputOption=RAW`, { values: [[1]] });
  await s.standIn.drive.settled();
  assert.strictEqual(hook.received.length, 1, 'only the sync');
  assert.ok(!s.standIn.drive.isLive('ch-4'));
});

test('a file channel lives an hour when no expiration is asked, a day at most', async (t) => {
  const { watch } = await setUp(t);
  const before = Date.now();
  const plain = await watch({ id: 'ch-5' });
  const hour = Number(plain.body.expiration) - before;
  assert.ok(hour >= 3600000 && hour < 3600000 + 5000, `${hour}`);
  const long = await watch({ id: 'ch-6', expiration: String(before + 7 * 86400000) });
  const day = Number(long.body.expiration) - before;
  assert.ok(day >= 86400000 && day < 86400000 + 5000, `${day}`);
});

test('files.watch refuses a non-https address, a taken channel id, a wrong type, and a call without a Drive scope', async (t) => {
  const { s, watch } = await setUp(t);
  const plain = await watch({ id: 'ch-7', address: 'http://example.com/hook' });
  assert.strictEqual(plain.status, 400);
  assert.strictEqual(plain.body.error.message, 'WebHook callback must be HTTPS: http://example.com/hook');
  assert.strictEqual((await watch({ id: 'ch-8' })).status, 200);
  const taken = await watch({ id: 'ch-8' });
  assert.strictEqual(taken.status, 400);
  assert.match(taken.body.error.message, /Channel id ch-8 not unique/);
  assert.strictEqual((await watch({ id: 'ch-9', type: 'email' })).status, 400);
  const sheetsOnly = await drive(s, `/files/${s.emu.spreadsheet.id}/watch`, { id: 'ch-10', type: 'web_hook', address: 'https://example.com/h' }, { scope: 'https://www.googleapis.com/auth/spreadsheets' });
  assert.strictEqual(sheetsOnly.status, 403);
});

test('files.watch on a file that is missing or not shared answers 404 File not found', async (t) => {
  const s = await startStandIn({ shared: false });
  t.after(s.close);
  const res = await drive(s, `/files/${s.emu.spreadsheet.id}/watch`, { id: 'ch-11', type: 'web_hook', address: 'https://example.com/h' });
  assert.strictEqual(res.status, 404);
  assert.strictEqual(res.body.error.message, `File not found: ${s.emu.spreadsheet.id}.`);
  const missing = await drive(s, '/files/nope/watch', { id: 'ch-12', type: 'web_hook', address: 'https://example.com/h' });
  assert.strictEqual(missing.status, 404);
});
