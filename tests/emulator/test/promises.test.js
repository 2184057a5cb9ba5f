'use strict';
// Two things Google does not document, modelled both ways so the add-on is tested under each:
// whether an execution waits for a Promise its function returns, and whether a large module
// may be compiled synchronously. And menu items, which run their function when chosen.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

// (module (func (export "answer") (result i32) i32.const 42))
const WASM = '[0,97,115,109,1,0,0,0,1,5,1,96,0,1,127,3,2,1,0,7,10,1,6,97,110,115,119,101,114,0,0,10,6,1,4,0,65,42,11]';

const CODE = `
function onOpen() {
  SpreadsheetApp.getUi().createMenu('tools').addItem('Write later', 'writeLater').addItem('Write now', 'writeNow').addToUi();
}
async function writeLater() {
  await WebAssembly.instantiate(new Uint8Array(${WASM}));
  PropertiesService.getDocumentProperties().setProperty('written', 'later');
  return 'later';
}
function writeNow() {
  PropertiesService.getDocumentProperties().setProperty('written', 'now');
  return 'now';
}
function compileNow() {
  return new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${WASM}))).exports.answer();
}
async function compileLater() {
  var result = await WebAssembly.instantiate(new Uint8Array(${WASM}));
  return [result.instance.exports.answer(), result.instance instanceof WebAssembly.Instance];
}
`;

const written = (emu) => emu.properties.document.get('written');

test('a returned Promise is awaited by default', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('writeLater'), 'later');
  assert.strictEqual(written(emu), 'later');
});

test('with returnedPromises dropped the execution ends when the function returns', async () => {
  const emu = emulatorWith(CODE, { returnedPromises: 'dropped' });
  assert.strictEqual(await emu.run('writeLater'), undefined);
  await new Promise((r) => setTimeout(r, 20));
  assert.strictEqual(written(emu), undefined, 'work after the return meets an ended execution');
  assert.strictEqual(await emu.run('writeNow'), 'now');
  assert.strictEqual(written(emu), 'now');
});

test('returnedPromises takes only awaited or dropped', () => {
  assert.throws(() => emulatorWith(CODE, { returnedPromises: 'maybe' }), /returnedPromises must be/);
});

test('synchronous wasm compiles work by default and can be refused', async () => {
  assert.strictEqual(await emulatorWith(CODE).run('compileNow'), 42);
  const refusing = emulatorWith(CODE, { syncWasmCompile: false });
  await assert.rejects(refusing.run('compileNow'), /WebAssembly.Module is disallowed/);
  assert.deepStrictEqual(await refusing.run('compileLater'), [42, true]);
});

test('choosing a menu item runs its function as that person', async () => {
  const emu = emulatorWith(CODE);
  await emu.user.open();
  assert.strictEqual(await emu.user.chooseMenuItem('Write now'), 'now');
  assert.strictEqual(written(emu), 'now');
  assert.strictEqual(emu.executions.at(-1).fnName, 'writeNow');
  await assert.rejects(emu.user.chooseMenuItem('Nothing'), /no menu item "Nothing"/);
});
