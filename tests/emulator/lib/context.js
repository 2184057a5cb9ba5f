'use strict';
// The script realm of one execution: a fresh vm context holding the V8
// language built-ins that Apps Script has, the services as globals, and the
// project's files loaded in order into one shared global scope.

const fs = require('node:fs');
const vm = require('node:vm');
const { ScriptException } = require('./errors');
const { createSpreadsheetApp } = require('./services/spreadsheetApp');
const { createPropertiesService } = require('./services/properties');
const { createCacheService } = require('./services/cache');
const { createLockService } = require('./services/lock');
const { createUrlFetchApp } = require('./services/urlFetch');
const { createScriptApp } = require('./services/scriptApp');
const { createHtmlService } = require('./services/htmlService');
const { createUtilities } = require('./services/utilities');
const { createSession } = require('./services/session');
const { createLogging } = require('./services/logging');

/**
 * Host and browser globals Apps Script does not have. A vm context already
 * lacks most of them; these are removed in case V8 provides them.
 */
const ABSENT_GLOBALS = [
  'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'fetch', 'setTimeout', 'setInterval', 'clearTimeout',
  'clearInterval', 'setImmediate', 'queueMicrotask', 'structuredClone', 'crypto', 'require', 'process',
  'Buffer', 'module', 'exports', 'SharedArrayBuffer', 'URL', 'URLSearchParams', 'performance', 'navigator',
  'window', 'document', 'XMLHttpRequest', 'AbortController', 'Blob', 'MessageChannel', 'BroadcastChannel',
];

// The script realm's Date follows the emulator's clock: `new Date()` and
// `Date.now()` read it, everything else is the realm's own Date.
const CLOCK_PRELUDE = `(function (now) {
  const RealDate = Date;
  const ClockDate = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget === ClockDate ? target : newTarget);
    },
    apply() { return new RealDate(now()).toString(); },
    get(target, key, receiver) {
      if (key === 'now') return () => now();
      return Reflect.get(target, key, receiver);
    },
  });
  Object.defineProperty(RealDate.prototype, 'constructor', { value: ClockDate, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'Date', { value: ClockDate, writable: true, configurable: true });
})`;

// Refuses synchronous compiles as Chromium does on its main thread (over 8 MB there; here any
// size, so a script that depends on them fails at once): asynchronous compiles still work.
const NO_SYNC_WASM_PRELUDE = `(function () {
  for (const name of ['Module', 'Instance']) {
    const original = WebAssembly[name];
    const refuse = function () {
      throw new RangeError('WebAssembly.' + name + ' is disallowed on this thread; use WebAssembly.instantiate');
    };
    refuse.prototype = original.prototype; // instanceof still answers for asynchronous results
    Object.defineProperty(WebAssembly, name, { value: refuse, writable: true, configurable: true });
  }
})()`;

const sources = new Map();

function readSource(file) {
  const stat = fs.statSync(file);
  const hit = sources.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs) return hit.script;
  const script = new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file });
  sources.set(file, { mtimeMs: stat.mtimeMs, script });
  return script;
}

/** Creates the realm for `exec`, installs globals and loads the project. */
function buildContext(exec) {
  const context = vm.createContext({}, { name: `apps-script-execution-${exec.id}` });
  for (const name of ABSENT_GLOBALS) vm.runInContext(`delete globalThis[${JSON.stringify(name)}]`, context);
  vm.runInContext(CLOCK_PRELUDE, context)(() => exec.emu.clock.now());
  if (!exec.emu.options.syncWasmCompile) vm.runInContext(NO_SYNC_WASM_PRELUDE, context);
  exec.context = context;
  // The clock-following Date is fine for copying instants: with an argument it is the plain Date.
  exec.realm = vm.runInContext('({ Error, Date, Array, Object, JSON })', context);
  const { Logger, console } = createLogging(exec);
  const globals = {
    SpreadsheetApp: createSpreadsheetApp(exec),
    PropertiesService: createPropertiesService(exec),
    CacheService: createCacheService(exec),
    LockService: createLockService(exec),
    UrlFetchApp: createUrlFetchApp(exec),
    ScriptApp: createScriptApp(exec),
    HtmlService: createHtmlService(exec),
    Utilities: createUtilities(exec),
    Session: createSession(exec),
    Logger,
    console,
  };
  for (const [name, value] of Object.entries(globals)) {
    Object.defineProperty(context, name, { value, writable: true, configurable: true, enumerable: false });
  }
  for (const file of exec.emu.options.files) readSource(file).runInContext(context);
  return context;
}

/** Finds a global function of the project by name, or throws Google's text. */
function resolveFunction(context, name) {
  if (!/^[A-Za-z_$][\w$]*$/.test(String(name))) throw new ScriptException(`Script function not found: ${name}`);
  const fn = vm.runInContext(`typeof ${name} === 'function' ? ${name} : undefined`, context);
  if (!fn) throw new ScriptException(`Script function not found: ${name}`);
  return fn;
}

/** True when the project defines a global function `name`. */
function hasFunction(context, name) {
  return vm.runInContext(`typeof ${name} === 'function'`, context);
}

module.exports = { buildContext, resolveFunction, hasFunction, ABSENT_GLOBALS };
