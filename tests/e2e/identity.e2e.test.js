'use strict';
// Row identity is the key, never the row number: new rows get their database keys written
// back exactly once (even across an execution killed between the push and the write-back),
// and sorting, filtering, inserting rows in the middle and moving columns change nothing
// anywhere.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, byKey, plain, assertTriggersOk, pushesSince } = require('./harness/addon');
const { addonCursor, changesSince, quietCursor } = require('./harness/feed');
const { moveColumn, filterRows } = require('./harness/gestures');

const ITEMS = ddl.table('items', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']);
const BOOKS = ddl.table('books', ['title VARCHAR(60) NOT NULL', 'pages INT NULL']);
const CITIES = ddl.table('cities', ['name VARCHAR(40) NOT NULL', 'country VARCHAR(40) NULL', 'people INT NULL']);

for (const backend of backends()) {
  describe(`row identity on ${backend}`, () => {
    const stack = useStack(backend, { label: `identity-${backend}`, tables: { items: ITEMS, books: BOOKS, cities: CITIES } });

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
  });
}
