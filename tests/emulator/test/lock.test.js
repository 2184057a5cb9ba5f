'use strict';
// LockService across concurrent executions of one emulator.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
async function holdLock(gate) {
  var lock = LockService.getDocumentLock();
  lock.waitLock(1000);
  await gate;
  var had = lock.hasLock();
  lock.releaseLock();
  return [had, lock.hasLock()];
}
async function holdWithoutRelease(gate) {
  LockService.getDocumentLock().waitLock(1000);
  await gate;
}
function tryFor(ms) { return LockService.getDocumentLock().tryLock(ms); }
function waitFor(ms) { LockService.getDocumentLock().waitLock(ms); return 'locked'; }
function otherLocks() { return [LockService.getScriptLock().tryLock(0), LockService.getUserLock().tryLock(0)]; }
`;

test('a lock held by one execution makes another\'s tryLock fail and waitLock throw', async () => {
  const emu = emulatorWith(CODE);
  let open;
  const holder = emu.run('holdLock', new Promise((r) => { open = r; }));
  assert.strictEqual(await emu.run('tryFor', 100), false);
  await assert.rejects(emu.run('waitFor', 200), { message: 'Lock timeout: another process was holding the lock for too long.' });
  assert.deepStrictEqual(await emu.run('otherLocks'), [true, true]); // separate locks
  open();
  assert.deepStrictEqual(await holder, [true, false]);
  assert.strictEqual(await emu.run('tryFor', 100), true);
});

test('a lock still held when its execution ends is released', async () => {
  const emu = emulatorWith(CODE);
  let open;
  const holder = emu.run('holdWithoutRelease', new Promise((r) => { open = r; }));
  assert.strictEqual(await emu.run('tryFor', 0), false);
  open();
  await holder;
  assert.strictEqual(await emu.run('waitFor', 0), 'locked');
});

test('waiting for a lock spends the timeout on the execution\'s clock', async () => {
  const emu = emulatorWith(CODE, { executionTimeLimitMs: 1000 });
  let open;
  const holder = emu.run('holdWithoutRelease', new Promise((r) => { open = r; }));
  await assert.rejects(emu.run('waitFor', 5000), { message: 'Exceeded maximum execution time' });
  open();
  await holder;
});
