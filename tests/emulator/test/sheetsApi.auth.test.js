'use strict';
// The Sheets API stand-in: Google's OAuth token endpoint for service accounts, bearer
// tokens on API calls, sharing, and the error bodies that go with them.

const test = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const { startStandIn, requestToken } = require('../support/sheetsApi');

test('a service-account JWT signed with RS256 gets {access_token, expires_in, token_type}', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await requestToken(s.standIn, s.account);
  assert.strictEqual(res.status, 200);
  assert.deepStrictEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'token_type']);
  assert.strictEqual(res.body.token_type, 'Bearer');
  assert.strictEqual(res.body.expires_in, 3599);
  const call = await s.api('GET', '/values/A1', undefined, { auth: res.body.access_token });
  assert.strictEqual(call.status, 200);
});

test('Google\'s own token URI is accepted as the assertion\'s audience, another is not', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  assert.strictEqual((await requestToken(s.standIn, s.account, { aud: 'https://oauth2.googleapis.com/token' })).status, 200);
  const res = await requestToken(s.standIn, s.account, { aud: 'https://example.com/token' });
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error, 'invalid_grant');
});

test('an assertion signed with another key is 400 invalid_grant "Invalid JWT Signature."', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const res = await requestToken(s.standIn, s.account, { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) });
  assert.deepStrictEqual(res, { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
});

test('another grant type is 400 unsupported_grant_type', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await requestToken(s.standIn, s.account, { grantType: 'client_credentials' });
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error, 'unsupported_grant_type');
});

test('an assertion living longer than an hour, or already expired, is refused', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const long = await requestToken(s.standIn, s.account, { lifetimeSeconds: 3601 });
  assert.strictEqual(long.status, 400);
  assert.match(long.body.error_description, /short-lived token \(60 minutes\)/);
  const stale = await requestToken(s.standIn, s.account, { iat: Math.floor(Date.now() / 1000) - 7200 });
  assert.strictEqual(stale.status, 400);
  assert.strictEqual(stale.body.error, 'invalid_grant');
});

test('a call without a bearer token is 401 UNAUTHENTICATED with Google\'s missing-credential text', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('GET', '/values/A1', undefined, { auth: null });
  assert.strictEqual(res.status, 401);
  assert.deepStrictEqual(res.body, { error: {
    code: 401,
    message: 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    status: 'UNAUTHENTICATED',
  } });
  assert.match(res.headers.get('www-authenticate'), /^Bearer/);
});

test('an unknown or expired token is 401 UNAUTHENTICATED "Request had invalid authentication credentials"', async (t) => {
  let now = Date.now();
  const s = await startStandIn({ standIn: { now: () => now } });
  t.after(s.close);
  const unknown = await s.api('GET', '/values/A1', undefined, { auth: 'ya29.made-up' });
  assert.strictEqual(unknown.status, 401);
  assert.match(unknown.body.error.message, /^Request had invalid authentication credentials\./);
  const token = await s.token();
  assert.strictEqual((await s.api('GET', '/values/A1', undefined, { auth: token })).status, 200);
  now += 3600 * 1000;
  const expired = await s.api('GET', '/values/A1', undefined, { auth: token });
  assert.strictEqual(expired.status, 401);
  assert.strictEqual(expired.body.error.status, 'UNAUTHENTICATED');
});

test('a spreadsheet not shared with the service account is 403 PERMISSION_DENIED until it is shared', async (t) => {
  const s = await startStandIn({ shared: false });
  t.after(s.close);
  const res = await s.api('GET', '/values/A1');
  assert.deepStrictEqual(res.body, { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } });
  s.standIn.share(s.emu.spreadsheet.id, s.account.email);
  assert.strictEqual((await s.api('GET', '/values/A1')).status, 200);
  s.standIn.unshare(s.emu.spreadsheet.id, s.account.email);
  assert.strictEqual((await s.api('GET', '')).status, 403);
});

test('an unknown spreadsheet id is 404 NOT_FOUND', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await fetch(`${s.standIn.url}/v4/spreadsheets/no-such-sheet/values/A1`, { headers: { Authorization: `Bearer ${await s.token()}` } });
  assert.strictEqual(res.status, 404);
  assert.deepStrictEqual(await res.json(), { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
});

test('a read-only scope reads but may not write (403 insufficient scopes)', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const scope = 'https://www.googleapis.com/auth/spreadsheets.readonly';
  assert.strictEqual((await s.api('GET', '/values/A1', undefined, { scope })).status, 200);
  const res = await s.api('PUT', '/values/A1?valueInputOption=RAW', { values: [[1]] }, { scope });
  assert.deepStrictEqual(res.body, { error: { code: 403, message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED' } });
});

test('handle answers one call without a socket, whatever the case of the Authorization header', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.editCell('Sheet1', 'A1', 'in process');
  const answer = await s.standIn.handle({
    method: 'GET',
    url: `/v4/spreadsheets/${s.emu.spreadsheet.id}/values/A1`,
    headers: { Authorization: `Bearer ${await s.token()}` },
  });
  assert.deepStrictEqual(answer, { status: 200, headers: {}, body: { range: 'Sheet1!A1', majorDimension: 'ROWS', values: [['in process']] } });
});
