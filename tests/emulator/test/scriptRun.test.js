'use strict';
// The google.script.run bridge refuses and converts what Google does.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function echo(x) { return x; }
function describe(x) { return { type: typeof x, isArray: Array.isArray(x), json: JSON.stringify(x) }; }
function giveDate() { return new Date(0); }
function giveNested() { return { when: new Date(0), n: 1 }; }
function giveFunction() { return { f: function () {} }; }
function giveCycle() { var a = {}; a.self = a; return a; }
function whoAmI() { return Session.getActiveUser().getEmail(); }
function nothing() {}
function fail() { throw new Error('server side failure'); }
`;

test('plain values, objects and arrays cross as copies', async () => {
  const emu = emulatorWith(CODE);
  const value = { n: 1, s: 'x', b: true, nil: null, list: [1, 'two', { three: 3 }] };
  assert.deepStrictEqual(await emu.scriptRun('echo', [value]), value);
});

test('undefined inside an array arrives as null', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.scriptRun('describe', [[1, undefined, 3]]), { type: 'object', isArray: true, json: '[1,null,3]' });
});

test('a Date argument, even nested, fails the call', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.scriptRun('echo', [new Date()]), { message: 'Failed due to illegal value in property: 0' });
  await assert.rejects(emu.scriptRun('echo', [{ when: new Date() }]), { message: 'Failed due to illegal value in property: when' });
  assert.strictEqual(emu.executions.length, 0); // nothing ran
});

test('a function argument fails the call', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.scriptRun('echo', [() => 1]), /illegal value/);
});

test('a cyclic argument fails the call', async () => {
  const emu = emulatorWith(CODE);
  const a = {};
  a.self = a;
  await assert.rejects(emu.scriptRun('echo', [a]), /illegal value/);
});

test('a DOM node other than a form fails the call', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.scriptRun('echo', [{ nodeType: 1, nodeName: 'DIV' }]), /illegal value/);
});

test('a returned Date, or a result holding one, arrives as null', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.scriptRun('giveDate', []), null);
  assert.strictEqual(await emu.scriptRun('giveNested', []), null);
  assert.strictEqual(await emu.scriptRun('giveFunction', []), null);
});

test('a cyclic result fails the call', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.scriptRun('giveCycle', []), /illegal value/);
});

test('each call is a new execution as the given person, and server errors reach the failure handler', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.scriptRun('whoAmI', [], { user: emu.person('carol@example.com') }), 'carol@example.com');
  assert.strictEqual(await emu.scriptRun('nothing', []), null);
  await assert.rejects(emu.scriptRun('fail', []), { message: 'server side failure' });
  assert.deepStrictEqual(emu.executions.map((e) => e.kind), ['scriptRun', 'scriptRun', 'scriptRun']);
});
