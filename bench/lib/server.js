'use strict';
// Starting and stopping a real `sheetsync-server` for a benchmark: its own database, a synced
// table enabled through the binary's `table enable` subcommand (which installs the
// change-capture triggers), a read-write token from `token create`, and `serve` on a free
// loopback port. Everything started here is stopped by `stop()`.

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { request } = require('./http');
const { log } = require('./stats');

const ROOT = path.resolve(__dirname, '..', '..');

/** The server binary the benchmarks run (a release build; see scripts/bench). */
function serverBinary() {
  return process.env.SHEETSYNC_BENCH_SERVER
    || path.join(ROOT, 'target-bench', 'release', 'sheetsync-server');
}

/** Why the server cannot be benchmarked, or null when its binary is there. */
function serverMissing() {
  if (process.env.SHEETSYNC_BENCH_SERVER_ERROR) return process.env.SHEETSYNC_BENCH_SERVER_ERROR;
  const bin = serverBinary();
  return fs.existsSync(bin) ? null : `no server binary at ${path.relative(ROOT, bin)}`;
}

/** Runs one subcommand of the server binary against `databaseUrl` and resolves with stdout. */
function cli(databaseUrl, args) {
  return new Promise((resolve, reject) => {
    execFile(serverBinary(), [...args, '--database-url', databaseUrl], {
      env: { ...process.env, RUST_LOG: 'warn', SHEETSYNC_DATABASE_URL: databaseUrl },
      timeout: 120000,
    }, (err, stdout, stderr) => {
      if (err) reject(new Error(`sheetsync-server ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** A TCP port nobody listens on right now, on loopback. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The token secret printed by `token create`: the last line of its output, alone on it. */
function parseToken(output) {
  const last = output.trim().split('\n').pop().trim();
  if (!/^\S{16,}$/.test(last)) throw new Error(`no token secret in the output of token create: ${output}`);
  return last;
}

/** Peak and current resident set size of a process, in MiB, from /proc. */
function rssOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number((status.match(new RegExp(`${key}:\\s+(\\d+)`)) || [0, 0])[1]);
    return { peakMiB: kb('VmHWM') / 1024, nowMiB: kb('VmRSS') / 1024 };
  } catch {
    return { peakMiB: NaN, nowMiB: NaN };
  }
}

/**
 * Enables `table` (or every table of a list) in `db` for syncing, creates a read-write token
 * for it and starts the server, `serveArgs` added to `serve`'s (server mode's, say); `beforeServe`
 * runs after the tables are enabled (to create bindings, say). Resolves with
 * `{ base, token, pid, rss(), stop() }` once `/health` answers.
 */
async function startServer(db, table, { serveArgs = [], beforeServe = null } = {}) {
  const tables = [].concat(table);
  for (const t of tables) await cli(db.url, ['table', 'enable', t]);
  const token = parseToken(await cli(db.url, ['token', 'create', '--name', 'bench', '--tables', tables.join(','), '--write']));
  if (beforeServe) await beforeServe();
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const child = spawn(serverBinary(), ['serve', '--database-url', db.url, '--listen', listen, ...serveArgs], {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn', SHEETSYNC_DATABASE_URL: db.url },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const base = `http://${listen}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited at start: ${stderr}`);
    const res = await request(base, 'GET', '/health').catch(() => null);
    if (res && res.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /health within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`server ${child.pid} listening on ${listen} (${db.dialect} database ${db.name})`);
  return {
    base,
    token,
    pid: child.pid,
    rss: () => rssOf(child.pid),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    },
  };
}

module.exports = { serverBinary, serverMissing, startServer, cli, freePort, rssOf, ROOT };
