'use strict';
// Shared helpers for the emulator's tests: a project from inline source, and
// a small HTTP server in a child process (the execution thread blocks during
// UrlFetchApp calls, so the server must not live on it).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { createEmulator } = require('../index');

const madeDirs = [];
process.on('exit', () => {
  for (const dir of madeDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the system's temporary folder, removed when the test process exits. */
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** Writes `files` ({ 'Code.js': source, 'Page.html': html }) to a fresh folder; returns the .js paths in order. */
function writeProject(files) {
  const dir = tempDir('apps-script-project-');
  const scripts = [];
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), text);
    if (name.endsWith('.js')) scripts.push(path.join(dir, name));
  }
  return scripts;
}

/** An emulator over inline sources; `source` is Code.js or a map of files. */
function emulatorWith(source, options = {}) {
  const files = typeof source === 'string' ? { 'Code.js': source } : source;
  return createEmulator({ timeZone: 'Europe/Berlin', ...options, files: writeProject(files) });
}

const SERVER_SOURCE = `
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const tls = process.env.ECHO_TLS_DIR;
const handler = (req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const url = new URL(req.url, 'http://x');
    const code = Number(url.searchParams.get('code') || 200);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Echo-Method', req.method);
    res.statusCode = code;
    if (url.pathname === '/slow') { setTimeout(() => res.end('{}'), Number(url.searchParams.get('ms'))); return; }
    if (url.pathname === '/redirect') { res.statusCode = 302; res.setHeader('Location', '/echo'); res.end(); return; }
    if (url.pathname === '/long') { res.end('x'.repeat(500)); return; }
    if (url.pathname === '/text') { res.setHeader('Content-Type', url.searchParams.get('type')); res.end('"caf\u00e9"'); return; }
    res.end(JSON.stringify({ method: req.method, path: url.pathname, body, contentType: req.headers['content-type'] || null, auth: req.headers.authorization || null, ua: req.headers['user-agent'] }));
  });
};
const server = tls
  ? https.createServer({ key: fs.readFileSync(tls + '/key.pem'), cert: fs.readFileSync(tls + '/cert.pem') }, handler)
  : http.createServer(handler);
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

/** A self-signed certificate for 127.0.0.1 (needs the openssl command); returns its folder. */
function selfSignedCertificate() {
  const dir = tempDir('echo-tls-');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  } catch (e) {
    if (e.code === 'ENOENT') {
      throw new Error('the openssl command is missing: run scripts/ensure-tools (or apt-get install openssl)');
    }
    throw e;
  }
  return dir;
}

/** Starts the echo server in a child process (HTTPS with `tlsDir`); resolves to { url, close }. */
function startEchoServer({ tlsDir = null } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ECHO_TLS_DIR: tlsDir || '' };
    const child = spawn(process.execPath, ['-e', SERVER_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'], env });
    child.on('error', reject);
    child.stdout.once('data', (d) => {
      const scheme = tlsDir ? 'https' : 'http';
      resolve({ url: `${scheme}://127.0.0.1:${String(d).trim()}`, close: () => child.kill() });
    });
  });
}

module.exports = { tempDir, writeProject, emulatorWith, startEchoServer, selfSignedCertificate };
