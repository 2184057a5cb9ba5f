'use strict';
// Daily quotas as Google's quotas page gives them, per account type: UrlFetch calls, property
// reads and writes, trigger runtime; executions counted by kind.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');
const { DAILY_QUOTAS } = require('../lib/quota');

const CODE = `
function touch(n) {
  var p = PropertiesService.getDocumentProperties();
  for (var i = 0; i < n; i++) p.getProperty('k');
  PropertiesService.getUserProperties().setProperty('k', 'v');
  return n;
}
function onTimer() { return 'tick'; }
function install() { ScriptApp.newTrigger('onTimer').timeBased().everyMinutes(1).create(); }
`;

test('consumer and Workspace accounts have Google\'s daily figures', () => {
  assert.deepStrictEqual(emulatorWith(CODE).quota.limits, { urlFetchCalls: 20000, propertyCalls: 50000, triggerRuntimeMs: 90 * 60 * 1000 });
  assert.deepStrictEqual(emulatorWith(CODE, { account: 'workspace' }).quota.limits, DAILY_QUOTAS.workspace);
  assert.throws(() => emulatorWith(CODE, { account: 'school' }), /account must be/);
});

test('every property call on any store counts, and past the quota fails with Google\'s text', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('touch', 9);
  assert.strictEqual(emu.quota.snapshot().today.propertyCalls, 9 + 1, 'nine reads and one write');
  await emu.run('touch', 50000 - 10 - 1);
  await assert.rejects(emu.run('touch', 0), { message: 'Service invoked too many times for one day: properties.' });
  assert.strictEqual(emu.quota.snapshot().today.propertyCalls, 50000);
});

test('the counters start again on the next day of the clock', async () => {
  const emu = emulatorWith(CODE, { quotaLimits: { propertyCalls: 5 } });
  await emu.run('touch', 4);
  await assert.rejects(emu.run('touch', 4), /too many times for one day: properties/);
  await emu.clock.advance(24 * 60 * 60 * 1000);
  assert.strictEqual(await emu.run('touch', 3), 3);
  assert.strictEqual(emu.quota.snapshot().total.propertyCalls, 5 + 4);
});

test('executions are counted by kind and trigger runtime only for triggers', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('install');
  await emu.clock.advance(3 * 60 * 1000);
  const { today } = emu.quota.snapshot();
  assert.deepStrictEqual(today.executions, { manual: 1, time: 3 });
  assert.ok(today.triggerRuntimeMs > 0);
});

test('triggers stop for the day once their runtime quota is spent', async () => {
  const emu = emulatorWith(CODE, { quotaLimits: { triggerRuntimeMs: 0.001 } });
  await emu.run('install');
  const outcomes = await emu.clock.advance(2 * 60 * 1000);
  assert.strictEqual(outcomes[0].status, 'completed');
  assert.strictEqual(outcomes[1].status, 'failed');
  assert.match(outcomes[1].error.message, /Service using too much computer time for one day/);
  const nextDay = await emu.clock.advance(24 * 60 * 60 * 1000);
  assert.strictEqual(nextDay.filter((o) => o.status === 'completed').length, 1, 'a new day, a new allowance');
});
