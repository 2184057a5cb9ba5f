'use strict';
// The Sheets API stand-in as its own process (emulator/sheets-standin.js), as a server or a
// benchmark in another language uses it: a key file it wrote, a token, a write and a read.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { signAssertion, createTestServiceAccount } = require('../index');
const { tempDir } = require('../support/helpers');

const ENTRY = path.join(__dirname, '..', 'sheets-standin.js');

function start(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => reject(new Error(`sheets-standin exited with ${code}: ${err}`)));
    child.stdout.once('data', (d) => resolve({ child, info: JSON.parse(String(d)) }));
  });
}

test('the stand-in process writes a key file whose account signs in, then reads back what it writes', async (t) => {
  const keyFile = path.join(tempDir('standin-key-'), 'key.json');
  const { child, info } = await start(['--write-key-file', keyFile, '--spreadsheet-id', 'abc', '--time-zone', 'Europe/Paris', '--latency-ms', '5']);
  t.after(() => child.kill());
  const key = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
  assert.strictEqual(key.type, 'service_account');
  assert.strictEqual(key.token_uri, info.tokenUri);
  assert.strictEqual(fs.statSync(keyFile).mode & 0o777, 0o600);
  const assertion = signAssertion({ email: key.client_email, privateKey: key.private_key, scope: 'https://www.googleapis.com/auth/spreadsheets', aud: key.token_uri });
  const tokenRes = await fetch(info.tokenUri, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  });
  const { access_token: token } = await tokenRes.json();
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const put = await fetch(`${info.url}/v4/spreadsheets/abc/values/A1?valueInputOption=USER_ENTERED`, { method: 'PUT', headers, body: JSON.stringify({ values: [['2024-01-02']] }) });
  assert.strictEqual(put.status, 200);
  const got = await (await fetch(`${info.url}/v4/spreadsheets/abc/values/A1?valueRenderOption=UNFORMATTED_VALUE`, { headers })).json();
  assert.deepStrictEqual(got.values, [[45293]]);
  const meta = await (await fetch(`${info.url}/v4/spreadsheets/abc?fields=properties.timeZone`, { headers })).json();
  assert.deepStrictEqual(meta, { properties: { timeZone: 'Europe/Paris' } });
  const stats = await (await fetch(`${info.url}/__standin/stats`)).json();
  assert.strictEqual(stats.requests, 4);
});

test('the stand-in process signs in a service account from its own key file, and --unshared keeps the sheets from it', async (t) => {
  const account = createTestServiceAccount({ email: 'own@project.iam.gserviceaccount.com' });
  const keyFile = path.join(tempDir('standin-key-'), 'own.json');
  fs.writeFileSync(keyFile, JSON.stringify(account.keyFile('https://oauth2.googleapis.com/token')));
  const { child, info } = await start(['--key-file', keyFile, '--spreadsheet-count', '2', '--unshared']);
  t.after(() => child.kill());
  assert.deepStrictEqual(info.spreadsheetIds, ['sheet-1', 'sheet-2']);
  const assertion = signAssertion({ email: account.email, privateKey: account.privateKeyPem, scope: 'https://www.googleapis.com/auth/spreadsheets' });
  const tokenRes = await fetch(info.tokenUri, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }) });
  assert.strictEqual(tokenRes.status, 200);
  const { access_token: token } = await tokenRes.json();
  const res = await fetch(`${info.url}/v4/spreadsheets/sheet-2`, { headers: { Authorization: `Bearer ${token}` } });
  assert.strictEqual(res.status, 403);
});

test('the stand-in process refuses a bad option with a message naming it', async () => {
  await assert.rejects(start(['--latency-ms', 'soon']), /--latency-ms must be a whole number, got "soon"/);
});

test('the stand-in process counts its quotas over --quota-window-ms and refuses a window of 0', async (t) => {
  const keyFile = path.join(tempDir('standin-key-'), 'key.json');
  const { child, info } = await start(['--write-key-file', keyFile, '--spreadsheet-id', 'abc', '--quota-window-ms', '400', '--reads-per-minute-per-user', '1']);
  t.after(() => child.kill());
  const key = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
  const assertion = signAssertion({ email: key.client_email, privateKey: key.private_key, scope: 'https://www.googleapis.com/auth/spreadsheets', aud: key.token_uri });
  const tokenRes = await fetch(info.tokenUri, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }) });
  const { access_token: token } = await tokenRes.json();
  const read = () => fetch(`${info.url}/v4/spreadsheets/abc/values/A1`, { headers: { Authorization: `Bearer ${token}` } });
  // The window's start is not known here: read until one read is refused, so the budget of
  // that window is spent, then a window later one goes through again.
  let refused = null;
  for (let i = 0; i < 3 && !refused; i++) {
    const res = await read();
    if (res.status === 429) refused = await res.json();
  }
  assert.ok(refused, 'no read was refused with a budget of 1 per window');
  assert.strictEqual(refused.error.status, 'RESOURCE_EXHAUSTED');
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.strictEqual((await read()).status, 200);
  const stats = await (await fetch(`${info.url}/__standin/stats`)).json();
  assert.strictEqual(stats.quota.windowMs, 400);
  await assert.rejects(start(['--quota-window-ms', '0']), /--quota-window-ms must be at least 1/);
});
