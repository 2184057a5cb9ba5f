'use strict';
// CacheService: expiry by the emulator's clock and Google's limits.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function put(key, value, ttl) { CacheService.getScriptCache().put(key, value, ttl); }
function get(key) { return CacheService.getScriptCache().get(key); }
function putAll(values, ttl) { CacheService.getDocumentCache().putAll(values, ttl); }
function getAll(keys) { return CacheService.getDocumentCache().getAll(keys); }
function remove(key) { CacheService.getScriptCache().remove(key); }
`;

test('a cached value lives until its time to live passes on the emulator clock', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('put', 'k', 'v', 60);
  await emu.clock.advance(59 * 1000);
  assert.strictEqual(await emu.run('get', 'k'), 'v');
  await emu.clock.advance(1000);
  assert.strictEqual(await emu.run('get', 'k'), null);
});

test('the default time to live is 600 seconds and the longest is 21600 seconds', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('put', 'short', 'v');
  await emu.run('put', 'long', 'v', 999999);
  await emu.clock.advance(600 * 1000);
  assert.strictEqual(await emu.run('get', 'short'), null);
  await emu.clock.advance((21600 - 600 - 1) * 1000);
  assert.strictEqual(await emu.run('get', 'long'), 'v');
  await emu.clock.advance(1000);
  assert.strictEqual(await emu.run('get', 'long'), null);
});

test('putAll and getAll return only the keys present, and remove drops one', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('putAll', { a: '1', b: '2' }, 100);
  assert.deepStrictEqual(await emu.run('getAll', ['a', 'b', 'c']), { a: '1', b: '2' });
  await emu.run('put', 'x', 'y');
  await emu.run('remove', 'x');
  assert.strictEqual(await emu.run('get', 'x'), null);
});

test('a cached value over 100 KB is refused with Argument too large', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('put', 'ok', 'x'.repeat(100 * 1024));
  await assert.rejects(emu.run('put', 'big', 'x'.repeat(100 * 1024 + 1)), { message: 'Argument too large: value' });
});

test('a cache key over 250 characters is refused', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('put', 'k'.repeat(251), 'v'), { message: 'Argument too large: key' });
});
