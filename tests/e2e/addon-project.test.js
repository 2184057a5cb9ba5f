'use strict';
// scripts/addon-project: the add-on made for one server, with the urlFetchWhitelist a published
// add-on must declare. Its manifest passes Google's allowlist rules, it runs as a versioned
// deployment in the emulator, offers its server's URL and talks to no other; and the menu is
// named sheetsync in a bound script.

const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { createEmulator } = require('../emulator');
const { prefixProblems } = require('../emulator/lib/allowlist');
const { addonEmulator } = require('./harness/addon');
const { tempDir } = require('../emulator/support/helpers');

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'addon-project');

function generate(url) {
  const out = tempDir('addon-project-');
  execFileSync(SCRIPT, [url, out], { stdio: ['ignore', 'pipe', 'pipe'] });
  return out;
}

function projectEmulator(dir, options) {
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.js'));
  const files = ['WasmBundle.js'].concat(names.filter((f) => f !== 'WasmBundle.js').sort()).map((f) => path.join(dir, f));
  const probe = path.join(tempDir('probe-'), 'Probe.js');
  fs.writeFileSync(probe, 'function probeFetch(url) { return UrlFetchApp.fetch(url).getResponseCode(); }\n');
  return createEmulator({ files: files.concat(probe), projectDir: dir, timeZone: 'Europe/Berlin', ...options });
}

test('the generated manifest allowlists exactly the server, by Google\'s rules', () => {
  const dir = generate('https://sync.example.com/');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'appsscript.json'), 'utf8'));
  assert.deepEqual(manifest.urlFetchWhitelist, ['https://sync.example.com/']);
  for (const prefix of manifest.urlFetchWhitelist) assert.deepEqual(prefixProblems(prefix), [], prefix);
  const original = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'addon', 'appsscript.json'), 'utf8'));
  assert.deepEqual(manifest.oauthScopes, original.oauthScopes);
  assert.match(fs.readFileSync(path.join(dir, 'Config.js'), 'utf8'), /SHEETSYNC_SERVER_URL_ = 'https:\/\/sync\.example\.com';/);
});

test('the generated manifest asks for the spreadsheets scope its clock trigger needs without the document', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(generate('https://sync.example.com'), 'appsscript.json'), 'utf8'));
  assert.ok(manifest.oauthScopes.includes('https://www.googleapis.com/auth/spreadsheets'), 'openById needs it');
  assert.ok(!manifest.oauthScopes.includes('https://www.googleapis.com/auth/spreadsheets.currentonly'), 'nothing narrower is asked for too');
});

test('as a versioned deployment it offers its server and reaches no other', async () => {
  const emu = projectEmulator(generate('https://sync.example.com'), { mode: 'addon', deployment: 'versioned' });
  assert.equal((await emu.run('sidebarState')).url, 'https://sync.example.com');
  await assert.rejects(emu.run('saveConnection', 'https://other.example.org', 't'), /made for the server https:\/\/sync\.example\.com/);
  await assert.rejects(emu.run('probeFetch', 'https://other.example.org/v1/tables'), /urlFetchWhitelist/);
  await assert.rejects(emu.run('probeFetch', 'https://sync.example.com/v1/tables'), (e) => !/urlFetchWhitelist/.test(e.message),
    'its own server passes the allowlist (and then fails only for want of a network)');
});

test('a URL Google would not allowlist is refused with the reason, and nothing is written', () => {
  for (const [url, reason] of [['http://sync.example.com', /not an https URL/], ['https://localhost:8080', /full domain/], ['sync.example.com', /not an https URL/]]) {
    const out = path.join(tempDir('addon-project-'), 'out');
    const run = spawnSync(SCRIPT, [url, out], { encoding: 'utf8' });
    assert.equal(run.status, 2, url);
    assert.match(run.stderr, reason, url);
    assert.equal(fs.existsSync(out), false, url);
  }
});

test('the menu is named sheetsync in a bound script and is the add-on menu in an add-on', async () => {
  const bound = addonEmulator();
  await bound.user.open();
  assert.deepEqual(bound.ui.menus.map((m) => m.name), ['sheetsync']);
  const addon = addonEmulator({ mode: 'addon', addonName: 'sheetsync (listing)' });
  await addon.user.open();
  assert.deepEqual(addon.ui.menus.map((m) => m.name), ['sheetsync (listing)'], 'the add-on menu, named by the listing');
  assert.ok(addon.ui.menus[0].items.some((i) => i.caption === 'Sync now'));
});
