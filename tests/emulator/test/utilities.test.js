'use strict';
// Utilities and Session.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function fmt(iso, tz, pattern) { return Utilities.formatDate(new Date(iso), tz, pattern); }
function b64(data) { return Utilities.base64Encode(data); }
function unb64(text) { return Utilities.base64Decode(text); }
function roundTrip(text) { return Utilities.newBlob(Utilities.base64Decode(Utilities.base64Encode(text))).getDataAsString(); }
function blob() { var b = Utilities.newBlob('hé', 'text/plain', 'a.txt'); return [b.getBytes(), b.getContentType(), b.getName()]; }
function uuid() { return Utilities.getUuid(); }
function digest() { return Utilities.computeDigest(Utilities.DigestAlgorithm.SHA_256, 'abc').slice(0, 4); }
function session() {
  return [Session.getScriptTimeZone(), Session.getActiveUser().getEmail(), Session.getEffectiveUser().getEmail(),
    Session.getTemporaryActiveUserKey().length > 0];
}
function sleepy() { var t = Date.now(); Utilities.sleep(2500); return Date.now() - t; }
`;

test('formatDate follows SimpleDateFormat patterns in the given zone', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('fmt', '2024-01-15T23:04:05.007Z', 'Europe/Berlin', "yyyy-MM-dd'T'HH:mm:ss.SSS Z EEE"), '2024-01-16T00:04:05.007 +0100 Tue');
  assert.strictEqual(await emu.run('fmt', '2024-07-01T12:00:00Z', 'America/New_York', 'MMM d, yyyy h:mm a XXX'), 'Jul 1, 2024 8:00 AM -04:00');
});

test('base64 works on strings and byte arrays, and bytes are signed like Java\'s', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('b64', 'héllo'), Buffer.from('héllo').toString('base64'));
  assert.strictEqual(await emu.run('b64', [-1, 0, 127]), Buffer.from([255, 0, 127]).toString('base64'));
  assert.deepStrictEqual(await emu.run('unb64', '/wB/'), [-1, 0, 127]);
  assert.strictEqual(await emu.run('roundTrip', 'ünïcode'), 'ünïcode');
});

test('newBlob keeps bytes, content type and name', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('blob'), [[104, -61, -87], 'text/plain', 'a.txt']);
});

test('getUuid gives a fresh v4 UUID and computeDigest signed bytes', async () => {
  const emu = emulatorWith(CODE);
  const [a, b] = [await emu.run('uuid'), await emu.run('uuid')];
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notStrictEqual(a, b);
  assert.deepStrictEqual(await emu.run('digest'), [-70, 120, 22, -65]);
});

test('sleep advances the virtual clock', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('sleepy'), 2500);
});

test('Session gives the script time zone and the running person', async () => {
  const emu = emulatorWith(CODE, { timeZone: 'Europe/Berlin', owner: 'ann@example.com' });
  assert.deepStrictEqual(await emu.run('session'), ['Europe/Berlin', 'ann@example.com', 'ann@example.com', true]);
});

test('the script time zone comes from appsscript.json when the project has one', async () => {
  const emu = emulatorWith({ 'Code.js': CODE, 'appsscript.json': '{"timeZone": "Asia/Kolkata", "runtimeVersion": "V8"}' }, { timeZone: 'Europe/Berlin' });
  const [tz] = await emu.run('session');
  assert.strictEqual(tz, 'Asia/Kolkata');
});
