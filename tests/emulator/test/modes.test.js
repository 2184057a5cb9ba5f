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
