'use strict';
// The add-on's side of server mode, against the in-memory stand-in server: switching a sheet
// to the server and back carries the base over (no full resync), an edit sends one poke and
// syncs nothing, the timer does nothing for the sheet, and the sidebar's view of the server
// says what waits and never "In sync" while anything does.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { useFakeServer, cells } = require('./harness/fakeStack');
const { assertTriggersOk, timerTickMs } = require('./harness/addon');

const fake = useFakeServer();

const requestsSince = (emu, from) => emu.stats.requests.slice(from).map((r) => `${r.method.toUpperCase()} ${new URL(r.url).pathname}${new URL(r.url).search}`);
const binding = async (id) => (await fake.control('/test/state')).bindings[id];

describe('switching a sheet to the server', () => {
  test('finishes the add-on\'s round, then hands over its base, cursor and held changes and forgets them', async () => {
    const emu = await fake.boundSheet({});
    await emu.user.editCell('Sheet1', 'C2', 5);
    const baseBefore = await emu.run('e2eBaseKeys');
    const state = await emu.run('switchSyncMode', 'server');
    assert.equal(state.mode, 'server');
    const db = await fake.control('/test/state');
    assert.equal(db.rows.find((r) => r[0] === 1)[2], 5, 'the edit was synced before the hand-over');
    const handed = db.bindings[1].handedOver;
    assert.equal(handed.table, 'people');
    assert.equal(handed.sheet, 'Sheet1');
    assert.match(handed.spreadsheet, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(Object.keys(handed.base).sort(), baseBefore.sort());
    assert.deepEqual(Object.keys(handed.base).sort(), ['1', '2']);
    // The cursor the round ended on: the add-on's own push is read back as a change by
    // whoever syncs next, and merges to nothing.
    assert.equal(handed.cursor, '2', 'the cursor the add-on\'s base is synced up to');
    assert.deepEqual(handed.held, []);
    assert.equal(handed.pendingBatch, null);
    assert.deepEqual(handed.policy, { default: 'database-wins', columns: {} });
    assert.deepEqual(await emu.run('e2eBaseKeys'), [], 'the add-on keeps no stale base');
    assert.match(state.report.text, /The server syncs this sheet now/);
  });

  test('an edit pokes the server once and syncs nothing; the timer does nothing; Sync now pokes', async () => {
    const emu = await fake.boundSheet({});
    await emu.run('setAutoSync', true);
    await emu.run('switchSyncMode', 'server');
    const pushes = (await fake.control('/test/state')).pushes;

    let from = emu.stats.requests.length;
    assertTriggersOk(await emu.user.editCell('Sheet1', 'C2', 6));
    assert.deepEqual(requestsSince(emu, from), ['POST /v1/bindings/1/poke'], 'one small request, no sync');
    assert.equal((await binding(1)).pokes, 1);
    assert.equal((await fake.control('/test/state')).pushes, pushes, 'nothing pushed by the add-on');
    assert.equal((await fake.control('/test/state')).rows.find((r) => r[0] === 1)[2], 1, 'the database is the server\'s to write');

    await fake.control('/test/write', { id: 2, qty: 9 });
    from = emu.stats.requests.length;
    assertTriggersOk(await emu.clock.advance(timerTickMs(emu)));
    assert.deepEqual(requestsSince(emu, from), [], 'the timer makes no request for a server-mode sheet');
    assert.equal(cells(emu)[2][2], 2, 'and writes nothing into it');

    from = emu.stats.requests.length;
    const report = await emu.run('syncNow', {});
    assert.match(report.text, /Asked the server to sync this sheet now/);
    assert.deepEqual(requestsSince(emu, from), ['POST /v1/bindings/1/poke']);
    assert.equal((await binding(1)).pokes, 2);
    assert.equal((await emu.run('sidebarConnection')), null, 'the sidebar does not watch the database itself');
  });

  test('an edit\'s poke carries the edited rows\' keys, the edit\'s time and its author', async () => {
    const emu = await fake.boundSheet({});
    await emu.run('setAutoSync', true);
    await emu.run('switchSyncMode', 'server');
    const before = emu.clock.now();
    assertTriggersOk(await emu.user.editCell('Sheet1', 'C2', 6));
    let [poke] = (await binding(1)).pokeBodies;
    assert.deepEqual(poke.keys, ['1']);
    assert.ok(poke.editedAtMs >= before && poke.editedAtMs <= emu.clock.now(), `the event's time: ${poke.editedAtMs}`);
    assert.equal(poke.author, 'owner@example.com', "the onEdit event's user");

    // Someone Google does not name, on a row that has no key yet: no key, no author made up.
    assertTriggersOk(await emu.person('bob@example.com').editCell('Sheet1', 'B4', 'Ada'));
    poke = (await binding(1)).pokeBodies[1];
    assert.deepEqual(poke.keys, []);
    assert.equal(poke.author, null);
    assert.equal(typeof poke.editedAtMs, 'number');
  });

  test('switching back goes on from the server\'s base and cursor, with no full resync', async () => {
    const emu = await fake.boundSheet({});
    await emu.run('switchSyncMode', 'server');
    const handed = (await binding(1)).handedOver;
    // A database change the server wrote into the sheet (through the Sheets API) without
    // recording it yet: its state is still the one handed over.
    await fake.control('/test/write', { id: 2, qty: 9 });
    await emu.run('e2eScriptWrite', 'Sheet1', 'C3', 9);
    await fake.control('/test/binding', { id: 1, state: { held: [] } });

    const state = await emu.run('switchSyncMode', 'addon');
    assert.equal(state.mode, 'addon');
    assert.deepEqual((await emu.run('e2eBaseKeys')).sort(), Object.keys(handed.base).sort(), 'the server\'s base');
    assert.equal((await fake.control('/test/state')).bindings[1], undefined, 'the server no longer has it');
    assert.match(state.report.text, /from where the server left it/);

    const pushes = (await fake.control('/test/state')).pushes;
    const from = emu.stats.requests.length;
    const report = await emu.run('syncNow', {});
    const asked = requestsSince(emu, from);
    assert.ok(asked.includes(`GET /v1/tables/people/changes?cursor=${handed.cursor}&limit=5000`), asked.join('\n'));
    assert.ok(!asked.some((r) => r.startsWith('GET /v1/tables/people/rows')), `no full resync: ${asked.join('\n')}`);
    assert.equal((await fake.control('/test/state')).pushes, pushes, 'the same value on both sides merges to nothing');
    assert.deepEqual(cells(emu).slice(1), [[1, 'Ada', 1], [2, 'Grace', 9]]);
    assert.doesNotMatch(report.text, /failed/);
  });
});

describe('what the sidebar shows in server mode', () => {
  test('the server\'s view: in sync only when the last round was ok and nothing waits', async () => {
    const emu = await fake.boundSheet({});
    await emu.run('switchSyncMode', 'server');
    let view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'The server has not synced this sheet yet.');
    assert.equal(view.inSync, false);

    const now = Date.now();
    const round = { atMs: now - 3000, ok: true, error: null, sheetWrites: 2, databaseWrites: 1 };
    const known = { conflicts: 0, rejects: [], massDeleteHeld: 0 };
    await fake.control('/test/binding', { id: 1, status: { lastRound: round, lagMs: 800, owner: 'instance-a', ...known } });
    view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'In sync.');
    assert.equal(view.inSync, true);
    assert.match(view.lines.join('\n'), /2 changes written to the sheet, 1 change to the database/);
    assert.match(view.lines.join('\n'), /reach the sheet after 0\.8 s/);

    // An edit whose poke failed may not have reached the server: not "In sync" until one
    // gets through.
    await emu.run('setAutoSync', true);
    await fake.control('/test/binding', { id: 1, refusePokes: true });
    assertTriggersOk(await emu.user.editCell('Sheet1', 'C2', 3));
    view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'Not in sync: an edit made here has not reached the server yet.');
    assert.equal(view.poke, 'Your last edit could not reach the server: the server is restarting (internal, HTTP 503)');
    await fake.control('/test/binding', { id: 1, refusePokes: false });
    assertTriggersOk(await emu.user.editCell('Sheet1', 'C2', 4));
    view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'In sync.');
    assert.equal(view.poke, '');

    await fake.control('/test/binding', {
      id: 1,
      status: { conflicts: 2, rejects: [{ key: '7', column: 'qty', message: 'qty must not be negative' }] },
    });
    view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'Not in sync: waiting for you (2 conflicts, 1 rejected row).');
    assert.deepEqual(view.rejects, ['Row 7, qty: qty must not be negative']);

    await fake.control('/test/binding', { id: 1, status: { conflicts: 0, rejects: [], massDeleteHeld: 25 } });
    view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'Not in sync: waiting for you (25 deletions held back).');
    assert.match(view.lines.join('\n'), /25 rows deleted in the sheet are held back by the mass-delete guard/);

    await fake.control('/test/binding', { id: 1, status: { massDeleteHeld: 0, quotaBackoffUntilMs: Date.now() + 60000 } });
    view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'Not in sync: the server waits for Google\'s quota.');
    assert.match(view.lines.join('\n'), /the server tries again in/);

    await fake.control('/test/binding', {
      id: 1,
      status: { quotaBackoffUntilMs: null, lastRound: { ...round, ok: false, error: 'the sheet was not shared with the service account' } },
    });
    view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'The server\'s last sync failed: the sheet was not shared with the service account');
    assert.equal(view.inSync, false);
  });

  test('what the server does not know yet is "not known yet", never "In sync"', async () => {
    const emu = await fake.boundSheet({});
    await emu.run('switchSyncMode', 'server');
    // Before the binding's first round the server knows nothing: every field is null.
    let view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'The server has not synced this sheet yet.');
    assert.equal(view.inSync, false);
    assert.deepEqual(view.lines, [
      'Last sync: not known yet.',
      'Conflicts: not known yet.',
      'Rejected rows: not known yet.',
      'Deletions held back: not known yet.',
    ]);
    assert.deepEqual(view.rejects, []);

    // A round went through, yet some counts are still unknown: not "In sync".
    const round = { atMs: Date.now() - 1000, ok: true, error: null, sheetWrites: 0, databaseWrites: 0 };
    await fake.control('/test/binding', { id: 1, status: { lastRound: round, conflicts: 0, rejects: null, massDeleteHeld: null } });
    view = await emu.run('serverModeStatus');
    assert.equal(view.inSync, false);
    assert.equal(view.text, 'Not known to be in sync: the server does not know yet (rejected rows, deletions held back).');
    assert.ok(view.lines.includes('Rejected rows: not known yet.'), view.lines.join('\n'));

    await fake.control('/test/binding', { id: 1, status: { rejects: [], massDeleteHeld: 0 } });
    view = await emu.run('serverModeStatus');
    assert.equal(view.text, 'In sync.');
    assert.ok(!view.lines.some((l) => /not known yet/.test(l)), view.lines.join('\n'));
  });

  test('refusals are shown and leave the add-on syncing the sheet', async () => {
    const emu = await fake.boundSheet({});
    await emu.run('setPolicy', { default: 'database-wins', columns: { qty: 'custom' } });
    await assert.rejects(emu.run('switchSyncMode', 'server'), /cannot run "My rule \(resolveConflict\)"/);
    assert.equal((await emu.run('sidebarState')).mode, 'addon');

    await emu.run('setPolicy', { default: 'database-wins', columns: {} });
    const ss = await fake.control('/test/state');
    assert.deepEqual(ss.bindings, {});
    // The sheet is already bound on the server (by someone else, or the command line).
    const spreadsheet = emu.spreadsheet.id;
    await fetch(`${fake.base()}/v1/bindings`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t0ken', 'Content-Type': 'application/json' },
      body: JSON.stringify({ spreadsheet, sheet: 'Sheet1', table: 'people', policy: { default: 'manual', columns: {} }, base: null, cursor: null, held: [], pendingBatch: null }),
    });
    await assert.rejects(emu.run('switchSyncMode', 'server'), /already bound \(binding 1\) \(conflict, HTTP 409\)/);
    const state = await emu.run('sidebarState');
    assert.equal(state.mode, 'addon');
    assert.deepEqual((await emu.run('e2eBaseKeys')).sort(), ['1', '2'], 'the add-on keeps its base');
  });

  test('a poke that fails is shown, and a binding the server lost comes back as a first sync', async () => {
    const emu = await fake.boundSheet({});
    await emu.run('setAutoSync', true);
    await emu.run('switchSyncMode', 'server');
    // The binding is removed on the server (binding remove).
    await fetch(`${fake.base()}/v1/bindings/1`, { method: 'DELETE', headers: { Authorization: 'Bearer t0ken' } });
    assertTriggersOk(await emu.user.editCell('Sheet1', 'C2', 4));
    const report = await emu.run('syncNow', {});
    assert.match(report.text, /could not be asked to sync: there is no binding 1 \(not_found, HTTP 404\)/);
    await assert.rejects(emu.run('serverModeStatus'), /there is no binding 1/);

    const state = await emu.run('switchSyncMode', 'addon');
    assert.equal(state.mode, 'addon');
    assert.match(state.report.text, /compares the whole sheet with the table/);
    const from = emu.stats.requests.length;
    const again = await emu.run('syncNow', {});
    assert.ok(requestsSince(emu, from).some((r) => r.startsWith('GET /v1/tables/people/rows')), 'a first sync');
    assert.doesNotMatch(again.text, /failed/);
    // With no base, the sheet's 4 and the table's 1 are a conflict the policy (the database
    // wins) settles.
    assert.deepEqual(cells(emu).slice(1), [[1, 'Ada', 1], [2, 'Grace', 2]]);
  });
});
