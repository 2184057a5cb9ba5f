'use strict';
// The page-side google.script.run, exercised in a vm "page" with fake bindings.

const test = require('node:test');
const assert = require('node:assert');
const vm = require('node:vm');
const { emulatorWith } = require('../support/helpers');
const { googleScriptClientSource, createClientBridge } = require('../index');

function fakePage(bridge) {
  const page = { location: { origin: 'https://n-abc-script.googleusercontent.com' }, console };
  page.window = page;
  page.__appsScriptRun = bridge.run;
  page.__appsScriptHost = bridge.host;
  vm.createContext(page);
  vm.runInContext(googleScriptClientSource(), page);
  return page;
}

const CODE = `
function add(a, b) { return a + b; }
function boom() { throw new Error('no such binding'); }
`;

test('google.script.run calls the server and hands the result to the success handler with the user object', async () => {
  const emu = emulatorWith(CODE);
  const page = fakePage(createClientBridge(emu));
  const got = await new Promise((resolve) => {
    vm.runInContext('(done) => google.script.run.withSuccessHandler((v, u) => done([v, u])).withUserObject("ctx").add(2, 3)', page)(resolve);
  });
  assert.deepStrictEqual(Array.from(got), [5, 'ctx']);
});

test('a server error reaches the failure handler', async () => {
  const emu = emulatorWith(CODE);
  const page = fakePage(createClientBridge(emu));
  const message = await new Promise((resolve) => {
    vm.runInContext('(done) => google.script.run.withFailureHandler((e) => done(e.message)).boom()', page)(resolve);
  });
  assert.strictEqual(message, 'no such binding');
});

test('the page refuses a Date argument before anything runs', async () => {
  const emu = emulatorWith(CODE);
  const page = fakePage(createClientBridge(emu));
  assert.throws(() => vm.runInContext('google.script.run.add(new Date(), 1)', page), /Failed due to illegal value in property: 0/);
  assert.strictEqual(emu.executions.length, 0);
});

test('google.script.host calls are recorded', async () => {
  const emu = emulatorWith(CODE);
  const page = fakePage(createClientBridge(emu));
  vm.runInContext('google.script.host.close()', page);
  await new Promise((r) => setImmediate(r));
  assert.deepStrictEqual(emu.ui.hostCalls, [{ action: 'close', arg: null }]);
});
