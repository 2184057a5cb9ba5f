'use strict';
// What one execution is: a fresh realm over the project's files, the globals
// Apps Script has (and not those it lacks), a deadline, and test hooks.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');
const { ABSENT_GLOBALS } = require('../index');

const CODE = {
  'Code.js': `
var counter = 0;
function bump() {
  counter += 1;
  PropertiesService.getDocumentProperties().setProperty('runs', String(Number(PropertiesService.getDocumentProperties().getProperty('runs') || 0) + 1));
  return [counter, PropertiesService.getDocumentProperties().getProperty('runs')];
}
function typeOfGlobal(name) { return typeof globalThis[name]; }
function sleepTwice(ms) { Utilities.sleep(ms); Utilities.sleep(ms); return 'done'; }
function swallowTimeout(ms) {
  try { Utilities.sleep(ms); Utilities.sleep(ms); } catch (e) { /* a script cannot catch its own end */ }
  PropertiesService.getDocumentProperties().setProperty('after', 'written');
  return 'returned';
}
function now() { return [Date.now(), new Date().getTime()]; }
function dateIsDate() {
  var v = SpreadsheetApp.getActiveSheet().getRange('A1').setValue(new Date(0)).getValue();
  return [v instanceof Date && v.constructor === Date && new Date().constructor === Date,
    Array.isArray(SpreadsheetApp.getActiveSheet().getRange('A1').getValues()),
    SpreadsheetApp.getActiveSheet().getRange('A1').getValues() instanceof Array];
}
async function compileWasm() {
  // (module (func (export "answer") (result i32) i32.const 42))
  var bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,96,0,1,127,3,2,1,0,7,10,1,6,97,110,115,119,101,114,0,0,10,6,1,4,0,65,42,11]);
  var result = await WebAssembly.instantiate(bytes);
  return result.instance.exports.answer();
}
function logSomething() { Logger.log('value %s', 7); console.log('from console', 1); return Logger.getLog(); }
`,
  'Second.js': `
const SHARED = 'top-level const in another file';
function readShared() { return [SHARED, typeof bump]; }
`,
};

test('each execution starts from fresh globals while properties persist', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('bump'), [1, '1']);
  assert.deepStrictEqual(await emu.run('bump'), [1, '2']);
});

test('all files share one global scope, including top-level const', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('readShared'), ['top-level const in another file', 'function']);
});

test('globals Apps Script lacks are absent', async () => {
  const emu = emulatorWith(CODE);
  for (const name of ['TextEncoder', 'TextDecoder', 'atob', 'btoa', 'fetch', 'setTimeout', 'setInterval', 'crypto', 'require', 'process', 'Buffer', 'queueMicrotask', 'structuredClone']) {
    assert.ok(ABSENT_GLOBALS.includes(name), name);
    assert.strictEqual(await emu.run('typeOfGlobal', name), 'undefined', name);
  }
});

test('WebAssembly, console and the services are present', async () => {
  const emu = emulatorWith(CODE);
  for (const name of ['WebAssembly', 'console', 'SpreadsheetApp', 'PropertiesService', 'CacheService', 'LockService', 'UrlFetchApp', 'ScriptApp', 'HtmlService', 'Utilities', 'Session', 'Logger']) {
    assert.strictEqual(await emu.run('typeOfGlobal', name), 'object', name);
  }
  assert.strictEqual(await emu.run('compileWasm'), 42);
});

test('an async entry function is awaited', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('compileWasm'), 42);
});

test('values from services are the script realm\'s own Dates and Arrays', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('dateIsDate'), [true, true, true]);
});

test('the script\'s Date follows the emulator clock', async () => {
  const emu = emulatorWith(CODE, { now: Date.UTC(2030, 0, 1) });
  assert.deepStrictEqual(await emu.run('now'), [Date.UTC(2030, 0, 1), Date.UTC(2030, 0, 1)]);
  await emu.clock.advance(5000);
  assert.deepStrictEqual(await emu.run('now'), [Date.UTC(2030, 0, 1) + 5000, Date.UTC(2030, 0, 1) + 5000]);
});

test('a missing function fails with Google\'s text', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('noSuchFunction'), { message: 'Script function not found: noSuchFunction' });
});

test('an execution past its deadline fails with Exceeded maximum execution time', async () => {
  const emu = emulatorWith(CODE, { executionTimeLimitMs: 2000 });
  assert.strictEqual(await emu.run('sleepTwice', 900), 'done');
  await assert.rejects(emu.run('sleepTwice', 1500), { message: 'Exceeded maximum execution time' });
});

test('a script that catches its timeout still ends and writes nothing more', async () => {
  const emu = emulatorWith(CODE, { executionTimeLimitMs: 2000 });
  await assert.rejects(emu.run('swallowTimeout', 1500), { message: 'Exceeded maximum execution time' });
  assert.strictEqual(emu.properties.document.get('after'), undefined);
  assert.strictEqual(emu.executions.at(-1).status, 'failed');
});

test('a test hook before each service call can kill an execution at a chosen point', async () => {
  const emu = emulatorWith(CODE);
  emu.failAfter({ serviceCalls: 2, message: 'killed here' });
  await assert.rejects(emu.run('bump'), { message: 'killed here' });
  assert.strictEqual(emu.properties.document.get('runs'), undefined);
  assert.deepStrictEqual(await emu.run('bump'), [1, '1']); // the hook was one-shot
});

test('a test hook after each service call gets its name and its own time, also when it threw', async () => {
  // On the real clock a sleep really waits, so its own time is known.
  const emu = emulatorWith(CODE, { clock: 'real' });
  const seen = [];
  const remove = emu.afterServiceCall(({ call, ms }) => seen.push([call, ms]));
  assert.strictEqual(await emu.run('sleepTwice', 30), 'done');
  assert.deepStrictEqual(seen.map(([call]) => call), ['Utilities.sleep', 'Utilities.sleep']);
  assert.ok(seen.every(([, ms]) => ms >= 25), `each sleep took its 30 ms: ${JSON.stringify(seen)}`);
  seen.length = 0;
  emu.options.executionTimeLimitMs = 50;
  await assert.rejects(emu.run('sleepTwice', 40), /Exceeded maximum execution time/);
  assert.ok(seen.length >= 1, 'a call that ended the execution was timed too');
  remove();
  emu.options.executionTimeLimitMs = 6 * 60 * 1000;
  await emu.run('sleepTwice', 1);
  assert.strictEqual(seen.length < 3, true, 'the removed hook no longer runs');
});

test('Logger and console lines are kept per execution', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('logSomething'), 'value 7\n');
  assert.deepStrictEqual(emu.logs.map((l) => l.message), ['value 7', 'from console 1']);
});
