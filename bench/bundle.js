'use strict';
// Bundle cost: the size of the core as the add-on ships it (the wasm module raw and gzipped, and
// the generated addon/WasmBundle.js that embeds it as base64) and how long a cold start takes in
// Node: evaluating the script and awaiting `sheetsyncCore()` (base64 decode, compile,
// instantiate). V8 shares compiled modules inside one process, so every timed start runs in a
// fresh Node process of its own.
//
// Usage: node bundle.js RUNS   → one JSON result on stdout.
//        node bundle.js --once → one cold start, printed as JSON (used by the above).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { BUNDLE, freshBundle } = require('./lib/bundle');
const { median, nowMs, log } = require('./lib/stats');

async function coldStart() {
  const t0 = nowMs();
  const { sheetsyncCore } = freshBundle();
  const t1 = nowMs();
  const core = await sheetsyncCore();
  const t2 = nowMs();
  if (typeof core.protocolVersion !== 'function') throw new Error('the loaded core has no protocolVersion()');
  return { evalMs: t1 - t0, instantiateMs: t2 - t1, totalMs: t2 - t0 };
}

function moduleBytes() {
  const b64 = freshBundle().SHEETSYNC_WASM_BASE64_;
  if (typeof b64 !== 'string') throw new Error('no SHEETSYNC_WASM_BASE64_ in the bundle');
  return Buffer.from(b64, 'base64');
}

async function main() {
  if (process.argv[2] === '--once') {
    process.stdout.write(`${JSON.stringify(await coldStart())}\n`);
    return;
  }
  const runs = Number(process.argv[2] || 7);
  const wasm = moduleBytes();
  const bundleBytes = fs.statSync(BUNDLE).size;
  const starts = [];
  for (let i = 0; i < runs; i += 1) {
    starts.push(JSON.parse(execFileSync(process.execPath, [__filename, '--once'], { encoding: 'utf8' })));
  }
  const result = {
    wasmBytes: wasm.length,
    wasmGzipBytes: zlib.gzipSync(wasm, { level: 9 }).length,
    bundleBytes,
    bundleGzipBytes: zlib.gzipSync(fs.readFileSync(BUNDLE), { level: 9 }).length,
    runs,
    instantiateMs: median(starts.map((s) => s.instantiateMs)),
    evalMs: median(starts.map((s) => s.evalMs)),
    totalMs: median(starts.map((s) => s.totalMs)),
  };
  log(`bundle: wasm ${result.wasmBytes} B (gzip ${result.wasmGzipBytes} B), WasmBundle.js ${bundleBytes} B, cold start ${result.totalMs.toFixed(1)} ms`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
