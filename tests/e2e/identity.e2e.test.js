'use strict';
// Row identity is the key, never the row number: new rows get their database keys written
// back exactly once (even across an execution killed between the push and the write-back),
// and sorting, filtering, inserting rows in the middle and moving columns change nothing
// anywhere. A new row keeps its identity until its key is written back: the key reaches the
// row the person typed whatever rows were inserted, deleted or sorted before the answer was
// read (an answer lost, a push that never reached the server, an execution killed while
// writing the key back).

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, byKey, plain, assertTriggersOk, pushesSince } = require('./harness/addon');
const { addonCursor, changesSince, quietCursor } = require('./harness/feed');
const { moveColumn, filterRows } = require('./harness/gestures');
const path = require('node:path');

const PUSH_NEVER_SENT = path.join(__dirname, 'support', 'PushNeverSent.js');

/** What the person does to the sheet between the push of `kiwi` and the reading of its answer. */
const GESTURES = {
  'a row inserted above': { apply: (emu) => emu.user.insertRows('Sheet1', 2, 1), deleted: [] },
  'a row deleted above': { apply: (emu) => emu.user.deleteRows('Sheet1', 2, 1), deleted: ['apple'] },
  'the range sorted': { apply: (emu) => emu.user.sortSheet('Sheet1', 2, true), deleted: [] },
};

/**
 * How the sync that pushes `kiwi` ends without its answer handled. Each kills (or fails) that
 * execution and resolves once it has.
 */
const FAULTS = {
  'the answer lost': async (emu) => {
    // Killed at the first service call after the push was answered.
    const seen = emu.stats.requests.length;
    const remove = emu.beforeServiceCall(() => {
      if (pushesSince(emu, seen).some((r) => r.code === 200)) {
        remove();
        throw new Error('killed after the push');
      }
    });
    await assert.rejects(emu.run('syncNow', {}), /killed after the push/);
  },
  'the push never committed': async (emu) => {
    await emu.run('e2eLoseNextPush');
    await assert.rejects(emu.run('syncNow', {}), /the push never reached the server/);
  },
  'the execution killed after the write-back began': async (emu) => {
    // Killed at the first service call after the first cell write that follows the answer.
    const seen = emu.stats.requests.length;
    let wrote = false;
    const remove = emu.beforeServiceCall(({ call }) => {
      if (wrote) {
        remove();
        throw new Error('killed during the write-back');
      }
      if (call === 'Range.setValues' && pushesSince(emu, seen).some((r) => r.code === 200)) wrote = true;
    });
    await assert.rejects(emu.run('syncNow', {}), /killed during the write-back/);
  },
};

const KIWI_CASES = [];
Object.keys(GESTURES).forEach((gesture, g) => {
  Object.keys(FAULTS).forEach((fault, f) => {
    KIWI_CASES.push({ gesture, fault, table: `fruit_${g}_${f}` });
  });
});
const FRUIT_TABLES = Object.fromEntries(KIWI_CASES.map((c) => c.table).concat(['fruit_edit'])
  .map((name) => [name, ddl.table(name, ['name VARCHAR(40) NOT NULL'])]));

const ITEMS = ddl.table('items', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']);
const BOOKS = ddl.table('books', ['title VARCHAR(60) NOT NULL', 'pages INT NULL']);
const CITIES = ddl.table('cities', ['name VARCHAR(40) NOT NULL', 'country VARCHAR(40) NULL', 'people INT NULL']);

for (const backend of backends()) {
  describe(`row identity on ${backend}`, () => {
    const stack = useStack(backend, { label: `identity-${backend}`, tables: { items: ITEMS, books: BOOKS, cities: CITIES, ...FRUIT_TABLES } });

    test('new sheet rows get the keys the database assigned written back', async () => {
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'items');
      await emu.user.pasteBlock('Sheet1', 'A2', [['', 'pen', 1], ['', 'ink', 2], ['', 'nib', 3]]);
      const report = await emu.run('syncNow', {});
      assert.match(report.text, /3 added to the database/);
      const db = await stack.sql('SELECT id, name FROM items ORDER BY id');
      const sheet = await sheetRecords(emu);
      assert.deepEqual(sheet.map((r) => [r.id, r.name]), db.map((r) => [Number(r.id), r.name]));
      assert.ok(sheet.every((r) => typeof r.id === 'number' && r.id > 0));
    });

    test('an execution killed between the push and the key write-back creates no duplicate', async () => {
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'books');
      await emu.run('syncNow', {});
      await emu.user.pasteBlock('Sheet1', 'A2', [['', 'Dune', 412]]);
      // Kill the execution at its first service call after a push was answered.
      const seen = emu.stats.requests.length;
      const remove = emu.beforeServiceCall(() => {
        if (pushesSince(emu, seen).some((r) => r.code === 200)) {
          remove();
          throw new Error('killed after the push');
        }
      });
      await assert.rejects(emu.run('syncNow', {}), /killed after the push/);
      let db = await stack.sql('SELECT id, title FROM books');
      assert.deepEqual(db.map((r) => r.title), ['Dune'], 'the push reached the database');
      assert.equal((await sheetRecords(emu))[0].id, '', 'the key was not written back yet');

      await emu.run('syncNow', {});
      await emu.run('syncNow', {});
      db = await stack.sql('SELECT id, title FROM books');
      assert.deepEqual(db.map((r) => r.title), ['Dune'], 'inserted exactly once');
      assert.equal((await sheetRecords(emu))[0].id, Number(db[0].id), 'the key was written back on the next run');
    });

    test('sorting, filtering, inserting rows in the middle and moving columns push nothing and log nothing', async () => {
      await stack.sql("INSERT INTO cities (name, country, people) VALUES ('Oslo', 'NO', 709), ('Bergen', 'NO', 291), ('Lyon', 'FR', 522), ('Turin', 'IT', 848)");
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'cities');
      await emu.run('syncNow', {});
      await emu.run('setAutoSync', true);
      const before = plain(byKey(await sheetRecords(emu)));
      const cursor = await quietCursor(stack, 'cities', await addonCursor(emu));
      const seen = emu.stats.requests.length;

      assertTriggersOk(await emu.user.sortSheet('Sheet1', 2, true));
      assertTriggersOk(await emu.user.sortSheet('Sheet1', 4, false));
      assertTriggersOk(await filterRows(emu, emu.user, 'Sheet1', 3, ['NO']));
      assertTriggersOk(await emu.user.insertRows('Sheet1', 3, 2));
      assertTriggersOk(await moveColumn(emu, emu.user, 'Sheet1', 2, 5));
      const report = await emu.run('syncNow', {});

      assert.equal(report.text, 'Everything is in sync.');
      assert.deepEqual(pushesSince(emu, seen), [], 'no push was made');
      assert.deepEqual(await changesSince(stack, 'cities', cursor), [], 'the change log has no new entry');
      const { values } = await emu.run('e2eReadSheet', 'Sheet1');
      assert.deepEqual(values[0].slice(0, 4), ['id', 'country', 'people', 'name'], 'the moved column stays where it was put');
      assert.deepEqual(plain(byKey(await sheetRecords(emu))), before);
    });

    for (const { gesture, fault, table } of KIWI_CASES) {
      test(`${gesture}, ${fault}: the key of the new row reaches that row and no other`, async () => {
        await stack.sql(`INSERT INTO ${table} (name) VALUES ('apple'), ('pear'), ('plum')`);
        const emu = addonEmulator({ extraFiles: [PUSH_NEVER_SENT] });
        await connectAndBind(emu, stack, table);
        await emu.run('syncNow', {});
        const cursor = await quietCursor(stack, table, await addonCursor(emu));
        await emu.user.pasteBlock('Sheet1', 'A5', [['', 'kiwi']]);

        await FAULTS[fault](emu);
        await GESTURES[gesture].apply(emu);
        await emu.run('syncNow', {});
        const report = await emu.run('syncNow', {});

        const expected = ['apple', 'pear', 'plum', 'kiwi'].filter((n) => !GESTURES[gesture].deleted.includes(n));
        const db = await stack.sql(`SELECT id, name FROM ${table} ORDER BY id`);
        assert.deepEqual(db.map((r) => r.name), expected, 'no row overwritten, none lost, kiwi once');
        assert.deepEqual(db.slice(0, expected.length - 1).map((r) => [r.name, Number(r.id)]),
          [['apple', 1], ['pear', 2], ['plum', 3]].filter(([n]) => expected.includes(n)), 'every row kept its key');
        const sheet = await sheetRecords(emu);
        assert.deepEqual(sheet.map((r) => [r.id, r.name]).sort((a, b) => a[0] - b[0]),
          db.map((r) => [Number(r.id), r.name]), 'the sheet holds each row once, under its own key');
        const kiwi = sheet.filter((r) => r.name === 'kiwi');
        assert.equal(kiwi.length, 1);
        assert.equal(kiwi[0].id, Number(db.find((r) => r.name === 'kiwi').id), 'the kiwi row holds the key kiwi was stored under');
        const deletes = (await changesSince(stack, table, cursor)).filter((c) => c.op === 'delete');
        const deletedKeys = deletes.map((c) => c.key).sort();
        const wanted = GESTURES[gesture].deleted.map((n) => String(['apple', 'pear', 'plum'].indexOf(n) + 1));
        assert.deepEqual(deletedKeys, wanted, 'no row was taken for a deletion');
        assert.equal(report.text, 'Everything is in sync.');
      });
    }

    test('a new row changed before its answer was read gets no key, is reported, and nothing is lost', async () => {
      const table = 'fruit_edit';
      await stack.sql(`INSERT INTO ${table} (name) VALUES ('apple'), ('pear'), ('plum')`);
      const emu = addonEmulator();
      await connectAndBind(emu, stack, table);
      await emu.run('syncNow', {});
      const cursor = await quietCursor(stack, table, await addonCursor(emu));
      await emu.user.pasteBlock('Sheet1', 'A5', [['', 'kiwi']]);
      await FAULTS['the answer lost'](emu);
      await emu.user.editCell('Sheet1', 'B5', 'kiwis');

      const report = await emu.run('syncNow', {});
      const problem = report.problems.find((p) => p.kind === 'new-row-not-placed');
      assert.ok(problem, `the sidebar is told: ${JSON.stringify(report.problems)}`);
      assert.match(problem.message, /name "kiwi".* as key 4\b/);
      await emu.run('syncNow', {});

      const db = await stack.sql(`SELECT id, name FROM ${table} ORDER BY id`);
      assert.deepEqual(db.map((r) => [Number(r.id), r.name]), [[1, 'apple'], [2, 'pear'], [3, 'plum'], [4, 'kiwi'], [5, 'kiwis']],
        'the stored row kept, the changed row added as the new row it now is');
      const sheet = await sheetRecords(emu);
      assert.deepEqual(sheet.map((r) => [r.id, r.name]).sort((a, b) => a[0] - b[0]), db.map((r) => [Number(r.id), r.name]));
      assert.deepEqual((await changesSince(stack, table, cursor)).filter((c) => c.op === 'delete'), [], 'no row was taken for a deletion');
    });
  });
}
