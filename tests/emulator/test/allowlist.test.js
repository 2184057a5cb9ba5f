'use strict';
// The manifest's urlFetchWhitelist (developers.google.com/apps-script/manifest/allowlist-url):
// which prefixes are valid, which URLs they cover, and that only a versioned deployment is held
// to it.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith, startEchoServer, selfSignedCertificate } = require('../support/helpers');
const { prefixProblems, prefixMatches } = require('../lib/allowlist');

const CODE = 'function code(url) { return UrlFetchApp.fetch(url, { validateHttpsCertificates: false }).getResponseCode(); }';

test('a prefix needs https, a full domain and a non-empty path; a wildcard only leads the domain', () => {
  assert.deepStrictEqual(prefixProblems('https://www.google.com/'), []);
  assert.deepStrictEqual(prefixProblems('https://*.example.com/api/'), []);
  assert.match(prefixProblems('https://www.google.com').join(), /non-empty path/);
  assert.match(prefixProblems('http://sync.example.com/').join(), /must use https/);
  assert.match(prefixProblems('https://localhost/').join(), /full domain/);
  assert.match(prefixProblems('https://api.*.example.com/').join(), /wildcard only as a leading/);
  assert.match(prefixProblems('sync.example.com/').join(), /not a valid URL/);
});

test('a URL matches a prefix it equals or lies below, with case-sensitive paths', () => {
  for (const url of ['https://example.com/foo', 'https://example.com/foo/', 'https://example.com/foo/bar', 'https://example.com/foo?bar']) {
    assert.ok(prefixMatches('https://example.com/foo', url), url);
  }
  for (const url of ['https://example.com/foobar', 'https://example.com/Foo', 'https://other.com/foo', 'http://example.com/foo']) {
    assert.ok(!prefixMatches('https://example.com/foo', url), url);
  }
  assert.ok(prefixMatches('https://*.example.com/', 'https://sync.example.com/v1/tables'));
  assert.ok(!prefixMatches('https://*.example.com/', 'https://example.org/'));
});

test('only a versioned deployment is held to its allowlist', async () => {
  const tlsServer = await startEchoServer({ tlsDir: selfSignedCertificate() });
  try {
    const manifest = JSON.stringify({ timeZone: 'Etc/UTC', urlFetchWhitelist: [`${tlsServer.url}/allowed/`] });
    const files = { 'Code.js': CODE, 'appsscript.json': manifest };
    const versioned = emulatorWith(files, { deployment: 'versioned' });
    assert.strictEqual(await versioned.run('code', `${tlsServer.url}/allowed/x`), 200);
    await assert.rejects(versioned.run('code', `${tlsServer.url}/other`), /not permitted by your admin or the script's urlFetchWhitelist/);
    const head = emulatorWith(files);
    assert.strictEqual(await head.run('code', `${tlsServer.url}/other`), 200);
    const none = emulatorWith(CODE, { deployment: 'versioned' });
    await assert.rejects(none.run('code', `${tlsServer.url}/allowed/x`), /urlFetchWhitelist/, 'no allowlist covers nothing');
    assert.throws(() => emulatorWith(CODE, { deployment: 'beta' }), /deployment must be/);
  } finally {
    tlsServer.close();
  }
});
