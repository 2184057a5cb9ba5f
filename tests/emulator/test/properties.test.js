'use strict';
// PropertiesService: durable string stores with Google's size limits.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function store(kind) {
  return kind === 'user' ? PropertiesService.getUserProperties()
    : kind === 'script' ? PropertiesService.getScriptProperties()
    : PropertiesService.getDocumentProperties();
}
function set(kind, key, value) { store(kind).setProperty(key, value); }
function get(kind, key) { return store(kind).getProperty(key); }
function all(kind) { return [store(kind).getProperties(), store(kind).getKeys()]; }
function setMany(props, deleteOthers) { store('document').setProperties(props, deleteOthers); }
function remove(key) { store('document').deleteProperty(key); }
function wipe() { store('document').deleteAllProperties(); }
function fill(count, size) {
  for (var i = 0; i < count; i++) store('document').setProperty('k' + i, 'v'.repeat(size));
}
`;

test('a property set in one execution is read in the next, always as a string', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('set', 'document', 'answer', 42);
  assert.strictEqual(await emu.run('get', 'document', 'answer'), '42');
  assert.strictEqual(await emu.run('get', 'document', 'missing'), null);
});

test('getProperties, getKeys, setProperties, deleteProperty and deleteAllProperties work on one store', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('setMany', { a: '1', b: '2' });
  assert.deepStrictEqual(await emu.run('all', 'document'), [{ a: '1', b: '2' }, ['a', 'b']]);
  await emu.run('setMany', { c: '3' }, true);
  assert.deepStrictEqual(await emu.run('all', 'document'), [{ c: '3' }, ['c']]);
  await emu.run('remove', 'c');
  await emu.run('set', 'document', 'z', 'x');
  await emu.run('wipe');
  assert.deepStrictEqual(await emu.run('all', 'document'), [{}, []]);
});

test('document, script and user stores are separate, and user stores are per person', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('set', 'document', 'k', 'doc');
  await emu.run('set', 'script', 'k', 'script');
  await emu.run('set', 'user', 'k', 'owner');
  const other = emu.person('other@example.com');
  assert.strictEqual(await emu.runAs(other, 'get', 'user', 'k'), null);
  assert.strictEqual(await emu.runAs(other, 'get', 'document', 'k'), 'doc');
  assert.strictEqual(await emu.run('get', 'script', 'k'), 'script');
  assert.strictEqual(await emu.run('get', 'user', 'k'), 'owner');
});

test('a property value over 9 KB is refused with Argument too large', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('set', 'document', 'ok', 'x'.repeat(9 * 1024));
  await assert.rejects(emu.run('set', 'document', 'big', 'x'.repeat(9 * 1024 + 1)), { message: 'Argument too large: value' });
});

test('a store over 500 KB is refused with the quota message and keeps what it had', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('fill', 56, 9000); // 56 x (9000 + key) bytes: just under 500 KB
  await assert.rejects(emu.run('set', 'document', 'k56', 'v'.repeat(9000)), {
    message: 'You have exceeded the property storage quota. Please remove some properties and try again.',
  });
  assert.strictEqual(emu.properties.document.has('k56'), false);
  assert.strictEqual(emu.properties.document.size, 56);
});
