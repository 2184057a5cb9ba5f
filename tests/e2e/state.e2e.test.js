'use strict';
// The sync state the add-on keeps for the sidebar, on the real server: every sync records
// what it did and what waits for a person, whoever started it; "Not now" on a mass delete
// either keeps the question pending or puts the rows back from the database; headers that do
// not match the table are a binding problem from the moment the table is chosen. On MariaDB,
// PostgreSQL and SQLite.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, readSheet, sheetRecords, byKey, plain, assertTriggersOk, timerTickMs } = require('./harness/addon');

const TASKS = ddl.table('tasks', ['title VARCHAR(40) NOT NULL', 'done INT NULL']);
const PEOPLE = ddl.table('people', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']);

async function count(stack, table) {
  return Number((await stack.sql(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
}

for (const backend of backends()) {
  describe(`the sync state on ${backend}`, () => {
    const stack = useStack(backend, { label: `state-${backend}`, tables: { tasks: TASKS, people: PEOPLE } });

    test('"Not now" keeps the question pending, and "put them back" restores the rows from the database', async () => {
      await stack.sql('DELETE FROM tasks');
      await stack.sql(`INSERT INTO tasks (title, done) VALUES ${Array.from({ length: 10 }, (_, i) => `('task ${i + 1}', ${i % 2})`).join(', ')}`);
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'tasks');
      await emu.run('syncNow', {});
      const before = plain(byKey(await sheetRecords(emu)));
      assert.equal(before.length, 10);
      await emu.user.deleteRows('Sheet1', 2, 8);

      // Kept deleted: every later sync asks again, and none says "in sync".
      for (let i = 0; i < 2; i++) {
        const held = await emu.run('syncNow', {});
        assert.equal(held.massDelete.withheld, 8);
        assert.doesNotMatch(held.text, /in sync\./);
        const { report } = await emu.run('sidebarSyncState', null);
        assert.equal(report.waiting.massDelete, true, 'the state says the question waits');
      }
      assert.equal(await count(stack, 'tasks'), 10, 'nothing deleted while the question waits');
      assert.equal((await sheetRecords(emu)).length, 2);

      const back = await emu.run('putBackDeletedRows');
      assert.equal(back.massDelete, null, 'the question is answered');
      assert.match(back.text, /8 rows added to the sheet/);
      assert.deepEqual(plain(byKey(await sheetRecords(emu))), before, 'every row is back, with its values');
      assert.equal(await count(stack, 'tasks'), 10, 'nothing was deleted in the database');
      const after = await emu.run('syncNow', {});
      assert.equal(after.text, 'Everything is in sync.');
      assert.equal(after.massDelete, null);
    });

    test('"Keep them deleted" is remembered: a sidebar opened later shows the question as it was left', async () => {
      await stack.sql('DELETE FROM tasks');
      await stack.sql(`INSERT INTO tasks (title) VALUES ${Array.from({ length: 10 }, (_, i) => `('kept ${i + 1}')`).join(', ')}`);
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'tasks');
      await emu.run('syncNow', {});
      await emu.user.deleteRows('Sheet1', 2, 8);
      const asked = await emu.run('syncNow', {});
      assert.equal(asked.massDelete.keptDeleted, undefined, 'not answered yet');
      const kept = await emu.run('keepDeletedRows');
      assert.equal(kept.massDelete.keptDeleted, true);
      assert.equal(kept.waiting.massDelete, true, 'the question is still pending');

      // Reopened, and after a later sync that asks the same question: still kept, still pending.
      assert.equal((await emu.run('sidebarState')).report.massDelete.keptDeleted, true);
      await emu.run('syncNow', {});
      const reopened = (await emu.run('sidebarState')).report;
      assert.equal(reopened.massDelete.keptDeleted, true);
      assert.equal(reopened.massDelete.withheld, 8);
      assert.match(reopened.waiting.pieces.join(''), /a question about deleted rows/);
      assert.equal(await count(stack, 'tasks'), 10, 'the rows are still in the database');
      assert.equal((await sheetRecords(emu)).length, 2, 'and still deleted in the sheet');

      // One more row deleted is a different question: asked afresh.
      await emu.user.deleteRows('Sheet1', 2, 1);
      assert.equal((await emu.run('syncNow', {})).massDelete.keptDeleted, undefined);
      await emu.run('putBackDeletedRows');
      await assert.rejects(emu.run('keepDeletedRows'), /no mass-delete question to answer/);
    });

    test('a row changed in the database while the question waited comes back as the database has it', async () => {
      await stack.sql('DELETE FROM tasks');
      await stack.sql(`INSERT INTO tasks (title) VALUES ${Array.from({ length: 6 }, (_, i) => `('job ${i + 1}')`).join(', ')}`);
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'tasks');
      await emu.run('syncNow', {});
      await emu.user.deleteRows('Sheet1', 2, 5);
      assert.ok((await emu.run('syncNow', {})).massDelete);
      await stack.sql("UPDATE tasks SET title = 'job 2 (renamed)' WHERE title = 'job 2'");
      await emu.run('putBackDeletedRows');
      const titles = (await sheetRecords(emu)).map((r) => r.title).sort();
      assert.deepEqual(titles, ['job 1', 'job 2 (renamed)', 'job 3', 'job 4', 'job 5', 'job 6']);
      assert.equal(await count(stack, 'tasks'), 6);
    });

    test('a sync a trigger ran is the state the open sidebar refreshes with', async () => {
      await stack.sql('DELETE FROM people');
      await stack.sql("INSERT INTO people (name, qty) VALUES ('Ada', 1), ('Grace', 2)");
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'people');
      await emu.run('syncNow', {});
      const shown = await emu.run('sidebarSyncState', null);
      assert.equal(shown.report.source, 'sidebar');
      assert.equal(await emu.run('sidebarSyncState', shown.id), null, 'nothing new: nothing to send');

      await emu.run('setAutoSync', true);
      const ada = (await sheetRecords(emu)).find((r) => r.name === 'Ada');
      assertTriggersOk(await emu.user.editCell('Sheet1', `C${ada._row}`, 'thirty-seven'));
      const edited = await emu.run('sidebarSyncState', shown.id);
      assert.equal(edited.report.source, 'edit');
      assert.equal(edited.report.waiting.problems, 1);
      assert.match(edited.report.text, /1 problem in 1 row/);
      assert.match(edited.report.problems[0].message, /qty|integer|number/i);

      await stack.sql("UPDATE people SET name = 'Grace H.' WHERE name = 'Grace'");
      assertTriggersOk(await emu.clock.advance(timerTickMs(emu)));
      const ticked = await emu.run('sidebarSyncState', edited.id);
      assert.equal(ticked.report.source, 'timer');
      assert.match(ticked.report.text, /1 row updated in the sheet/);
      assert.equal(ticked.report.waiting.any, true, 'the bad cell still waits');
    });

    test('binding the sheet again keeps its conflict rules and automatic sync', async () => {
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'people', { policy: { default: 'latest-wins', columns: { qty: 'manual' } } });
      await emu.run('syncNow', {});
      await emu.run('setAutoSync', true);
      const unbound = await emu.run('unbindSheet');
      assert.equal(unbound.binding, null);
      assert.equal(unbound.autoSync, false, 'no bound sheet left: the triggers are gone');
      const again = await emu.run('bindTable', 'people');
      assert.deepEqual(again.binding.policy, { default: 'latest-wins', columns: { qty: 'manual' } });
      assert.equal(again.autoSync, true);
      assert.equal(emu.triggers.length, 3, 'one set of triggers, installed again');
    });

    test('a header in another case is a binding problem from the start, fixed with one call', async () => {
      const emu = addonEmulator();
      await emu.run('saveConnection', stack.url, stack.token);
      await emu.user.pasteBlock('Sheet1', 'A1', [['id', 'Name', 'qty'], ['', 'Linus', 4]]);
      const state = await emu.run('bindTable', 'people');
      assert.deepEqual(state.report.headers.map((h) => [h.column, h.header, h.fix]), [['name', 'Name', true]]);
      assert.equal(state.report.waiting.headers, 1);
      const held = await emu.run('syncNow', {});
      assert.match(held.text, /header problem/);
      assert.ok(!held.problems.some((p) => p.kind === 'missing-column'), 'said once, as a header problem');

      const fixed = await emu.run('fixHeader', 'name');
      assert.deepEqual(fixed.headers, []);
      assert.equal((await readSheet(emu)).values[0][1], 'name');
      assert.equal(Number((await stack.sql("SELECT COUNT(*) AS n FROM people WHERE name = 'Linus'"))[0].n), 1, 'the row synced once the header matched');

      // A header renamed: no clear match, so no fix offered, but the header is named.
      await emu.user.editCell('Sheet1', 'C1', 'amount');
      const renamed = await emu.run('syncNow', {});
      assert.deepEqual(renamed.headers.map((h) => [h.column, h.fix]), [['qty', false]]);
      assert.match(renamed.headers[0].message, /If "amount" is that column renamed, name it "qty" again/);
      await assert.rejects(emu.run('fixHeader', 'qty'), /rename the header yourself/);
    });
  });
}

test('a state past the 9 KB a property holds moves to the hidden sheet, and the refresh still reads one property', async () => {
  const emu = addonEmulator();
  const sheetId = (await emu.run('sidebarState')).sheet.id;
  const problems = Array.from({ length: 200 }, (_, i) => ({ kind: 'bad-cell', sheetRow: 2 + (i >> 1), key: null, column: 'qty', message: `row ${i}: "x" is not a whole number` }));
  const saved = await emu.run('syncStateSave_', sheetId, { text: '200 problems in 100 rows', problems, conflicts: [] }, 'timer');
  assert.equal(saved.waiting.problemRows, 100);
  const stub = await emu.run('storeReport_', sheetId);
  assert.deepEqual(Object.keys(stub).sort(), ['at', 'id', 'inSheet'], 'only the stub stays in the property');
  const fresh = await emu.run('sidebarSyncState', null);
  assert.equal(fresh.report.problems.length, 200);
  assert.equal(fresh.report.source, 'timer');
  assert.equal(await emu.run('sidebarSyncState', fresh.id), null);
  await assert.rejects(emu.run('syncStateSave_', sheetId, { text: '' }, 'somebody'), /unknown sync source "somebody"/);
});
