'use strict';
// The add-on's own files, unchanged, in the Apps Script emulator: the wasm core instantiates
// where there are no text coders, the menu and sidebar render, and a sheet syncs both ways
// with a stand-in server, exactly once across an execution killed mid-push.
// Run: cd tests && node --test e2e/

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { useFakeServer, cells } = require('./harness/fakeStack');
const { createEmulator } = require('../emulator');

const ADDON = path.join(__dirname, '..', '..', 'addon');
const FILES = ['WasmBundle.js'].concat(
  fs.readdirSync(ADDON).filter((f) => f.endsWith('.js') && f !== 'WasmBundle.js').sort(),
).map((f) => path.join(ADDON, f));

const fake = useFakeServer();
const { control, boundSheet } = fake;

function emulator(extraFiles = []) {
  return createEmulator({ files: FILES.concat(extraFiles), projectDir: ADDON, timeZone: 'Europe/Berlin' });
}

test('the core instantiates inside an execution without text coders', async () => {
  const emu = emulator();
  const info = await emu.run('coreInfo');
  assert.equal(info.protocol, 1);
  assert.match(info.coreVersion, /^\d+\.\d+\.\d+$/);
});

test('the menu opens a sidebar built from the template and its includes', async () => {
  const emu = emulator();
  await emu.open();
  assert.ok(emu.ui.menus.length > 0);
  await emu.run('showSidebar');
  const html = emu.ui.sidebars.at(-1).html;
  for (const id of ['connect-button', 'sync-button', 'conflict-list', 'policy-default', 'auto-sync-switch']) {
    assert.ok(html.includes(`data-testid="${id}"`), id);
  }
  assert.ok(html.includes('async function sheetsyncCore()'), 'the wasm bundle is included');
  assert.ok(!html.includes('<?'), 'every scriptlet was evaluated');
});

test('a wrong token is refused with a sentence before anything is saved', async () => {
  const emu = emulator();
  await assert.rejects(emu.run('saveConnection', fake.base(), 'nope'), /token is not valid/);
  const state = await emu.run('sidebarState');
  assert.equal(state.connected, false);
});

test('a sheet syncs both ways and an insert reaches the database once across a crash', async () => {
  await control('/test/reset', {});
  await control('/test/write', { id: 1, name: 'Ada', qty: 1 });
  await control('/test/write', { id: 2, name: 'Grace', qty: 2 });
  const emu = emulator();
  await emu.run('saveConnection', fake.base(), 't0ken');
  await emu.run('bindTable', 'people');
  const first = await emu.run('syncNow', {});
  assert.match(first.text, /2 rows added to the sheet/);
  assert.deepEqual(cells(emu).slice(0, 3), [['id', 'name', 'qty'], [1, 'Ada', 1], [2, 'Grace', 2]]);

  // A row typed into the sheet is inserted and gets its key written back.
  await emu.user.pasteBlock('Sheet1', 'A4', [['', 'Linus', 3]]);
  const second = await emu.run('syncNow', {});
  assert.match(second.text, /1 added to the database/);
  const typed = cells(emu)[3];
  assert.equal(typed[1], 'Linus');
  assert.equal(typeof typed[0], 'number');

  // A database write reaches the sheet.
  await control('/test/write', { id: 1, name: 'Ada Lovelace' });
  await emu.run('syncNow', {});
  assert.equal(cells(emu)[1][1], 'Ada Lovelace');

  // The execution dies after the push is answered, before the key is written back.
  await emu.user.pasteBlock('Sheet1', 'A5', [['', 'Barbara', 4]]);
  emu.failAfter({ urlFetchCalls: 3 });
  await assert.rejects(emu.run('syncNow', {}));
  assert.equal(cells(emu)[4][0], '', 'no key was written back yet');
  const crashed = await control('/test/state');
  assert.equal(crashed.rows.filter((r) => r[1] === 'Barbara').length, 1, 'the push got through');
  await emu.run('syncNow', {});
  const state = await control('/test/state');
  assert.equal(state.pushes, crashed.pushes + 1, 'the saved batch was sent again');
  assert.equal(state.rows.filter((r) => r[1] === 'Barbara').length, 1, 'inserted exactly once');
  assert.equal(cells(emu)[4][0], crashed.rows.find((r) => r[1] === 'Barbara')[0], 'its key was written back');
});

test('a manual conflict is held for a person and settled from the sidebar', async () => {
  const emu = await boundSheet();
  await emu.run('setPolicy', { default: 'manual', columns: {} });
  await emu.user.editCell('Sheet1', 'B3', 'Grace Hopper');
  await control('/test/write', { id: 2, name: 'G. Hopper' });
  const held = await emu.run('syncNow', {});
  assert.match(held.text, /1 conflict/);
  assert.equal(held.conflicts.length, 1);
  const c = held.conflicts[0];
  assert.deepEqual([c.key, c.column, c.sheet, c.database], ['2', 'name', 'Grace Hopper', 'G. Hopper']);
  const state = await emu.run('sidebarState');
  assert.equal(state.report.conflicts.length, 1, 'the sidebar sees the held conflict');

  const settled = await emu.run('resolveConflicts', [{ key: '2', column: 'name', choose: 'sheet' }]);
  assert.equal(settled.conflicts.length, 0);
  const db = await control('/test/state');
  assert.equal(db.rows.find((r) => r[0] === 2)[1], 'Grace Hopper');
  assert.equal(cells(emu)[2][1], 'Grace Hopper');
});

test('the database wins by default and a refused row is reported with its sheet row', async () => {
  const emu = await boundSheet();
  await emu.user.editCell('Sheet1', 'B2', 'Ada (sheet)');
  await control('/test/write', { id: 1, name: 'Ada (database)' });
  await emu.user.pasteBlock('Sheet1', 'A4', [['', 'Edsger', -7]]);
  const report = await emu.run('syncNow', {});
  assert.equal(cells(emu)[1][1], 'Ada (database)');
  const refused = report.problems.find((p) => p.kind === 'rejected');
  assert.ok(refused, JSON.stringify(report.problems));
  assert.equal(refused.sheetRow, 4);
  assert.match(refused.message, /must not be negative/);
  assert.equal(cells(emu)[3][2], -7, 'the refused row stays in the sheet');
});

test('automatic sync installs one set of triggers and pushes an edit on its own', async () => {
  const emu = await boundSheet();
  await emu.run('setAutoSync', true);
  await emu.run('setAutoSync', true);
  const handlers = emu.triggers.map((t) => t.handler || t.handlerFunction || (t.getHandlerFunction && t.getHandlerFunction()));
  assert.equal(emu.triggers.length, 3, JSON.stringify(handlers));
  const outcomes = await emu.user.editCell('Sheet1', 'C2', 5);
  assert.ok(outcomes.every((o) => o.status === 'completed'), JSON.stringify(outcomes));
  const db = await control('/test/state');
  assert.equal(db.rows.find((r) => r[0] === 1)[2], 5);
  await control('/test/write', { id: 2, qty: 9 });
  await emu.clock.advance(61 * 1000);
  assert.equal(cells(emu)[2][2], 9, 'the timer brought the database change in');
  await emu.run('setAutoSync', false);
  assert.equal(emu.triggers.length, 0);
});

test('deleting most rows asks a person before the database loses them', async () => {
  await control('/test/reset', {});
  for (let i = 1; i <= 8; i++) await control('/test/write', { id: i, name: 'n' + i, qty: i });
  const emu = emulator();
  await emu.run('saveConnection', fake.base(), 't0ken');
  await emu.run('bindTable', 'people');
  await emu.run('syncNow', {});
  await emu.user.deleteRows('Sheet1', 2, 7);
  const guarded = await emu.run('syncNow', {});
  assert.ok(guarded.massDelete, JSON.stringify(guarded));
  assert.equal((await control('/test/state')).rows.length, 8, 'nothing deleted yet');
  await emu.run('confirmMassDelete');
  assert.equal((await control('/test/state')).rows.length, 1);
});

test('a dry run shows what would happen and writes nothing', async () => {
  const emu = await boundSheet();
  await emu.user.pasteBlock('Sheet1', 'A4', [['', 'Katherine', 1]]);
  await control('/test/write', { id: 3, name: 'Dorothy', qty: 2 });
  const before = await control('/test/state');
  const preview = await emu.run('previewSync');
  assert.equal(preview.dryRun, true);
  assert.match(preview.text, /A sync would do this: .*1 added to the database/);
  assert.ok(preview.preview.some((l) => /Add row 4/.test(l)), JSON.stringify(preview.preview));
  assert.deepEqual(await control('/test/state'), before);
  assert.equal(cells(emu).length, 4, 'the sheet is unchanged');
});

test('a table of 2500 rows loads in pages and its base spans several stored chunks', async () => {
  await control('/test/reset', {});
  // 50 writes in flight at a time: hundreds at once overflow the listen backlog of a loaded machine.
  for (let i = 1; i <= 2500; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, k) => control('/test/write', { id: i + k, name: 'row ' + (i + k), qty: i + k })));
  }
  const emu = emulator();
  await emu.run('saveConnection', fake.base(), 't0ken');
  await emu.run('bindTable', 'people');
  const started = Date.now();
  const first = await emu.run('syncNow', {});
  const firstMs = Date.now() - started;
  assert.match(first.text, /2500 rows added to the sheet/);
  assert.equal(cells(emu).length, 2501);
  const hidden = emu.spreadsheet.sheets.find((s) => /^_sheetsync_base_/.test(s.name));
  assert.ok(hidden.hidden, 'the base sheet is hidden');
  const chunks = Number(emu.spreadsheet.valueAt(hidden, 1, 1));
  assert.ok(chunks >= 2, `the base took ${chunks} chunk(s)`);
  const again = Date.now();
  const second = await emu.run('syncNow', {});
  console.log(`2500 rows: first sync ${firstMs} ms, unchanged sync ${Date.now() - again} ms (emulator, stand-in server)`);
  assert.equal(second.text, 'Everything is in sync.');
});

test('a custom column asks resolveConflict and its answer settles the conflict', async () => {
  const emu = await boundSheet({ extraFiles: [path.join(__dirname, 'support', 'CustomRule.js')] });
  await emu.run('setPolicy', { default: 'manual', columns: { name: 'custom' } });
  await emu.user.editCell('Sheet1', 'B2', 'Ada Lovelace');
  await control('/test/write', { id: 1, name: 'A. L.' });
  await emu.user.editCell('Sheet1', 'C3', 20);
  await control('/test/write', { id: 2, qty: 30 });
  const report = await emu.run('syncNow', {});
  const db = await control('/test/state');
  assert.equal(db.rows.find((r) => r[0] === 1)[1], 'Ada Lovelace', 'the rule chose the sheet');
  assert.equal(cells(emu)[1][1], 'Ada Lovelace');
  assert.equal(report.conflicts.length, 1, 'the manual column is still held for a person');
  assert.equal(report.conflicts[0].column, 'qty');
});

test('a sync that runs out of time stops between batches and the next one carries on', async () => {
  const emu = await boundSheet({ extraFiles: [path.join(__dirname, 'support', 'SmallBatches.js')] });
  const typed = Array.from({ length: 8 }, (_, i) => ['', 'new ' + i, i]);
  await emu.user.pasteBlock('Sheet1', 'A4', typed);
  // Every server call takes a simulated minute, so the 4.5-minute budget runs out mid-way.
  const slow = emu.beforeServiceCall(({ call }) => {
    if (call === 'UrlFetchApp.fetch') emu.clock.move(60 * 1000);
  });
  const first = await emu.run('syncNow', {});
  slow();
  assert.equal(first.more, true, first.text);
  assert.ok(first.progress.done > 0 && first.progress.done < 8, JSON.stringify(first.progress));
  const partway = (await control('/test/state')).rows.length;
  assert.equal(partway, 2 + first.progress.done);
  const second = await emu.run('syncNow', {});
  assert.equal(second.more, false, second.text);
  const db = await control('/test/state');
  assert.equal(db.rows.length, 10, 'every typed row inserted, none twice');
  assert.ok(cells(emu).slice(3).every((r) => typeof r[0] === 'number'), 'every typed row got its key');
});

test('a first sync longer than one execution copies the table page by page and misses no change made meanwhile', async () => {
  await control('/test/reset', {});
  for (let id = 1; id <= 30; id++) await control('/test/write', { id, name: 'row ' + id, qty: id });
  const emu = emulator([path.join(__dirname, 'support', 'SmallPages.js'), path.join(__dirname, 'harness', 'project', 'E2eProbe.js')]);
  await emu.run('saveConnection', fake.base(), 't0ken');
  // The sheet already holds rows: one as the table has it, one the sheet changed, one typed.
  await emu.user.pasteBlock('Sheet1', 'A1', [['id', 'name', 'qty'], [3, 'row 3', 3], [7, 'seven', 7], ['', 'typed', 5]]);
  await emu.run('bindTable', 'people');
  await emu.run('setPolicy', { default: 'sheet-wins', columns: {} });
  // Every server call takes a simulated minute: an execution copies a few pages and stops.
  const slow = emu.beforeServiceCall(({ call }) => {
    if (call === 'UrlFetchApp.fetch') emu.clock.move(60 * 1000);
  });
  const first = await emu.run('syncNow', {});
  assert.equal(first.more, true, first.text);
  assert.equal(first.progress.copying, true);
  assert.ok(first.progress.done > 0 && first.progress.done < 30, JSON.stringify(first.progress));
  assert.match(first.text, /^Copying the table: \d+ rows read so far/);
  assert.equal((await emu.run('sidebarState')).progress.done, first.progress.done, 'the sidebar sees the progress');
  // A preview part-way counts only what is left: the rows not copied yet.
  const preview = await emu.run('previewSync');
  assert.match(preview.text, new RegExp(`^A sync would do this: .*\\b${30 - first.progress.done} rows added to the sheet`), preview.text);

  // Meanwhile another application changes rows already copied and rows still to come.
  await control('/test/write', { id: 2, name: 'two, changed' });
  await control('/test/write', { id: 4, delete: true });
  await control('/test/write', { id: 25, name: 'twenty-five, changed' });
  await control('/test/write', { id: 28, delete: true });
  await control('/test/write', { id: 31, name: 'added meanwhile', qty: 31 });

  // An execution dies part-way through a page; the next ones carry on from the saved place.
  emu.failAfter({ urlFetchCalls: 2, message: 'killed mid-page' });
  await assert.rejects(emu.run('syncNow', {}), /killed mid-page/);
  let last = null;
  for (let run = 0; run < 20 && (!last || last.more); run++) last = await emu.run('syncNow', {});
  slow();
  assert.equal(last.more, false, last.text);
  assert.match(last.text, /rows added to the sheet/);

  const db = (await control('/test/state')).rows;
  const sheet = cells(emu).slice(1);
  const ids = sheet.map((r) => r[0]);
  assert.equal(new Set(ids).size, ids.length, 'no key twice in the sheet');
  assert.ok(ids.every((id) => typeof id === 'number'), 'every row has its key, the typed one too');
  const byId = (rows) => new Map(rows.map((r) => [Number(r[0]), [r[1], r[2] === null ? '' : r[2]]]));
  assert.deepEqual(byId(sheet), byId(db), 'the sheet holds the table, row for row');
  assert.equal(byId(db).get(7)[0], 'seven', 'the sheet value won where the policy says so');
  assert.equal(byId(db).get(2)[0], 'two, changed');
  assert.equal(byId(db).has(4), false);
  assert.deepEqual((await emu.run('e2eBaseKeys')).map(Number).sort((a, b) => a - b), db.map((r) => r[0]).sort((a, b) => a - b), 'the base knows every row');
  assert.equal((await emu.run('syncNow', {})).text, 'Everything is in sync.');
});
