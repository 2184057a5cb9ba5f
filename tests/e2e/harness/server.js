'use strict';
// The real sheetsync-server binary, started per test file on a free loopback port against
// that file's database: tables enabled and a token created with the binary's own
// subcommands, then `serve` until the file is done. Its log goes to
// tests/artifacts/logs/ so a failure can be read afterwards.

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn, execFile, execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LOGS = path.join(ROOT, 'tests', 'artifacts', 'logs');

/**
 * The server binary: SHEETSYNC_SERVER_BIN, else target/debug/sheetsync-server, built with
 * cargo when it is missing (or always, with SHEETSYNC_E2E_BUILD=1).
 */
function serverBinary() {
  if (process.env.SHEETSYNC_SERVER_BIN) return process.env.SHEETSYNC_SERVER_BIN;
  const bin = path.join(ROOT, 'target', 'debug', 'sheetsync-server');
  if (!fs.existsSync(bin) || process.env.SHEETSYNC_E2E_BUILD === '1') {
    process.stderr.write('building sheetsync-server (cargo build -p sheetsync-server)…\n');
    execFileSync('cargo', ['build', '-p', 'sheetsync-server'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return bin;
}

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

function subcommand(bin, databaseUrl, args) {
  return new Promise((resolve, reject) => {
    execFile(bin, ['--database-url', databaseUrl, ...args], { env: { ...process.env, RUST_LOG: 'warn' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`sheetsync-server ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Creates a token with the binary; resolves to its secret. */
async function createToken(bin, databaseUrl, { name = 'e2e', tables = ['*'], write = true } = {}) {
  const out = await subcommand(bin, databaseUrl, ['token', 'create', '--name', name, '--tables', tables.join(','), ...(write ? ['--write'] : [])]);
  const secret = out.trim().split('\n').pop().trim();
  if (!/^\S{16,}$/.test(secret)) throw new Error(`no token secret in: ${out}`);
  return secret;
}

async function waitHealthy(url, child, log) {
  const until = Date.now() + 30000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`sheetsync-server exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sheetsync-server did not become healthy in 30 s:\n${log()}`);
}

/**
 * Enables `tables` on `db`, creates a read-write token and serves. Resolves to
 * { url, token, bin, db, createToken, log, stop, down, up }: `down` and `up` restart it on the
 * same address.
 */
async function startServer(db, { tables = [], corsOrigins = [], label = 'server', extraArgs = [] } = {}) {
  const bin = serverBinary();
  for (const t of tables) await subcommand(bin, db.url, ['table', 'enable', t]);
  const token = await createToken(bin, db.url);
  fs.mkdirSync(LOGS, { recursive: true });
  const logFile = path.join(LOGS, `${label.replace(/[^a-zA-Z0-9_.-]+/g, '_')}.log`);
  let lines = '';
  const out = fs.createWriteStream(logFile, { flags: 'a' });

  /** Serves on `port`; resolves to the child once healthy, rejects with the log if it is not. */
  async function serve(port) {
    const url = `http://127.0.0.1:${port}`;
    const args = ['--database-url', db.url, 'serve', '--listen', `127.0.0.1:${port}`, '--max-wait', '5', ...extraArgs];
    if (corsOrigins.length) args.push('--cors-origin', corsOrigins.join(','));
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info' } });
    const keep = (d) => {
      out.write(d);
      lines = (lines + d).slice(-20000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    try {
      await waitHealthy(url, child, () => lines);
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    return child;
  }

  async function halt(child) {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  let port;
  let child;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      child = await serve(port);
      break;
    } catch (e) {
      if (attempt < 2 && /address|in use/i.test(lines)) continue;
      throw e;
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    bin,
    db,
    log: () => lines,
    createToken: (opts) => createToken(bin, db.url, opts),
    async stop() {
      await halt(child);
      out.end();
    },
    /** Stops the server, leaving its address with nothing listening (`up` serves again). */
    async down() {
      await halt(child);
    },
    /** Serves again on the same address after `down`: a restart, as its clients see it. */
    async up() {
      if (child.exitCode === null) throw new Error('the server is already up');
      child = await serve(port);
    },
  };
}

module.exports = { serverBinary, startServer, freePort, ROOT };
