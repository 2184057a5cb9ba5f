'use strict';
// Worker thread that performs HTTP requests for UrlFetchApp. The execution
// thread blocks on a shared flag until the answer is posted back, which is
// how a synchronous fetch is possible in Node.

const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');

const MAX_REDIRECTS = 10;

function once(req, redirectsLeft) {
  return new Promise((resolve) => {
    let url;
    try {
      url = new URL(req.url);
    } catch {
      resolve({ error: 'invalid-url' });
      return;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const body = req.payloadBase64 === null ? null : Buffer.from(req.payloadBase64, 'base64');
    const headers = { ...req.headers };
    if (body) headers['Content-Length'] = String(body.length);
    const r = lib.request(url, {
      method: req.method,
      headers,
      rejectUnauthorized: req.validateHttpsCertificates,
      timeout: req.timeoutMs,
    }, (res) => {
      const location = res.headers.location;
      if (req.followRedirects && location && [301, 302, 303, 307, 308].includes(res.statusCode) && redirectsLeft > 0) {
        res.resume();
        const next = { ...req, url: new URL(location, url).toString() };
        if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && req.method === 'POST')) {
          next.method = 'GET';
          next.payloadBase64 = null;
        }
        once(next, redirectsLeft - 1).then(resolve);
        return;
      }
      const chunks = [];
      let size = 0;
      res.on('data', (c) => {
        size += c.length;
        if (size > req.maxBytes) {
          res.destroy();
          resolve({ error: 'too-large' });
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({
        code: res.statusCode,
        rawHeaders: res.rawHeaders,
        bodyBase64: Buffer.concat(chunks).toString('base64'),
      }));
      res.on('error', (e) => resolve({ error: e.code || e.message }));
    });
    r.on('timeout', () => {
      r.destroy();
      resolve({ error: 'timeout' });
    });
    r.on('error', (e) => resolve({ error: e.code || e.message }));
    if (body) r.write(body);
    r.end();
  });
}

parentPort.on('message', async ({ port, flag, requests }) => {
  const results = await Promise.all(requests.map((req) => once(req, MAX_REDIRECTS)));
  port.postMessage(results);
  port.close();
  const f = new Int32Array(flag);
  Atomics.store(f, 0, 1);
  Atomics.notify(f, 0);
});
