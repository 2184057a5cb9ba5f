'use strict';
// A minimal HTTP client for the benchmarks: JSON in and out, a bearer token, and the exact number
// of bytes each request put on the wire and got back (headers included, as the socket counted
// them), so the incremental-cost benchmark measures what a sync really costs.

const http = require('node:http');
const zlib = require('node:zlib');
const { nowMs } = require('./stats');

/** A keep-alive agent allowing as many parallel sockets as there are clients. */
function agent() {
  return new http.Agent({ keepAlive: true, maxSockets: Infinity });
}

/**
 * Sends one request and resolves with `{ status, body, bytesOut, bytesIn, ms }` (body parsed as
 * JSON when it is JSON). Never rejects on an HTTP error status: callers check `status`.
 */
function request(base, method, path, { token, body, agent: a, gzip = false, timeoutMs = 60000 } = {}) {
  const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
  const url = new URL(path, base);
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  if (gzip) headers['accept-encoding'] = 'gzip';
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    let socket;
    let before = { read: 0, written: 0 };
    const req = http.request(url, { method, headers, agent: a || false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = nowMs() - t0;
        let raw = Buffer.concat(chunks);
        const bodyBytes = raw.length;
        if (res.headers['content-encoding'] === 'gzip') raw = zlib.gunzipSync(raw);
        const text = raw.toString('utf8');
        let parsed = text;
        if ((res.headers['content-type'] || '').includes('json') && text) {
          try { parsed = JSON.parse(text); } catch { parsed = text; }
        }
        resolve({
          status: res.statusCode,
          body: parsed,
          bytesOut: socket.bytesWritten - before.written,
          bytesIn: socket.bytesRead - before.read,
          bodyBytesOut: payload ? payload.length : 0,
          bodyBytesIn: bodyBytes,
          ms,
        });
      });
      res.on('error', reject);
    });
    req.on('socket', (s) => {
      socket = s;
      before = { read: s.bytesRead, written: s.bytesWritten };
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Like `request`, but throws unless the status is 2xx, with the server's error body. */
async function ok(base, method, path, opts) {
  const res = await request(base, method, path, opts);
  if (res.status < 200 || res.status > 299) {
    const detail = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
    throw new Error(`${method} ${path} answered ${res.status}: ${detail.slice(0, 500)}`);
  }
  return res;
}

module.exports = { agent, request, ok };
