'use strict';
// UrlFetchApp: synchronous real HTTP against a small local server.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith, startEchoServer, selfSignedCertificate } = require('../support/helpers');

const CODE = `
function get(url, params) {
  var r = UrlFetchApp.fetch(url, params || {});
  return { code: r.getResponseCode(), json: JSON.parse(r.getContentText()), type: r.getHeaders()['Content-Type'],
    blob: r.getBlob().getDataAsString().length, all: typeof r.getAllHeaders() };
}
function code(url, params) { return UrlFetchApp.fetch(url, params).getResponseCode(); }
function text(url, params) { return UrlFetchApp.fetch(url, params).getContentText(); }
function textIn(url, charset) { return UrlFetchApp.fetch(url).getContentText(charset); }
function both(base) {
  return UrlFetchApp.fetchAll([base + '/one', { url: base + '/two', method: 'post', payload: 'x' }]).map(function (r) {
    return JSON.parse(r.getContentText()).path;
  });
}
function pushThenWriteBack(url) {
  UrlFetchApp.fetch(url, { method: 'post', payload: '{}', contentType: 'application/json' });
  PropertiesService.getDocumentProperties().setProperty('written-back', 'yes');
}
`;

let server;
test.before(async () => {
  server = await startEchoServer();
});
test.after(() => server.close());

test('fetch is synchronous and returns code, text, headers and blob', async () => {
  const emu = emulatorWith(CODE);
  const got = await emu.run('get', `${server.url}/hello`);
  assert.strictEqual(got.code, 200);
  assert.strictEqual(got.json.method, 'GET');
  assert.strictEqual(got.json.path, '/hello');
  assert.match(got.json.ua, /Google-Apps-Script/);
  assert.strictEqual(got.type, 'application/json');
  assert.ok(got.blob > 0);
  assert.strictEqual(got.all, 'object');
});

test('method, headers, contentType and a string payload reach the server', async () => {
  const emu = emulatorWith(CODE);
  const got = await emu.run('get', `${server.url}/push`, {
    method: 'post', contentType: 'application/json', payload: '{"a":1}', headers: { Authorization: 'Bearer t0ken' },
  });
  assert.deepStrictEqual([got.json.method, got.json.body, got.json.contentType, got.json.auth], ['POST', '{"a":1}', 'application/json', 'Bearer t0ken']);
});

test('an object payload is sent form-encoded', async () => {
  const emu = emulatorWith(CODE);
  const got = await emu.run('get', `${server.url}/form`, { method: 'post', payload: { a: '1 2', b: 'x' } });
  assert.deepStrictEqual([got.json.body, got.json.contentType], ['a=1%202&b=x', 'application/x-www-form-urlencoded']);
});

test('a status of 400 or more throws Google\'s text without muteHttpExceptions', async () => {
  const emu = emulatorWith(CODE);
  const url = `${server.url}/long?code=500`;
  await assert.rejects(emu.run('code', url, {}), (e) => {
    assert.strictEqual(e.message, `Request failed for ${url} returned code 500. Truncated server response: ${'x'.repeat(100)}... (use muteHttpExceptions option to examine full response)`);
    return true;
  });
});

test('muteHttpExceptions returns the failing response to the script', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('code', `${server.url}/x?code=409`, { muteHttpExceptions: true }), 409);
  assert.strictEqual((await emu.run('text', `${server.url}/long?code=404`, { muteHttpExceptions: true })).length, 500);
});

test('redirects are followed unless followRedirects is false', async () => {
  const emu = emulatorWith(CODE);
  assert.strictEqual(await emu.run('code', `${server.url}/redirect`, {}), 200);
  assert.strictEqual(await emu.run('code', `${server.url}/redirect`, { followRedirects: false }), 302);
});

test('fetchAll performs every request and answers in order', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('both', server.url), ['/one', '/two']);
  assert.strictEqual(emu.stats.urlFetchCalls, 2);
});

test('a refused connection fails with Address unavailable', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('code', 'http://127.0.0.1:9/', {}), { message: 'Address unavailable: http://127.0.0.1:9/' });
});

test('calls are counted and a daily quota can be set', async () => {
  const emu = emulatorWith(CODE, { urlFetchDailyQuota: 2 });
  await emu.run('code', `${server.url}/a`, {});
  await emu.run('code', `${server.url}/b`, {});
  await assert.rejects(emu.run('code', `${server.url}/c`, {}), { message: 'Service invoked too many times for one day: urlfetch.' });
  assert.strictEqual(emu.stats.urlFetchCalls, 3);
});

test('failAfter kills an execution between a push and its write-back', async () => {
  const emu = emulatorWith(CODE);
  emu.failAfter({ urlFetchCalls: 1 });
  await assert.rejects(emu.run('pushThenWriteBack', `${server.url}/push`), /killed/);
  assert.strictEqual(emu.stats.requests.length, 1); // the push reached the server
  assert.strictEqual(emu.properties.document.get('written-back'), undefined);
});

test('a fetch still waiting at the execution deadline ends the execution', async () => {
  const emu = emulatorWith(CODE, { executionTimeLimitMs: 300 });
  await assert.rejects(emu.run('code', `${server.url}/slow?ms=2000`, {}), { message: 'Exceeded maximum execution time' });
});

test('a URL longer than 2 KB is refused before anything is sent', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('code', `${server.url}/${'x'.repeat(2100)}`, {}), { message: 'Limit Exceeded: URLFetch URL Length.' });
  assert.strictEqual(emu.stats.urlFetchCalls, 0);
});

test('a self-signed HTTPS server is refused unless validateHttpsCertificates is false', async () => {
  const tlsDir = selfSignedCertificate();
  const tlsServer = await startEchoServer({ tlsDir });
  try {
    const emu = emulatorWith(CODE);
    await assert.rejects(emu.run('code', `${tlsServer.url}/secure`, {}), { message: `SSL error: ${tlsServer.url}/secure` });
    assert.strictEqual(await emu.run('code', `${tlsServer.url}/secure`, { validateHttpsCertificates: false }), 200);
  } finally {
    tlsServer.close();
  }
});

test('getContentText decodes by its argument, else the header\'s charset, else the default', async () => {
  const bare = `${server.url}/text?type=${encodeURIComponent('application/json')}`;
  const named = `${server.url}/text?type=${encodeURIComponent('application/json; charset=utf-8')}`;
  const latin = emulatorWith(CODE, { defaultResponseCharset: 'ISO-8859-1' });
  assert.strictEqual(await latin.run('text', bare, {}), '"cafÃ©"', 'no charset anywhere: the default');
  assert.strictEqual(await latin.run('text', named, {}), '"café"', 'the header names UTF-8');
  assert.strictEqual(await latin.run('textIn', bare, 'UTF-8'), '"café"', 'the argument wins');
  assert.strictEqual(await emulatorWith(CODE).run('text', bare, {}), '"café"', 'UTF-8 by default');
  await assert.rejects(latin.run('textIn', bare, 'KOI8-R'), /Unsupported charset/);
});
