'use strict';
// Loading the add-on's generated wasm bundle (addon/WasmBundle.js) and its cell conversion
// (addon/Sheet.js) in Node the way Apps Script runs them: as classic script text, in one realm
// with the sheet's values (objects from another V8 context fail `instanceof Date` and take the
// slow path), and with the globals Apps Script lacks hidden from them (no TextEncoder or
// TextDecoder, so the bundle uses its own polyfill; no Buffer, atob, fetch, setTimeout).

const fs = require('node:fs');
const path = require('node:path');

const ADDON = path.resolve(__dirname, '..', '..', 'addon');
// SHEETSYNC_BENCH_BUNDLE points at another build of the bundle (e.g. a speed-optimized one, to
// see what the size-optimized profile costs); by default the committed add-on bundle is used.
const BUNDLE = process.env.SHEETSYNC_BENCH_BUNDLE || path.join(ADDON, 'WasmBundle.js');
const ABSENT_IN_APPS_SCRIPT = ['TextEncoder', 'TextDecoder', 'Buffer', 'atob', 'btoa', 'fetch',
  'setTimeout', 'setInterval', 'crypto', 'process', 'require', 'module', 'exports'];

/** Why the bundle cannot be benchmarked, or null when it is there. */
function bundleMissing() {
  if (!fs.existsSync(BUNDLE)) return `${path.basename(BUNDLE)} is missing; scripts/build-addon builds it`;
  return null;
}

/**
 * Evaluates an Apps Script file's text in a function scope of its own (its top-level `var`s and
 * functions stay in it) where the Node-only globals read as undefined, and returns the values of
 * the names asked for.
 */
function evaluateScript(file, names) {
  const body = `${fs.readFileSync(file, 'utf8')}\n;return {${names.map((n) => `${n}: typeof ${n} === 'undefined' ? undefined : ${n}`).join(', ')}};`;
  // eslint-disable-next-line no-new-func
  return new Function(...ABSENT_IN_APPS_SCRIPT, body)();
}

/** A fresh copy of the bundle's `sheetsyncCore` loader (and its embedded base64 module). */
function freshBundle(file = BUNDLE) {
  const got = evaluateScript(file, ['sheetsyncCore', 'SHEETSYNC_WASM_BASE64_']);
  if (typeof got.sheetsyncCore !== 'function') throw new Error(`${file} defines no sheetsyncCore() loader`);
  return got;
}

/** The instantiated core API of a fresh copy of the bundle (`file`, by default the add-on's). */
async function loadCore(file = BUNDLE) {
  return freshBundle(file).sheetsyncCore();
}

/**
 * The add-on's own snapshot of the sheet's rows (`sheetSnapshotOf_` in `addon`/Sheet.js, by
 * default the add-on's own, which hands the getValues() rows over as they are), so the benchmark
 * pays exactly what the add-on pays; null when that file or function is not there.
 */
function addonSnapshotOf(addon = ADDON) {
  const file = path.join(addon, 'Sheet.js');
  if (!fs.existsSync(file)) return null;
  try {
    const got = evaluateScript(file, ['sheetSnapshotOf_']);
    return typeof got.sheetSnapshotOf_ === 'function' ? got.sheetSnapshotOf_ : null;
  } catch {
    return null;
  }
}

module.exports = { BUNDLE, bundleMissing, freshBundle, loadCore, addonSnapshotOf };
