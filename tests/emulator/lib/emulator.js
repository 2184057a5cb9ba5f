'use strict';
// The emulator: durable state of one spreadsheet and its script project, and
// `run`, which performs one execution in a fresh realm.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { createClock } = require('./clock');
const { SpreadsheetModel } = require('./grid');
const { Execution, SERVICE, isDate, timeOf } = require('./execution');
const { ScriptException } = require('./errors');
const { buildContext, resolveFunction, hasFunction } = require('./context');
const { createPropertyStores } = require('./services/properties');
const { createCaches } = require('./services/cache');
const { releaseAll } = require('./services/lock');
const { createUiRecord } = require('./services/ui');
const { QuotaLedger } = require('./quota');
const { isValidTimeZone } = require('./timezone');
const { TriggerRunner } = require('./triggers');
const { Person } = require('./person');
const { scriptRun } = require('./scriptRun');

const DEFAULTS = {
  files: [],
  projectDir: null,
  htmlFiles: {},
  timeZone: 'America/New_York',
  scriptTimeZone: null,
  locale: 'en_US',
  spreadsheetName: 'Untitled spreadsheet',
  spreadsheetId: null,
  sheets: ['Sheet1'],
  clock: 'virtual',
  now: Date.UTC(2025, 0, 6, 9, 0, 0),
  executionTimeLimitMs: 6 * 60 * 1000,
  simpleTriggerTimeLimitMs: 30 * 1000,
  mode: 'container-bound',
  owner: 'owner@example.com',
  urlFetchDailyQuota: null,
  // Which daily quotas apply (quota.js): a consumer (gmail.com) or a Workspace account.
  account: 'consumer',
  // Whether a published add-on's time-driven trigger runs with the document it was made in
  // (Google says it may not: no active spreadsheet, no document properties, no document lock).
  addonTimerHasDocument: true,
  // 'versioned' (a published deployment) enforces the manifest's urlFetchWhitelist; 'head' (a
  // bound script, a test deployment) does not, as Google's allowlist page says.
  deployment: 'head',
  quotaLimits: null,
  addonName: 'Add-on',
  echoLogs: false,
  // Google does not document whether an execution waits for a Promise its function returns;
  // 'dropped' ends the execution when the function returns, as if it did not.
  returnedPromises: 'awaited',
  // Whether `new WebAssembly.Module(bytes)` (a synchronous compile) is allowed; browsers refuse
  // large ones, and Google does not document Apps Script's rule.
  syncWasmCompile: true,
  // How getContentText() without an argument decodes a body whose Content-Type names no
  // charset; Google does not document it.
  defaultResponseCharset: 'UTF-8',
};

/** The time zone in the project's appsscript.json, if there is one. */
/** The project's appsscript.json as an object, or null when it has none (or cannot be read). */
function readManifest(dir) {
  const file = path.join(dir, 'appsscript.json');
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function manifestTimeZone(manifest) {
  const tz = manifest && manifest.timeZone;
  return isValidTimeZone(tz) ? tz : null;
}

/** An error a script execution ended with, carried back to the host. */
class ExecutionError extends Error {
  constructor(scriptError) {
    const message = scriptError && scriptError.message !== undefined ? scriptError.message : String(scriptError);
    super(message);
    this.name = scriptError && scriptError.name ? scriptError.name : 'Error';
    if (scriptError && scriptError.stack) this.stack = scriptError.stack;
    this.scriptError = scriptError;
  }
}

/** Copies plain data from the script realm to host arrays, objects and Dates. */
function toHost(value, seen = new Set()) {
  if (value === null || typeof value !== 'object' || value[SERVICE]) return value;
  if (isDate(value)) return new Date(timeOf(value));
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return Array.from(value, (v) => toHost(v, seen));
  const proto = Object.getPrototypeOf(value);
  if (proto === null || Object.getPrototypeOf(proto) === null) {
    const out = {};
    for (const k of Object.keys(value)) out[k] = toHost(value[k], seen);
    return out;
  }
  return value;
}

/** One spreadsheet with its bound script project. */
class Emulator {
  constructor(options = {}) {
    const o = { ...DEFAULTS, ...options };
    if (!isValidTimeZone(o.timeZone)) throw new Error(`unknown time zone ${JSON.stringify(o.timeZone)}`);
    if (!['container-bound', 'addon', 'test-deployment'].includes(o.mode)) throw new Error(`mode must be 'container-bound', 'addon' or 'test-deployment', got ${JSON.stringify(o.mode)}`);
    if (!['awaited', 'dropped'].includes(o.returnedPromises)) throw new Error(`returnedPromises must be 'awaited' or 'dropped', got ${JSON.stringify(o.returnedPromises)}`);
    o.files = o.files.map((f) => path.resolve(f));
    o.projectDir = o.projectDir || (o.files[0] ? path.dirname(o.files[0]) : process.cwd());
    this.manifest = readManifest(o.projectDir);
    o.scriptTimeZone = o.scriptTimeZone || manifestTimeZone(this.manifest) || o.timeZone;
    if (!['head', 'versioned'].includes(o.deployment)) throw new Error(`deployment must be 'head' or 'versioned', got ${JSON.stringify(o.deployment)}`);
    this.options = o;
    this.scriptId = crypto.randomBytes(24).toString('base64url');
    this.clock = createClock({ mode: o.clock, start: o.now });
    this.spreadsheet = new SpreadsheetModel({ id: o.spreadsheetId || crypto.randomBytes(22).toString('base64url'), name: o.spreadsheetName, timeZone: o.timeZone });
    for (const name of o.sheets) this.spreadsheet.addSheet(name);
    this.properties = createPropertyStores();
    this.caches = createCaches();
    this.locks = new Map();
    this.triggers = [];
    this.ui = createUiRecord();
    this.logs = [];
    this.executions = [];
    this.stats = { urlFetchCalls: 0, requests: [] };
    this.quota = new QuotaLedger(this);
    this.serviceHooks = [];
    this.serviceTimers = [];
    this.triggerRunner = new TriggerRunner(this);
    this.people = new Map();
    this.user = this.person(o.owner);
    const advance = (ms) => this.triggerRunner.advance(ms);
    this.clock.advance = advance;
  }

  /** A collaborator editing the sheet (created on first use). */
  person(email) {
    if (!this.people.has(email)) this.people.set(email, new Person(this, email));
    return this.people.get(email);
  }

  /**
   * Runs `fnName(...args)` (usually one event object or none) as a manual
   * execution by the owner; resolves to its result copied to host objects.
   */
  run(fnName, ...args) {
    return this.execute({ fnName, kind: 'manual', user: this.user, argsFor: (exec) => args.map((a) => exec.toRealm(a)) });
  }

  /** Runs `fnName(...args)` as `person` (defaults to the owner). */
  runAs(person, fnName, ...args) {
    return this.execute({ fnName, kind: 'manual', user: person || this.user, argsFor: (exec) => args.map((a) => exec.toRealm(a)) });
  }

  /** The google.script.run bridge: see scriptRun.js. */
  scriptRun(fnName, args = [], { user } = {}) {
    return scriptRun(this, fnName, args, user || this.user);
  }

  /** Fires time-driven triggers that are due now. */
  runDueTriggers() {
    return this.triggerRunner.runDue();
  }

  /** Opens the spreadsheet: the simple onOpen and installable open triggers run. */
  open(person = this.user) {
    return this.triggerRunner.fireOpen(person);
  }

  /** Installs the add-on for `person`: the simple onInstall(e) runs with FULL authorization. */
  install(person = this.user) {
    return this.triggerRunner.fireInstall(person);
  }

  /** Registers `hook({ call, execution })`, run before every service call; a throw kills the execution. Returns a remover. */
  beforeServiceCall(hook) {
    this.serviceHooks.push(hook);
    return () => {
      this.serviceHooks = this.serviceHooks.filter((h) => h !== hook);
    };
  }

  /**
   * Registers `hook({ call, execution, ms })`, run after every service call that passed the gate
   * (returned or threw), with the call's own wall time in ms. Returns a remover.
   */
  afterServiceCall(hook) {
    this.serviceTimers.push(hook);
    return () => {
      this.serviceTimers = this.serviceTimers.filter((h) => h !== hook);
    };
  }

  /**
   * Kills the next execution that gets past a point: after `urlFetchCalls`
   * completed UrlFetchApp calls (or `serviceCalls` service calls), its next
   * service call fails and the execution ends. One-shot.
   */
  failAfter({ urlFetchCalls = null, serviceCalls = null, message = 'Execution killed by the emulator (failAfter)' } = {}) {
    let fetches = 0;
    let calls = 0;
    const remove = this.beforeServiceCall(({ call }) => {
      const due = (urlFetchCalls !== null && fetches >= urlFetchCalls) || (serviceCalls !== null && calls >= serviceCalls);
      if (due) {
        remove();
        throw new Error(message);
      }
      calls++;
      if (call === 'UrlFetchApp.fetch' || call === 'UrlFetchApp.fetchAll') fetches++;
    });
    return remove;
  }

  /**
   * Performs one execution. `argsFor(exec)` builds the arguments inside the
   * execution (event objects hold its service objects). `optional` makes a
   * missing function a no-op (simple triggers).
   */
  async execute({ fnName, kind, user, effectiveUser = null, authMode = 'FULL', triggerUid = null, argsFor = null, optional = false, timeLimitMs = null }) {
    const exec = new Execution(this, { kind, user, authMode, triggerUid });
    exec.effectiveUser = effectiveUser;
    if (timeLimitMs !== null) exec.deadlineMs = Math.min(exec.deadlineMs, timeLimitMs);
    const record = { id: exec.id, fnName, kind, user: user.email, status: 'running', error: null };
    this.executions.push(record);
    const started = process.hrtime.bigint();
    let counted = true;
    try {
      if ((kind === 'trigger' || kind === 'time') && !this.quota.triggerAllowed()) {
        throw new ScriptException('Service using too much computer time for one day');
      }
      const context = buildContext(exec);
      if (optional && !hasFunction(context, fnName)) {
        record.status = 'skipped';
        counted = false;
        return undefined;
      }
      let fn;
      try {
        fn = resolveFunction(context, fnName);
      } catch (e) {
        throw exec.toScriptError(e);
      }
      const args = argsFor ? argsFor(exec) : [];
      let result = fn(...args);
      if (result && typeof result.then === 'function') {
        if (this.options.returnedPromises === 'awaited') {
          result = await result;
        } else {
          // The execution ends now; whatever the Promise still does meets an ended execution.
          result.then(null, () => {});
          result = undefined;
        }
      }
      if (exec.terminated) throw exec.toScriptError(exec.terminated);
      record.status = 'completed';
      return toHost(result);
    } catch (e) {
      const err = exec.terminated ? exec.toScriptError(exec.terminated) : e;
      record.status = 'failed';
      record.error = err && err.message !== undefined ? String(err.message) : String(err);
      throw new ExecutionError(err);
    } finally {
      releaseAll(this, exec);
      if (!exec.terminated) exec.terminate('This execution has already ended.');
      if (counted) this.quota.executed(kind, Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
}

/** Creates an emulator; see README.md for the options. */
function createEmulator(options) {
  return new Emulator(options);
}

module.exports = { createEmulator, Emulator, ExecutionError, toHost, ScriptException };
