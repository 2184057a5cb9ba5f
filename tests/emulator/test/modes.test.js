'use strict';
// Install modes, as Google's add-on guides describe them: a script bound to its spreadsheet,
// a published editor add-on, and a test deployment of one.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function install(minutes) {
  var b = ScriptApp.newTrigger('tick').timeBased();
  (minutes < 60 ? b.everyMinutes(minutes) : b.everyHours(minutes / 60)).create();
  return ScriptApp.getProjectTriggers().length;
}
function installEdit() { ScriptApp.newTrigger('tick').forSpreadsheet(SpreadsheetApp.getActive()).onEdit().create(); }
function tick() {
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  var doc = PropertiesService.getDocumentProperties();
  PropertiesService.getScriptProperties().setProperty('seen', JSON.stringify([
    ss === null, doc === null, LockService.getDocumentLock() === null,
    SpreadsheetApp.openById(${'${ID}'}).getSheets().length]));
}
function source() { return String(ScriptApp.getInstallationSource()); }
`;

function code(emu) {
  return CODE.replace('${ID}', JSON.stringify(emu.spreadsheet.id));
}

function emulator(options) {
  const probe = emulatorWith('', options);
  return emulatorWith(code(probe), { ...options, spreadsheetId: probe.spreadsheet.id });
}

test('a bound script may run a timer every minute and is not an add-on', async () => {
  const emu = emulator({ mode: 'container-bound' });
  assert.strictEqual(await emu.run('install', 1), 1);
  assert.strictEqual(await emu.run('source'), 'NONE');
});

test('a published add-on may run a timer at most hourly', async () => {
  const emu = emulator({ mode: 'addon' });
  await assert.rejects(emu.run('install', 1), /more frequently than once per hour/);
  assert.strictEqual(await emu.run('install', 60), 1);
  assert.strictEqual(await emu.run('source'), 'WEB_STORE_ADD_ON');
});

test('a test deployment supports no installable triggers at all', async () => {
  const emu = emulator({ mode: 'test-deployment' });
  await assert.rejects(emu.run('install', 60), /not supported in test deployments/);
  await assert.rejects(emu.run('installEdit'), /not supported in test deployments/);
});

test('a published add-on\'s timer may run without its document', async () => {
  const emu = emulator({ mode: 'addon', addonTimerHasDocument: false });
  await emu.run('install', 60);
  await emu.clock.advance(60 * 60 * 1000);
  assert.deepStrictEqual(JSON.parse(emu.properties.script.get('seen')), [true, true, true, 1],
    'no active spreadsheet, no document properties, no document lock; openById still opens it');
  const withDoc = emulator({ mode: 'addon' });
  await withDoc.run('install', 60);
  await withDoc.clock.advance(60 * 60 * 1000);
  assert.deepStrictEqual(JSON.parse(withDoc.properties.script.get('seen')), [false, false, false, 1]);
});

// A time-driven trigger of a published add-on without its document, one rule at a time
// (developers.google.com/workspace/add-ons/concepts/editor-triggers; the reference pages of
// LockService, CacheService and PropertiesService say what each gives outside a document).
const NO_DOC_CODE = `
function install() { ScriptApp.newTrigger('tick').timeBased().everyHours(1).create(); }
function remember() { PropertiesService.getUserProperties().setProperty('mine', 'kept'); }
function tick() {
  var seen = {};
  var probes = {
    active: function () { return SpreadsheetApp.getActiveSpreadsheet() === null && SpreadsheetApp.getActive() === null; },
    activeSheet: function () { return SpreadsheetApp.getActiveSheet() === null && SpreadsheetApp.getActiveRange() === null; },
    documentProperties: function () { return PropertiesService.getDocumentProperties() === null; },
    documentLock: function () { return LockService.getDocumentLock() === null; },
    otherLocks: function () { return LockService.getUserLock().tryLock(0) && LockService.getScriptLock().tryLock(0); },
    documentCache: function () { return CacheService.getDocumentCache() === null; },
    userProperties: function () { return PropertiesService.getUserProperties().getProperty('mine'); },
    openById: function () { return SpreadsheetApp.openById(ID).getSheets().length; },
  };
  Object.keys(probes).forEach(function (k) {
    try { seen[k] = probes[k](); } catch (e) { seen[k] = 'threw: ' + e.message; }
  });
  PropertiesService.getScriptProperties().setProperty('seen', JSON.stringify(seen));
}
`;

/** A published add-on whose timer runs without its document, with `manifest` as its appsscript.json (or none). */
async function noDocumentTick(manifest) {
  const files = (id) => ({
    'Code.js': NO_DOC_CODE.replace('ID', JSON.stringify(id)),
    ...(manifest ? { 'appsscript.json': JSON.stringify(manifest) } : {}),
  });
  const probe = emulatorWith(files('none'), {});
  const emu = emulatorWith(files(probe.spreadsheet.id), { mode: 'addon', addonTimerHasDocument: false, spreadsheetId: probe.spreadsheet.id });
  await emu.run('remember');
  await emu.run('install');
  const outcomes = await emu.clock.advance(60 * 60 * 1000);
  assert.strictEqual(outcomes.length, 1);
  return JSON.parse(emu.properties.script.get('seen'));
}

const FULL = 'https://www.googleapis.com/auth/spreadsheets';
const CURRENT_ONLY = 'https://www.googleapis.com/auth/spreadsheets.currentonly';

test('without its document, an add-on timer has no active spreadsheet, sheet or range', async () => {
  const seen = await noDocumentTick(null);
  assert.strictEqual(seen.active, true);
  assert.strictEqual(seen.activeSheet, true);
});

test('without its document, an add-on timer gets null document properties', async () => {
  assert.strictEqual((await noDocumentTick(null)).documentProperties, true);
});

test('without its document, an add-on timer gets no document lock, but user and script locks', async () => {
  const seen = await noDocumentTick(null);
  assert.strictEqual(seen.documentLock, true);
  assert.strictEqual(seen.otherLocks, true);
});

test('without its document, an add-on timer gets no document cache', async () => {
  assert.strictEqual((await noDocumentTick(null)).documentCache, true);
});

test('without its document, an add-on timer reads its owner\'s user properties', async () => {
  assert.strictEqual((await noDocumentTick(null)).userProperties, 'kept');
});

test('openById needs the spreadsheets scope when the manifest lists its scopes', async () => {
  assert.strictEqual((await noDocumentTick({ oauthScopes: [FULL] })).openById, 1);
  assert.strictEqual((await noDocumentTick({ oauthScopes: [CURRENT_ONLY] })).openById,
    `threw: You do not have permission to call SpreadsheetApp.openById. Required permissions: ${FULL}`);
});

test('openById works when the manifest leaves the scopes to detection', async () => {
  assert.strictEqual((await noDocumentTick({ timeZone: 'Etc/UTC' })).openById, 1);
});

test('openById needs the spreadsheets scope in a document too', async () => {
  const files = {
    'Code.js': 'function open(id) { return SpreadsheetApp.openById(id).getId(); }',
    'appsscript.json': JSON.stringify({ oauthScopes: [CURRENT_ONLY] }),
  };
  const emu = emulatorWith(files, {});
  await assert.rejects(emu.run('open', emu.spreadsheet.id), /You do not have permission to call SpreadsheetApp.openById/);
});
