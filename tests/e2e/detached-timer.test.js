'use strict';
// A published add-on's clock trigger that Google runs without its document (no active
// spreadsheet, document properties or document lock): it opens the spreadsheet by id and
// syncs with its owner's copy of the settings, kept in their user properties, and refuses
// when that copy is missing or older than the document's settings (addon/DetachedTimer.js).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, test } = require('node:test');
const { useFakeServer, cells } = require('./harness/fakeStack');
const { assertTriggersOk } = require('./harness/addon');
const { tempDir } = require('../emulator/support/helpers');

const fake = useFakeServer();
const OWNER = 'owner@example.com';
const OTHER = 'colleague@example.com';
const HOUR = 60 * 60 * 1000;

/** A published add-on whose timer runs without its document, bound and synced, automatic sync on. */
async function detachedSheet(options = {}) {
  const emu = await fake.boundSheet({ mode: 'addon', addonTimerHasDocument: false, ...options });
  await emu.run('setAutoSync', true);
  return emu;
}

/** The owner's copy of the settings for this spreadsheet, parsed, or null. */
function copyOf(emu, email = OWNER) {
  const props = emu.properties.users.get(email) || new Map();
  const key = `sheetsync.copy.${emu.spreadsheet.id}`;
  const head = props.get(key);
  if (!head) return null;
  const parsed = JSON.parse(head);
  if (!parsed.chunks) return parsed;
  return JSON.parse(Array.from({ length: parsed.chunks }, (_, i) => props.get(`${key}.${i}`)).join(''));
}

/** Row 1 of the document's hidden record sheet, JSON parsed. */
function record(emu) {
  const row = cells(emu, '_sheetsync_timer')[0] || [];
  const parse = (v) => (v === '' || v === undefined ? null : JSON.parse(String(v).slice(1)));
  return { state: parse(row[0]), documentClaim: parse(row[1]), timerClaim: parse(row[2]), lastTick: parse(row[3]) };
}

function timerOutcomes(outcomes) {
  return outcomes.filter((o) => o.handler === 'sheetsyncOnTimer');
}

describe('a clock trigger without its document', () => {
  test('picks up a database change in the spreadsheet it opens by id', async () => {
    const emu = await detachedSheet();
    await fake.control('/test/write', { id: 2, name: 'Grace', qty: 9 });
    const outcomes = timerOutcomes(await emu.clock.advance(HOUR));
    assert.equal(outcomes.length, 1);
    assertTriggersOk(outcomes);
    assert.equal(cells(emu)[2][2], 9);
    assert.match(record(emu).lastTick.text, /1 row updated in the sheet/);
  });

  test('pushes a change no trigger reported', async () => {
    const emu = await detachedSheet();
    await emu.run('e2eScriptWrite', 'Sheet1', 'C3', 7);
    assertTriggersOk(await emu.clock.advance(HOUR));
    const grace = (await fake.control('/test/state')).rows.find((r) => r[0] === 2);
    assert.equal(grace[2], 7);
  });

  test('refuses, with the reason noted in the document, when its owner keeps no copy of the settings', async () => {
    const emu = await detachedSheet();
    emu.properties.users.get(OWNER).delete(`sheetsync.copy.${emu.spreadsheet.id}`);
    await fake.control('/test/write', { id: 2, name: 'Grace', qty: 9 });
    const [outcome] = timerOutcomes(await emu.clock.advance(HOUR));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error.message, /keeps no copy of the spreadsheet's sheetsync settings/);
    assert.equal(record(emu).lastTick.failed, true);
    assert.match(record(emu).lastTick.text, /keeps no copy/);
    assert.equal(cells(emu)[2][2], 2, 'nothing synced');
  });

  test('refuses a copy older than the document\'s settings, and syncs again once the owner refreshes it', async () => {
    const emu = await detachedSheet();
    // A collaborator changes the binding's policy: their execution cannot write the owner's copy.
    await emu.scriptRun('setPolicy', [{ default: 'sheet-wins', columns: {} }], { user: emu.person(OTHER) });
    await fake.control('/test/write', { id: 2, name: 'Grace', qty: 9 });
    const [outcome] = timerOutcomes(await emu.clock.advance(HOUR));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error.message, /changed in the spreadsheet after this person's copy of them was made/);
    assert.equal(cells(emu)[2][2], 2, 'nothing synced with the stale copy');
    // Any edit runs the owner's onEdit trigger, with the document: it refreshes the copy.
    assertTriggersOk(await emu.person(OTHER).editCell('Sheet1', 'C2', 4));
    assert.equal(JSON.parse(copyOf(emu).settings['sheetsync.binding.0']).policy.default, 'sheet-wins');
    assertTriggersOk(await emu.clock.advance(HOUR));
    assert.equal(cells(emu)[2][2], 9);
  });

  test('a refusal shows in the sidebar, and the owner opening the sidebar refreshes the copy', async () => {
    const emu = await detachedSheet();
    const colleague = emu.person(OTHER);
    await emu.scriptRun('setPolicy', [{ default: 'sheet-wins', columns: {} }], { user: colleague });
    await fake.control('/test/write', { id: 2, name: 'Grace', qty: 9 });
    assert.equal(timerOutcomes(await emu.clock.advance(HOUR))[0].status, 'failed');
    assert.match((await emu.scriptRun('sidebarState', [], { user: colleague })).autoSyncProblem,
      /^Automatic sync without the spreadsheet open did not run: the connection, bindings or owner changed/);
    assert.equal((await emu.scriptRun('sidebarState', [])).autoSyncProblem, '', 'the owner\'s sidebar settles it');
    assert.equal(copyOf(emu).hash, record(emu).state.hash);
    assertTriggersOk(await emu.clock.advance(HOUR));
    assert.equal(cells(emu)[2][2], 9);
    assert.equal((await emu.scriptRun('sidebarState', [], { user: colleague })).autoSyncProblem, '');
  });

  test('needs the spreadsheets scope: with spreadsheets.currentonly it cannot open the file', async () => {
    const dir = tempDir('addon-currentonly-');
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'addon', 'appsscript.json'), 'utf8'));
    manifest.oauthScopes = manifest.oauthScopes.map((s) => s.replace(/spreadsheets$/, 'spreadsheets.currentonly'));
    fs.writeFileSync(path.join(dir, 'appsscript.json'), JSON.stringify(manifest));
    const emu = await detachedSheet({ projectDir: dir });
    const [outcome] = timerOutcomes(await emu.clock.advance(HOUR));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error.message, /could not open spreadsheet .*Required permissions: https:\/\/www.googleapis.com\/auth\/spreadsheets/);
  });

  test('waits while a sync with the document holds its claim, and a sync with the document waits for it', async () => {
    const emu = await detachedSheet();
    await fake.control('/test/write', { id: 2, name: 'Grace', qty: 9 });
    const claim = (col) => emu.spreadsheet.sheetByName('_sheetsync_timer') && emu.run('e2eScriptWrite', '_sheetsync_timer', col,
      `~${JSON.stringify({ until: emu.clock.now() + 2 * HOUR })}`);
    await claim('B1');
    assertTriggersOk(await emu.clock.advance(HOUR));
    assert.equal(cells(emu)[2][2], 2, 'the tick backed off');
    await emu.run('e2eScriptWrite', '_sheetsync_timer', 'B1', '');
    await claim('C1');
    const busy = await emu.run('syncNow', {});
    assert.equal(busy.busy, true);
    assert.equal(cells(emu)[2][2], 2, 'the sync with the document backed off');
  });

  test('of someone who no longer runs automatic sync deletes itself and its owner\'s copy', async () => {
    const emu = await detachedSheet();
    const colleague = emu.person(OTHER);
    await emu.scriptRun('setAutoSync', [true], { user: colleague }); // takes over
    assert.ok(copyOf(emu), 'the former owner still has a copy');
    assertTriggersOk(await emu.clock.advance(HOUR));
    assert.deepEqual(emu.triggers.filter((t) => t.owner === OWNER && t.handler === 'sheetsyncOnTimer'), []);
    assert.equal(copyOf(emu), null);
    assert.ok(copyOf(emu, OTHER), 'the new owner has one');
  });
});

describe('the owner\'s copy of the settings', () => {
  test('is made when automatic sync is turned on, and refreshed by the owner\'s syncs and setting changes', async () => {
    const emu = await detachedSheet();
    const made = copyOf(emu);
    assert.equal(made.spreadsheetId, emu.spreadsheet.id);
    assert.ok(made.settings['sheetsync.connection'] && made.settings['sheetsync.binding.0'] && made.settings['sheetsync.origin']);
    assert.equal(made.hash, record(emu).state.hash);
    await emu.run('setPolicy', { default: 'latest-wins', columns: {} });
    assert.equal(JSON.parse(copyOf(emu).settings['sheetsync.binding.0']).policy.default, 'latest-wins');
    assert.equal(copyOf(emu).hash, record(emu).state.hash);
    const cursor = copyOf(emu).settings['sheetsync.cursor.0'];
    await fake.control('/test/write', { id: 1, name: 'Ada', qty: 5 });
    await emu.run('syncNow', {});
    assert.notEqual(copyOf(emu).settings['sheetsync.cursor.0'], cursor, 'the sync moved the copy\'s cursor');
  });

  test('larger than a property value holds is kept in chunks of at most 9 KB, and the tick reads it whole', async () => {
    const emu = await detachedSheet();
    const columns = {};
    for (let i = 0; i < 140; i++) columns[`a_column_with_quite_a_long_name_number_${i}`] = 'latest-wins';
    await emu.run('setPolicy', { default: 'database-wins', columns });
    const props = emu.properties.users.get(OWNER);
    const key = `sheetsync.copy.${emu.spreadsheet.id}`;
    const head = JSON.parse(props.get(key));
    assert.ok(head.chunks >= 2, JSON.stringify(head));
    for (let i = 0; i < head.chunks; i++) assert.ok(Buffer.byteLength(props.get(`${key}.${i}`)) <= 9 * 1024);
    await fake.control('/test/write', { id: 2, name: 'Grace', qty: 9 });
    assertTriggersOk(await emu.clock.advance(HOUR));
    assert.equal(cells(emu)[2][2], 9);
  });

  test('that would pass 500 KB of user properties is not written, and the tick says why', async () => {
    const emu = await detachedSheet();
    const props = emu.properties.users.get(OWNER);
    for (let i = 0; i < 56; i++) props.set(`another.setting.${i}`, 'x'.repeat(9100));
    props.set('another.setting.last', 'x'.repeat(1000)); // 511,740 bytes with the keys: no room for the copy
    await emu.run('setPolicy', { default: 'sheet-wins', columns: {} });
    assert.match(copyOf(emu).problem, /would pass the 512000 bytes their user properties hold/);
    const [outcome] = timerOutcomes(await emu.clock.advance(HOUR));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error.message, /would pass the 512000 bytes/);
    assert.match((await emu.run('sidebarState')).autoSyncProblem, /would pass the 512000 bytes/,
      'the owner\'s sidebar still says so: opening it could not make room');
  });

  test('is not written by a collaborator who does not run automatic sync', async () => {
    const emu = await detachedSheet();
    await emu.scriptRun('syncNow', [{}], { user: emu.person(OTHER) });
    assert.ok(copyOf(emu), 'the owner has one');
    assert.equal(copyOf(emu, OTHER), null);
  });

  test('is forgotten when automatic sync is turned off', async () => {
    const emu = await detachedSheet();
    assert.ok(copyOf(emu));
    await emu.run('setAutoSync', false);
    assert.equal(copyOf(emu), null);
  });
});

describe('the document\'s record of its settings', () => {
  test('a damaged cell is reported with its place, and turning automatic sync off and on mends it', async () => {
    const emu = await detachedSheet();
    await emu.run('e2eScriptWrite', '_sheetsync_timer', 'C1', '~{not json');
    await assert.rejects(emu.run('syncNow', {}), /cell C1 of the hidden sheet _sheetsync_timer is damaged/);
    await emu.run('setAutoSync', false);
    await emu.run('setAutoSync', true);
    assert.match((await emu.run('syncNow', {})).text, /in sync|nothing|no change/i);
  });
});
