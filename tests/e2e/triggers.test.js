'use strict';
// Automatic sync's triggers under Google's ownership rules, as a script bound to the sheet and
// as a published add-on: installable triggers belong to the account that made them and no one
// can see or remove another's, and an add-on's clock trigger is not listed by
// getUserTriggers(document). One owner per document; a collaborator can take over or turn it
// off without duplicates.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { useFakeServer, cells } = require('./harness/fakeStack');
const { assertTriggersOk } = require('./harness/addon');

const fake = useFakeServer();
const OTHER = 'colleague@example.com';

const mineOf = (emu, email) => emu.triggers.filter((t) => t.owner === email).map((t) => t.handler).sort();
const ALL = ['sheetsyncOnChange', 'sheetsyncOnEdit', 'sheetsyncOnTimer'];

for (const mode of ['container-bound', 'addon']) describe(`automatic sync as a ${mode} script`, () => {
  test('on reads on, on again leaves one set, off removes every trigger including the timer', async () => {
    const emu = await fake.boundSheet({ mode });
    assert.equal((await emu.run('setAutoSync', true)).autoSync, true);
    assert.equal((await emu.run('sidebarState')).autoSync, true, 'the switch reads on afterwards');
    await emu.run('setAutoSync', true);
    assert.deepEqual(mineOf(emu, 'owner@example.com'), ALL);
    assert.equal((await emu.run('setAutoSync', false)).autoSync, false);
    assert.deepEqual(emu.triggers, [], 'no trigger is left running');
  });

  test('a collaborator sees who runs it and takes over without duplicate executions', async () => {
    const emu = await fake.boundSheet({ mode });
    await emu.run('setAutoSync', true);
    const colleague = emu.person(OTHER);
    const seen = await emu.scriptRun('sidebarState', [], { user: colleague });
    assert.equal(seen.autoSync, true);
    assert.equal(seen.autoSyncOwner, 'owner@example.com');
    assert.equal((await emu.scriptRun('sidebarState', [])).autoSyncOwner, '', 'the owner is not told about themself');

    const taken = await emu.scriptRun('setAutoSync', [true], { user: colleague });
    assert.equal(taken.autoSync, true);
    assert.equal(taken.autoSyncOwner, '');
    assert.equal((await emu.scriptRun('sidebarState', [])).autoSyncOwner, OTHER);

    const pushes = (await fake.control('/test/state')).pushes;
    const outcomes = assertTriggersOk(await colleague.editCell('Sheet1', 'C2', 5));
    assert.equal((await fake.control('/test/state')).pushes, pushes + 1, 'one push for one edit');
    assert.equal((await fake.control('/test/state')).rows.find((r) => r[0] === 1)[2], 5);
    assert.ok(outcomes.length >= 2, 'both people\'s triggers fired once more');
    assert.deepEqual(mineOf(emu, 'owner@example.com'), ['sheetsyncOnTimer'], 'the old owner\'s edit triggers retired');
    await fake.control('/test/write', { id: 2, qty: 9 });
    await emu.clock.advance(61 * 60 * 1000);
    assert.deepEqual(mineOf(emu, 'owner@example.com'), [], 'the old owner\'s timer retired when it fired');
    assert.deepEqual(mineOf(emu, OTHER), ALL);
    assert.equal(cells(emu)[2][2], 9, 'the new owner\'s timer syncs');
  });

  test('a collaborator turning it off stops the owner\'s triggers from syncing', async () => {
    const emu = await fake.boundSheet({ mode });
    await emu.run('setAutoSync', true);
    const colleague = emu.person(OTHER);
    assert.equal((await emu.scriptRun('setAutoSync', [false], { user: colleague })).autoSync, false);
    assert.equal((await emu.scriptRun('sidebarState', [])).autoSync, false, 'off for the owner too');
    const pushes = (await fake.control('/test/state')).pushes;
    await emu.user.editCell('Sheet1', 'C2', 6);
    assert.equal((await fake.control('/test/state')).pushes, pushes, 'nothing synced');
    assert.deepEqual(mineOf(emu, 'owner@example.com'), ['sheetsyncOnTimer']);
  });
});

describe('automatic sync where Google limits triggers', () => {
  test('a test deployment refuses automatic sync with the reason, and Sync now still works', async () => {
    const emu = await fake.boundSheet({ mode: 'test-deployment' });
    await assert.rejects(emu.run('setAutoSync', true), /cannot be turned on here.*test deployment supports none/);
    assert.deepEqual(emu.triggers, []);
    assert.equal((await emu.run('sidebarState')).autoSync, false);
    await emu.user.editCell('Sheet1', 'C2', 4);
    assert.match((await emu.run('syncNow', {})).text, /1 updated in the database/);
  });

  test('a published add-on\'s timer that runs without its document still syncs, and edits still sync', async () => {
    const emu = await fake.boundSheet({ mode: 'addon', addonTimerHasDocument: false });
    await emu.run('setAutoSync', true);
    await fake.control('/test/write', { id: 2, name: 'Grace', qty: 6 });
    const outcomes = await emu.clock.advance(61 * 60 * 1000);
    assert.equal(outcomes.length, 1);
    assertTriggersOk(outcomes);
    assert.equal(cells(emu)[2][2], 6, 'the tick opened the spreadsheet by id and synced it');
    assertTriggersOk(await emu.user.editCell('Sheet1', 'C2', 8));
    assert.equal((await fake.control('/test/state')).rows.find((r) => r[0] === 1)[2], 8, 'edits still sync');
  });
});

describe('the timer between edits', () => {
  test('an idle tick after an edit costs one request, and a database change still gets a sync', async () => {
    const emu = await fake.boundSheet({});
    await emu.run('setAutoSync', true);
    assertTriggersOk(await emu.user.editCell('Sheet1', 'C2', 5));
    const requests = () => emu.stats.requests.length;
    let before = requests();
    assertTriggersOk(await emu.clock.advance(60 * 1000));
    assert.equal(requests() - before, 1, 'the echo of the edit\'s own push is stepped over');
    before = requests();
    assertTriggersOk(await emu.clock.advance(60 * 1000));
    assert.equal(requests() - before, 1);
    await fake.control('/test/write', { id: 2, qty: 9 });
    assertTriggersOk(await emu.clock.advance(60 * 1000));
    assert.equal(cells(emu)[2][2], 9, 'a change from elsewhere is synced');
    assert.equal(cells(emu)[1][2], 5);
  });
});
