'use strict';
// LockService: mutual exclusion between executions of the same emulator.
//
// Executions share one JS thread, so a waiting execution cannot let the
// holder run to its release. A contended tryLock/waitLock therefore spends
// its whole timeout (as sleep) and then fails — the outcome Google gives when
// the holder keeps the lock longer than the timeout. Locks an execution still
// holds are released when it ends, as in Apps Script.

const { ScriptException } = require('../errors');

const TIMEOUT_TEXT = 'Lock timeout: another process was holding the lock for too long.';

function createLock(exec, key) {
  const held = exec.emu.locks; // Map: lock key → execution id
  const acquire = (timeout) => {
    const holder = held.get(key);
    if (holder === undefined || holder === exec.id) {
      held.set(key, exec.id);
      exec.heldLocks.add(key);
      return true;
    }
    exec.sleep(Math.min(Math.max(0, Number(timeout) || 0), exec.remainingMs()));
    return false;
  };
  return exec.service('Lock', {
    tryLock: (timeoutInMillis) => acquire(timeoutInMillis),
    waitLock(timeoutInMillis) {
      if (!acquire(timeoutInMillis)) throw new ScriptException(TIMEOUT_TEXT);
    },
    releaseLock() {
      if (held.get(key) === exec.id) held.delete(key);
      exec.heldLocks.delete(key);
    },
    hasLock: () => held.get(key) === exec.id,
  });
}

/** Creates the LockService global for one execution. */
function createLockService(exec) {
  const ssId = exec.emu.spreadsheet.id;
  return exec.service('LockService', {
    getScriptLock: () => createLock(exec, 'script'),
    getDocumentLock: () => (exec.hasDocument ? createLock(exec, `document:${ssId}`) : null),
    getUserLock: () => createLock(exec, `user:${exec.user.email}`),
  });
}

/** Frees every lock an execution still holds (called when it ends). */
function releaseAll(emu, exec) {
  for (const key of exec.heldLocks) if (emu.locks.get(key) === exec.id) emu.locks.delete(key);
  exec.heldLocks.clear();
}

module.exports = { createLockService, releaseAll, TIMEOUT_TEXT };
