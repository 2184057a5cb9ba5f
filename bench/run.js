'use strict';
// Runs the benchmark suite and prints one table. Every benchmark runs in a child process of its
// own (so its peak memory is its own and a failure stops only that line of the table); a piece
// that is missing or fails is reported as "not measured (reason)", never as a figure.
//
// Usage: node run.js [--quick] [diff] [push] [feed] [incremental] [sync] [server-quota] [bundle]
//   --quick   small sizes and few runs, to check that the harness works (figures not comparable)
// Results also go to bench/out/results.json and bench/out/table.md.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { serverMissing, ROOT } = require('./lib/server');
const { bundleMissing } = require('./lib/bundle');
const { machine } = require('./lib/machine');
const { renderTable } = require('./lib/report');
const { log } = require('./lib/stats');

const OUT = path.join(__dirname, 'out');
const NATIVE = path.join(ROOT, 'target-bench', 'release', 'sheetsync-bench-native');

/** Runs `node script args` (or a binary), resolving with its parsed JSON stdout or a failure reason. */
function runStep(command, args, { timeoutMs = 30 * 60000, stdout: file } = {}) {
  return new Promise((resolve) => {
    const isNode = command.endsWith('.js');
    const child = spawn(isNode ? process.execPath : command,
      // --expose-gc: a wasm run collects what the run before it left before measuring its peak.
      isNode ? ['--max-old-space-size=8192', '--expose-gc', path.join(__dirname, command), ...args] : args,
      { cwd: __dirname, stdio: ['ignore', file ? fs.openSync(file, 'w') : 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    if (child.stdout) child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { process.stderr.write(c); err = (err + c).slice(-2000); });
    const timer = setTimeout(() => { err += `\ntimed out after ${timeoutMs / 1000} s`; child.kill('SIGKILL'); }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const lines = err.trim().split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
        resolve({ error: `${path.basename(command)} failed (${signal || `exit ${code}`}): ${(lines.pop() || '').slice(0, 300)}` });
        return;
      }
      if (file) { resolve({ ok: true }); return; }
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        resolve({ error: `${path.basename(command)} printed no result` });
      }
    });
  });
}

async function diffSuite(quick) {
  const sizes = quick
    ? [{ rows: 10000, runs: 3, daffRuns: 3 }]
    : [{ rows: 10000, runs: 7, daffRuns: 7 }, { rows: 50000, runs: 5, daffRuns: 5 },
      { rows: 100000, runs: 5, daffRuns: 5 }, { rows: 500000, runs: 3, daffRuns: 3 }];
  const results = [];
  const nativeMissing = process.env.SHEETSYNC_BENCH_NATIVE_ERROR
    || (fs.existsSync(NATIVE) ? null : 'no native driver binary (scripts/bench builds bench/native)');
  const wasmMissing = bundleMissing();
  for (const { rows, runs, daffRuns } of sizes) {
    const dir = path.join(OUT, `diff-${rows}`);
    fs.mkdirSync(dir, { recursive: true });
    const entry = { rows, cells: rows * 20 };
    log(`\n== diff: ${rows} rows`);
    let baseError = nativeMissing;
    if (!baseError) {
      const prepared = await runStep('diff/prepare.js', [rows, dir, 'before']);
      const built = prepared.error ? prepared
        : await runStep(NATIVE, ['base', path.join(dir, 'before.json')], { stdout: path.join(dir, 'base.json') });
      const after = built.error ? built : await runStep('diff/prepare.js', [rows, dir, 'after']);
      baseError = after.error || null;
    }
    entry.native = baseError ? { error: baseError }
      : await runStep(NATIVE, ['plan', path.join(dir, 'after.json'), runs]);
    for (const [key, mode] of [['wasmJson', 'json'], ['wasm', 'object']]) {
      entry[key] = wasmMissing || baseError ? { error: wasmMissing || baseError }
        : await runStep('diff/wasm.js', [rows, dir, runs, mode]);
    }
    const expected = rows / 100;
    if (!entry.native.error && entry.native.summary.updatedInDatabase !== expected) {
      entry.native = { error: `the native plan updates ${entry.native.summary.updatedInDatabase} rows, expected ${expected}` };
    }
    // The baselines, each in a process of its own like the engines above.
    entry.daffView = await runStep('diff/daff.js', [rows, daffRuns, 'view'], { timeoutMs: 60 * 60000 });
    entry.plain = await runStep('diff/plain.js', [rows, daffRuns], { timeoutMs: 60 * 60000 });
    entry.daff = await runStep('diff/daff.js', [rows, daffRuns, 'simple'], { timeoutMs: 60 * 60000 });
    for (const f of ['before.json', 'after.json']) fs.rmSync(path.join(dir, f), { force: true });
    results.push(entry);
  }
  return results;
}

async function serverSuite(name, quick, dialects, argsOf) {
  const missing = serverMissing();
  const results = {};
  for (const dialect of dialects) {
    log(`\n== ${name}: ${dialect}`);
    results[dialect] = missing ? { error: missing } : await runStep(`${name}.js`, [dialect, ...argsOf(quick)]);
  }
  return results;
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const wanted = args.filter((a) => !a.startsWith('--'));
  const want = (name) => wanted.length === 0 || wanted.includes(name);
  fs.mkdirSync(OUT, { recursive: true });
  const results = { machine: machine(), quick, startedAt: new Date().toISOString() };
  if (want('diff')) results.diff = await diffSuite(quick);
  const dialects = ['mysql', 'postgres'];
  if (want('push')) {
    results.push = await serverSuite('push', quick, dialects,
      (q) => (q ? [10000, 1, 1000, 60] : [100000, 3, 1000, 150]));
    // This machine's PostgreSQL may run without autovacuum; the same push with the statistics
    // kept fresh shows what that costs.
    results.push['postgres-analyzed'] = (await serverSuite('push', quick, ['postgres'],
      (q) => (q ? [10000, 1, 1000, 60, 10] : [100000, 3, 1000, 150, 10]))).postgres;
  }
  if (want('feed')) {
    results.feed = await serverSuite('feed', quick, dialects,
      (q) => (q ? [5, 1, 20] : [20, 1, 100, 500]));
  }
  if (want('incremental')) {
    results.incremental = await serverSuite('incremental', quick, dialects, (q) => [q ? 5 : 21]);
  }
  if (want('sync')) {
    // One backend: the phases are the add-on's and the emulator's; the server's part is the HTTP.
    results.sync = await serverSuite('sync', quick, ['mysql'], (q) => (q ? [5000, 2] : [100000, 5]));
  }
  if (want('server-quota')) {
    // One backend: what is measured is the Sheets API's quota, not the database.
    log('\n== server-quota');
    const missing = serverMissing();
    const args = quick ? ['mysql', '5', '--minutes', '5'] : ['mysql', '25', '50', '75', '100'];
    results.serverQuota = missing ? { error: missing } : await runStep('server-quota.js', args);
  }
  if (want('bundle')) {
    log('\n== bundle');
    const missing = bundleMissing();
    results.bundle = missing ? { error: missing } : await runStep('bundle.js', [quick ? 3 : 7]);
  }
  results.finishedAt = new Date().toISOString();
  results.loadAverageAtEnd = machine().loadAverage;
  fs.writeFileSync(path.join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const table = renderTable(results);
  fs.writeFileSync(path.join(OUT, 'table.md'), `${table}\n`);
  process.stdout.write(`\n${table}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
