'use strict';
// HtmlService templates and the spreadsheet UI (sidebars, menus, alerts).

const test = require('node:test');
const assert = require('node:assert');
const { emulatorWith } = require('../support/helpers');

const FILES = {
  'Code.js': `
function include(name) { return HtmlService.createHtmlOutputFromFile(name).getContent(); }
function showSidebar() {
  var t = HtmlService.createTemplateFromFile('Sidebar');
  t.title = '<Sync & go>';
  var html = t.evaluate().setTitle('sheetsync').setWidth(300);
  SpreadsheetApp.getUi().showSidebar(html);
  return [html.getTitle(), html.getWidth()];
}
function ask() { var ui = SpreadsheetApp.getUi(); return String(ui.alert('Delete?', 'Delete 40 rows?', ui.ButtonSet.YES_NO)); }
function missing() { return HtmlService.createHtmlOutputFromFile('Nope').getContent(); }
function uiInTimer() { SpreadsheetApp.getUi(); }
function installTimer() { ScriptApp.newTrigger('uiInTimer').timeBased().everyMinutes(1).create(); }
`,
  'Sidebar.html': '<h1><?= title; ?></h1><? for (var i = 0; i < 2; i++) { ?><i><?= i ?></i><? } ?><?!= include("Style") ?>',
  'Style.html': '<style>b{}</style>',
};

test('a template evaluates scriptlets, escapes <?= ?> and includes files with <?!= ?>', async () => {
  const emu = emulatorWith(FILES);
  assert.deepStrictEqual(await emu.run('showSidebar'), ['sheetsync', 300]);
  assert.deepStrictEqual(emu.ui.sidebars, [{ title: 'sheetsync', html: '<h1>&lt;Sync &amp; go&gt;</h1><i>0</i><i>1</i><style>b{}</style>' }]);
});

test('a missing HTML file fails with a clear error', async () => {
  const emu = emulatorWith(FILES);
  await assert.rejects(emu.run('missing'), { message: 'No HTML file named Nope was found.' });
});

test('alerts are recorded and answered by the test\'s responder', async () => {
  const emu = emulatorWith(FILES);
  assert.strictEqual(await emu.run('ask'), 'YES');
  emu.ui.respond = () => 'NO';
  assert.strictEqual(await emu.run('ask'), 'NO');
  assert.deepStrictEqual(emu.ui.alerts[0], { title: 'Delete?', prompt: 'Delete 40 rows?', buttons: 'YES_NO' });
});

test('getUi is refused in a time-driven execution', async () => {
  const emu = emulatorWith(FILES);
  await emu.run('installTimer');
  const [outcome] = await emu.clock.advance(60 * 1000);
  assert.strictEqual(outcome.status, 'failed');
  assert.strictEqual(outcome.error.message, 'Cannot call SpreadsheetApp.getUi() from this context.');
});
