'use strict';
// A published add-on's clock trigger that Google runs without its document, against the real
// server and database: it opens the spreadsheet by id and syncs with its owner's copy of the
// settings (addon/DetachedTimer.js). Database changes reach the sheet and a sheet change no
// trigger reported reaches the database, with no execution that has the document in between.
// Always in add-on mode, whatever SHEETSYNC_E2E_MODE says. On MariaDB, PostgreSQL and SQLite.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, byKey, plain, assertTriggersOk, timerTickMs } = require('./harness/addon');

const PEOPLE = ddl.table('people', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']);

for (const backend of backends()) {
  describe(`a clock trigger without its document on ${backend}`, () => {
    const stack = useStack(backend, { label: `detached-${backend}`, tables: { people: PEOPLE } });

    test('carries database changes into the sheet and a sheet change into the database', async () => {
      await stack.sql("INSERT INTO people (name, qty) VALUES ('Ada', 1), ('Grace', 2)");
      const emu = addonEmulator({ mode: 'addon', addonTimerHasDocument: false });
      await connectAndBind(emu, stack, 'people');
      await emu.run('syncNow', {});
      await emu.run('setAutoSync', true);
      const executions = emu.executions.length;

      await stack.sql("UPDATE people SET qty = 7 WHERE name = 'Grace'");
      await stack.sql("INSERT INTO people (name, qty) VALUES ('Linus', 3)");
      await stack.sql("DELETE FROM people WHERE name = 'Ada'");
      const ticked = await emu.clock.advance(timerTickMs(emu));
      assertTriggersOk(ticked);
      assert.deepEqual(ticked.map((o) => o.handler), ['sheetsyncOnTimer']);
      assert.deepEqual(plain(byKey(await sheetRecords(emu))).map((r) => [r.name, r.qty]), [['Grace', 7], ['Linus', 3]]);

      // Another script writes a cell: no trigger fires, so only the next tick can push it.
      const linus = (await sheetRecords(emu)).find((r) => r.name === 'Linus');
      await emu.run('e2eScriptWrite', 'Sheet1', `C${linus._row}`, 30);
      assertTriggersOk(await emu.clock.advance(timerTickMs(emu)));
      const rows = await stack.sql('SELECT name, qty FROM people ORDER BY name');
      assert.deepEqual(rows.map((r) => [r.name, Number(r.qty)]), [['Grace', 7], ['Linus', 30]]);
      const between = emu.executions.slice(executions).filter((x) => x.kind !== 'time' && x.fnName !== 'e2eScriptWrite' &&
        !/^e2eReadSheet$/.test(x.fnName));
      assert.deepEqual(between.map((x) => x.fnName), [], 'only ticks without the document synced');
    });
  });
}
