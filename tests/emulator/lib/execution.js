'use strict';
// One execution: a deadline, the script realm it runs in, and the gate every
// service call passes through (deadline check, test hooks, error conversion).

const { performance } = require('node:perf_hooks');
const { ScriptException, ExecutionTerminated } = require('./errors');

const TIMEOUT_MESSAGE = 'Exceeded maximum execution time';

let executionCounter = 0;

/** Marks service objects, which cross into the script realm as they are. */
const SERVICE = Symbol('apps-script-service');

/** State and gate of one running execution. */
class Execution {
  constructor(emu, { kind, user, authMode = 'FULL', triggerUid = null }) {
    this.id = ++executionCounter;
    this.emu = emu;
    this.kind = kind; // 'manual' | 'trigger' | 'scriptRun' | 'time'
    this.user = user;
    this.authMode = authMode;
    this.triggerUid = triggerUid;
    this.deadlineMs = emu.options.executionTimeLimitMs;
    this.startedAt = performance.now();
    this.sleptMs = 0;
    this.terminated = null;
    this.realm = null;
    this.heldLocks = new Set();
    this.serviceCalls = 0;
    // A published add-on's time-driven trigger may run without its document (see the option).
    this.hasDocument = !(emu.options.mode === 'addon' && kind === 'time' && !emu.options.addonTimerHasDocument);
    // Service objects → the model they stand for (sheet, range), for calls
    // such as deleteSheet(sheet) that take another service object.
    this.models = new WeakMap();
  }

  /** Milliseconds this execution has used (real time plus sleeps). */
  elapsedMs() {
    return performance.now() - this.startedAt + this.sleptMs;
  }

  /** Milliseconds left before the deadline. */
  remainingMs() {
    return Math.max(0, this.deadlineMs - this.elapsedMs());
  }

  /**
   * Lets `ms` pass inside the execution: a virtual clock jumps (and the time
   * counts against the deadline), a real clock blocks the thread.
   */
  sleep(ms) {
    const wait = Math.max(0, Number(ms) || 0);
    const clock = this.emu.clock;
    if (clock.mode === 'virtual') {
      clock.move(wait);
      this.sleptMs += wait;
    } else {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(wait, this.remainingMs() + 1));
    }
    if (this.elapsedMs() > this.deadlineMs) throw this.terminate(TIMEOUT_MESSAGE);
  }

  /** Ends the execution: every later service call throws `message`. */
  terminate(message) {
    if (!this.terminated) this.terminated = new ExecutionTerminated(message);
    return this.terminated;
  }

  /** Gate run before each service call. */
  check(callName) {
    if (this.terminated) throw this.terminated;
    if (this.elapsedMs() > this.deadlineMs) throw this.terminate(TIMEOUT_MESSAGE);
    this.serviceCalls++;
    for (const hook of [...this.emu.serviceHooks]) {
      try {
        hook({ call: callName, execution: this });
      } catch (e) {
        throw this.terminate(e && e.message ? e.message : String(e));
      }
    }
  }

  /** Converts a host error into what the script should catch. */
  toScriptError(e) {
    if (!(e instanceof ScriptException || e instanceof ExecutionTerminated) || !this.realm) return e;
    const err = new this.realm.Error(e.message);
    err.name = 'Exception';
    return err;
  }

  /** Copies host data (arrays, plain objects, Dates) into the script realm so `instanceof` works there. */
  toRealm(value) {
    const R = this.realm;
    if (value === null || typeof value !== 'object') return value;
    if (value[SERVICE]) return value;
    if (value instanceof Date) return new R.Date(value.getTime());
    if (Array.isArray(value)) {
      const out = new R.Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = this.toRealm(value[i]);
      return out;
    }
    if (Object.getPrototypeOf(value) === Object.prototype) {
      const out = new R.Object();
      for (const k of Object.keys(value)) out[k] = this.toRealm(value[k]);
      return out;
    }
    return value;
  }

  /**
   * Makes a service object: each method first passes the gate, and host
   * exceptions become script exceptions. `name` prefixes call names for hooks.
   */
  service(name, methods) {
    const exec = this;
    const out = {};
    for (const [key, fn] of Object.entries(methods)) {
      if (typeof fn !== 'function') {
        out[key] = fn;
        continue;
      }
      out[key] = function gated(...args) {
        const call = `${name}.${key}`;
        exec.check(call);
        if (name === 'Properties') exec.emu.quota.use('propertyCalls');
        const timers = exec.emu.serviceTimers;
        const started = timers.length ? performance.now() : 0;
        try {
          return fn.apply(this, args);
        } catch (e) {
          throw exec.toScriptError(e);
        } finally {
          if (timers.length) {
            const ms = performance.now() - started;
            for (const hook of [...timers]) hook({ call, execution: exec, ms });
          }
        }
      };
    }
    if (!Object.prototype.hasOwnProperty.call(out, 'toString')) Object.defineProperty(out, 'toString', { value: () => name, enumerable: false });
    Object.defineProperty(out, SERVICE, { value: name });
    return out;
  }
}

/** True for a Date from any realm. */
function isDate(v) {
  return Object.prototype.toString.call(v) === '[object Date]';
}

/** Milliseconds of a Date from any realm. */
function timeOf(v) {
  return Date.prototype.getTime.call(v);
}

module.exports = { Execution, TIMEOUT_MESSAGE, SERVICE, isDate, timeOf };
