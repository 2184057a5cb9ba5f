'use strict';
// Creates, updates and deletes flow both ways: typed by a person in the sheet (the add-on's
// real installable triggers sync them) and written in the database by another application
// with plain SQL. On MariaDB, PostgreSQL and SQLite.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, byKey, plain, assertTriggersOk, timerTickMs } = require('./harness/addon');

const PEOPLE = ddl.table('people', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']);
const PETS = ddl.table('pets', ['name VARCHAR(40) NOT NULL', 'kind VARCHAR(20) NULL']);
const PARTS = ddl.table('parts', ['label VARCHAR(20) NOT NULL']);
// More than two of the add-on's read pages (5000 rows), so the first sync pages through the table.
const PAGED_ROWS = 12000;

for (const backend of backends()) {
  describe(`CRUD on ${backend}`, () => {
    const stack = useStack(backend, { label: `crud-${backend}`, tables: { people: PEOPLE, pets: PETS, parts: PARTS } });

    test('rows typed, edited and deleted in the sheet reach the database through the triggers', async () => {
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'people');
      await emu.run('setAutoSync', true);
      assertTriggersOk(await emu.user.pasteBlock('Sheet1', 'A2', [['', 'Ada', 3], ['', 'Grace', 5]]));
      let rows = await stack.sql('SELECT id, name, qty FROM people ORDER BY id');
      assert.deepEqual(rows.map((r) => [r.name, Number(r.qty)]), [['Ada', 3], ['Grace', 5]]);

      // The keys the database assigned are written back into the sheet.
      const sheet = byKey(await sheetRecords(emu));
      assert.deepEqual(plain(sheet).map((r) => [r.id, r.name]), rows.map((r) => [Number(r.id), r.name]));

      // An edit of one cell is an update.
      const grace = sheet.find((r) => r.name === 'Grace');
      assertTriggersOk(await emu.user.editCell('Sheet1', `C${grace._row}`, 8));
      rows = await stack.sql('SELECT qty FROM people WHERE id = ?', [grace.id]);
      assert.equal(Number(rows[0].qty), 8);

      // Deleting the row deletes it in the database.
      const ada = sheet.find((r) => r.name === 'Ada');
      assertTriggersOk(await emu.user.deleteRows('Sheet1', ada._row, 1));
      rows = await stack.sql('SELECT name FROM people ORDER BY id');
      assert.deepEqual(rows.map((r) => r.name), ['Grace']);
    });

    test('rows inserted, updated and deleted by another application reach the sheet', async () => {
      await stack.sql("INSERT INTO pets (name, kind) VALUES ('Rex', 'dog'), ('Tom', 'cat')");
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'pets');
      await emu.run('setAutoSync', true);
      assertTriggersOk(await emu.clock.advance(timerTickMs(emu)));
      assert.deepEqual(plain(byKey(await sheetRecords(emu))).map((r) => [r.name, r.kind]), [['Rex', 'dog'], ['Tom', 'cat']]);

      await stack.sql("INSERT INTO pets (name, kind) VALUES ('Polly', 'parrot')");
      await stack.sql("UPDATE pets SET kind = 'tiger' WHERE name = 'Tom'");
      await stack.sql("DELETE FROM pets WHERE name = 'Rex'");
      // The time-driven trigger picks the changes up within a minute.
      assertTriggersOk(await emu.clock.advance(timerTickMs(emu)));
      assert.deepEqual(plain(byKey(await sheetRecords(emu))).map((r) => [r.name, r.kind]), [['Tom', 'tiger'], ['Polly', 'parrot']]);
    });

    test('a table larger than one page arrives whole in the sheet, each row once', async () => {
      const values = Array.from({ length: PAGED_ROWS }, (_, i) => `('part ${i + 1}')`).join(', ');
      await stack.sql(`INSERT INTO parts (label) VALUES ${values}`);
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'parts');
      const report = await emu.run('syncNow', {});
      assert.match(report.text, new RegExp(`${PAGED_ROWS} rows added to the sheet`));
      const rows = await sheetRecords(emu);
      assert.equal(rows.length, PAGED_ROWS);
      assert.equal(new Set(rows.map((r) => r.id)).size, PAGED_ROWS, 'no key twice');
      assert.equal(new Set(rows.map((r) => r.label)).size, PAGED_ROWS, 'no row twice');
    });
  });
}
