'use strict';
// Installable and simple triggers: which actions fire them and the event shapes.

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const CODE = `
function install() {
  var ss = SpreadsheetApp.getActive();
  ScriptApp.newTrigger('recordEdit').forSpreadsheet(ss).onEdit().create();
  ScriptApp.newTrigger('recordChange').forSpreadsheet(ss).onChange().create();
  return ScriptApp.getProjectTriggers().map(function (t) {
    return [t.getHandlerFunction(), String(t.getEventType()), String(t.getTriggerSource()), typeof t.getUniqueId()];
  });
}
function remember(kind, e) {
  var p = PropertiesService.getScriptProperties();
  var log = JSON.parse(p.getProperty('events') || '[]');
  var shape = { kind: kind, keys: Object.keys(e).sort(), authMode: String(e.authMode), user: e.user.getEmail() };
  if (e.range) shape.a1 = e.range.getA1Notation();
  if (e.changeType) shape.changeType = e.changeType;
  if ('value' in e) shape.value = e.value;
  if ('oldValue' in e) shape.oldValue = e.oldValue;
  shape.sameTrigger = typeof e.triggerUid === 'string';
  log.push(shape);
  p.setProperty('events', JSON.stringify(log));
}
function recordEdit(e) { remember('edit', e); }
function recordChange(e) { remember('change', e); }
function scriptWrites() {
  var sheet = SpreadsheetApp.getActiveSheet();
  sheet.getRange('A1').setValue('by script');
  sheet.insertRows(1, 2);
  sheet.deleteRows(1, 1);
}
function events() { return JSON.parse(PropertiesService.getScriptProperties().getProperty('events') || '[]'); }
function tick(e) {
  var p = PropertiesService.getScriptProperties();
  p.setProperty('ticks', String(Number(p.getProperty('ticks') || 0) + 1));
  p.setProperty('lastTickKeys', Object.keys(e).sort().join(','));
}
function every(n) { ScriptApp.newTrigger('tick').timeBased().everyMinutes(n).create(); }
function everyHours(n) { ScriptApp.newTrigger('tick').timeBased().everyHours(n).create(); }
function removeAll() { ScriptApp.getProjectTriggers().forEach(function (t) { ScriptApp.deleteTrigger(t); }); return ScriptApp.getProjectTriggers().length; }
function ticks() { return Number(PropertiesService.getScriptProperties().getProperty('ticks') || 0); }
`;

const SIMPLE = `
function onEdit(e) {
  PropertiesService.getScriptProperties().setProperty('simple', String(e.authMode) + ':' + e.range.getA1Notation());
  UrlFetchApp.fetch('http://127.0.0.1:9/');
}
function onOpen(e) { SpreadsheetApp.getUi().createMenu('Sync').addItem('Sync now', 'syncNow').addToUi(); }
`;

test('installed triggers report their handler, event type and source', async () => {
  const emu = emulatorWith(CODE);
  assert.deepStrictEqual(await emu.run('install'), [
    ['recordEdit', 'ON_EDIT', 'SPREADSHEETS', 'string'],
    ['recordChange', 'ON_CHANGE', 'SPREADSHEETS', 'string'],
  ]);
});

test('a single-cell edit gives onEdit value and oldValue, then onChange EDIT', async () => {
  const emu = emulatorWith(CODE, { account: 'workspace' });
  await emu.run('install');
  await emu.user.editCell('Sheet1', 'B2', 'first');
  await emu.person('bob@example.com').editCell('Sheet1', 'B2', '42');
  const [firstEdit, firstChange, edit, change] = await emu.run('events');
  assert.deepStrictEqual(firstEdit.keys, ['authMode', 'range', 'source', 'triggerUid', 'user', 'value']);
  assert.strictEqual(firstEdit.value, 'first');
  assert.strictEqual(firstChange.changeType, 'EDIT');
  assert.deepStrictEqual(edit, {
    kind: 'edit', keys: ['authMode', 'oldValue', 'range', 'source', 'triggerUid', 'user', 'value'],
    authMode: 'FULL', user: 'bob@example.com', a1: 'B2', value: '42', oldValue: 'first', sameTrigger: true,
  });
  assert.deepStrictEqual(change.keys, ['authMode', 'changeType', 'source', 'triggerUid', 'user']);
});

test("an event's user is the editor where Google shows it, blank for another consumer account", async () => {
  const editors = async (options) => {
    const emu = emulatorWith(CODE, options);
    await emu.run('install');
    await emu.user.editCell('Sheet1', 'A1', 'by the owner');
    await emu.person('bob@example.com').editCell('Sheet1', 'A2', 'by a colleague');
    await emu.person('eve@elsewhere.org').editCell('Sheet1', 'A3', 'by someone outside');
    return (await emu.run('events')).filter((e) => e.kind === 'edit').map((e) => e.user);
  };
  assert.deepStrictEqual(await editors({}), ['owner@example.com', '', '']);
  assert.deepStrictEqual(await editors({ account: 'workspace' }), ['owner@example.com', 'bob@example.com', '']);
});

test('a pasted block gives onEdit only the range, without value or oldValue', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('install');
  await emu.user.pasteBlock('Sheet1', 'A2', [['a', 1], ['b', 2]]);
  const [edit] = await emu.run('events');
  assert.strictEqual(edit.a1, 'A2:B3');
  assert.deepStrictEqual(edit.keys, ['authMode', 'range', 'source', 'triggerUid', 'user']);
});

test('onChange has no range and names the structural change', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('install');
  await emu.user.insertRows('Sheet1', 2, 3);
  await emu.user.deleteRows('Sheet1', 2, 1);
  await emu.user.insertColumns('Sheet1', 1, 1);
  await emu.user.deleteColumns('Sheet1', 1, 1);
  await emu.user.insertSheet('More');
  await emu.user.deleteSheet('More');
  await emu.user.setNumberFormat('Sheet1', 'A1', '0.00');
  const got = await emu.run('events');
  assert.deepStrictEqual(got.map((e) => e.changeType), ['INSERT_ROW', 'REMOVE_ROW', 'INSERT_COLUMN', 'REMOVE_COLUMN', 'INSERT_GRID', 'REMOVE_GRID', 'FORMAT']);
  assert.ok(got.every((e) => e.kind === 'change' && !('a1' in e) && !e.keys.includes('range')));
  assert.strictEqual(emu.spreadsheet.sheets[0].maxRows, 1002);
});

test('sorting a sheet fires onEdit over the sorted rows and onChange OTHER', async () => {
  const emu = emulatorWith(CODE);
  await emu.user.pasteBlock('Sheet1', 'A1', [['b', 2], ['a', 1], ['c', 3]]);
  await emu.run('install');
  await emu.user.sortSheet('Sheet1', 1, true);
  const [edit, change] = await emu.run('events');
  assert.strictEqual(edit.a1, 'A1:B3');
  assert.strictEqual(change.changeType, 'OTHER');
  assert.deepStrictEqual(emu.spreadsheet.sheets[0].rows.map((r) => r[0].v), ['a', 'b', 'c']);
});

test('script writes fire no triggers', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('install');
  await emu.run('scriptWrites');
  assert.deepStrictEqual(await emu.run('events'), []);
});

test('a simple onEdit runs in LIMITED mode and may not call UrlFetchApp', async () => {
  const emu = emulatorWith(SIMPLE);
  const [outcome] = await emu.user.editCell('Sheet1', 'C3', 'x');
  assert.strictEqual(emu.properties.script.get('simple'), 'LIMITED:C3');
  assert.strictEqual(outcome.status, 'failed');
  assert.match(outcome.error.message, /^You do not have permission to call UrlFetchApp.fetch/);
});

test('opening the spreadsheet runs the simple onOpen, which can add a menu', async () => {
  const emu = emulatorWith(SIMPLE);
  await emu.open();
  assert.deepStrictEqual(emu.ui.menus, [{ name: 'Sync', items: [{ caption: 'Sync now', functionName: 'syncNow' }] }]);
});

test('a time-driven trigger fires each time the clock passes its interval', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('every', 5);
  await emu.clock.advance(4 * 60 * 1000);
  assert.strictEqual(await emu.run('ticks'), 0);
  await emu.clock.advance(60 * 1000);
  assert.strictEqual(await emu.run('ticks'), 1);
  await emu.clock.advance(10 * 60 * 1000);
  assert.strictEqual(await emu.run('ticks'), 3);
  assert.strictEqual(emu.properties.script.get('lastTickKeys'), 'authMode,day-of-month,day-of-week,hour,minute,month,second,timezone,triggerUid,week-of-year,year');
});

test('runDueTriggers fires what is due at the current time', async () => {
  const emu = emulatorWith(CODE, { clock: 'virtual' });
  await emu.run('every', 1);
  emu.clock.move(61 * 1000); // moves without firing
  assert.strictEqual(await emu.run('ticks'), 0);
  await emu.runDueTriggers();
  assert.strictEqual(await emu.run('ticks'), 1);
});

test('a deleted trigger no longer fires', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('every', 1);
  assert.strictEqual(await emu.run('removeAll'), 0);
  await emu.clock.advance(5 * 60 * 1000);
  assert.strictEqual(await emu.run('ticks'), 0);
});

test('everyMinutes accepts only 1, 5, 10, 15 or 30', async () => {
  const emu = emulatorWith(CODE);
  await assert.rejects(emu.run('every', 2), /Valid values are 1, 5, 10, 15 or 30/);
});

test('an add-on may not create a time-driven trigger more often than hourly', async () => {
  const emu = emulatorWith(CODE, { mode: 'addon' });
  await assert.rejects(emu.run('every', 30), /more frequently than once per hour/);
  await emu.run('everyHours', 1);
});

test('an add-on gets one trigger of each type per document and person', async () => {
  const emu = emulatorWith(CODE, { mode: 'addon' });
  await emu.run('everyHours', 1);
  await assert.rejects(emu.run('everyHours', 2), /too many time-based triggers in this document/);
  await emu.run('install');
});

test('clearing one cell gives onEdit its oldValue and no value', async () => {
  const emu = emulatorWith(CODE);
  await emu.user.editCell('Sheet1', 'A1', 'gone soon');
  await emu.run('install');
  await emu.user.clearCells('Sheet1', 'A1');
  const [edit] = await emu.run('events');
  assert.deepStrictEqual(edit.keys, ['authMode', 'oldValue', 'range', 'source', 'triggerUid', 'user']);
  assert.strictEqual(edit.oldValue, 'gone soon');
});

test('a typed formula gives onEdit no value', async () => {
  const emu = emulatorWith(CODE);
  await emu.run('install');
  await emu.user.typeFormula('Sheet1', 'C1', '=1+1');
  const [edit] = await emu.run('events');
  assert.ok(!('value' in edit));
  assert.strictEqual(emu.spreadsheet.sheets[0].cell(1, 3).f, '=1+1');
});

test('a paste past the last row grows the grid as the UI does', async () => {
  const emu = emulatorWith(CODE);
  await emu.user.pasteBlock('Sheet1', 'A1000', [['a'], ['b'], ['c']]);
  assert.strictEqual(emu.spreadsheet.sheets[0].maxRows, 1002);
});

test('installing the add-on runs onInstall with FULL authorization', async () => {
  const emu = emulatorWith(`function onInstall(e) { PropertiesService.getScriptProperties().setProperty('mode', String(e.authMode)); }`);
  const [outcome] = await emu.install();
  assert.strictEqual(outcome.status, 'completed');
  assert.strictEqual(emu.properties.script.get('mode'), 'FULL');
});

test('the installation source tells an add-on from a bound script', async () => {
  const code = 'function source() { return String(ScriptApp.getInstallationSource()) === String(ScriptApp.InstallationSource.NONE); }';
  assert.strictEqual(await emulatorWith(code).run('source'), true);
  assert.strictEqual(await emulatorWith(code, { mode: 'addon' }).run('source'), false);
});
