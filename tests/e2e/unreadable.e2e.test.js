'use strict';
// A change the server cannot read (a corrupt change-log entry) does not stall the sheet: it is
// reported for its row, which is neither deleted nor overwritten, later changes still arrive,
// and the report stays until the database changes the row again.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords } = require('./harness/addon');

const NOTES = ddl.table('notes', ['body VARCHAR(40) NOT NULL']);

for (const backend of backends()) {
  describe(`an unreadable change on ${backend}`, () => {
    const stack = useStack(backend, { label: `unreadable-${backend}`, tables: { notes: NOTES } });

    test('is reported for its row, which stays as it is, while later changes still arrive', async () => {
      await stack.sql("INSERT INTO notes (body) VALUES ('kept')");
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'notes');
      await emu.run('syncNow', {});
      const [kept] = await sheetRecords(emu);
      assert.equal(kept.body, 'kept');
      const key = String(kept.id);

      const [{ id: tableId }] = await stack.sql("SELECT id FROM sheetsync_tables WHERE name = 'notes'");
      await stack.sql(
        'INSERT INTO sheetsync_changes (table_id, row_key, op, row_image, origin, changed_at_ms) ' +
          `VALUES (${Number(tableId)}, '${key}', 'U', 'not json', NULL, 1)`,
      );
      await stack.sql("INSERT INTO notes (body) VALUES ('after')");
      const report = await emu.run('syncNow', {});

      assert.deepEqual((await sheetRecords(emu)).map((r) => r.body), ['kept', 'after']);
      const bad = report.problems.filter((p) => p.kind === 'bad-database-row');
      assert.equal(bad.length, 1, JSON.stringify(report.problems));
      assert.equal(bad[0].key, key);
      assert.match(bad[0].message, /cannot read/);

      const again = await emu.run('syncNow', {});
      assert.equal(again.problems.filter((p) => p.kind === 'bad-database-row').length, 1, 'still reported');
      assert.deepEqual((await sheetRecords(emu)).map((r) => r.body), ['kept', 'after']);

      await stack.sql(`UPDATE notes SET body = 'changed' WHERE id = ${Number(key)}`);
      const moved = await emu.run('syncNow', {});
      assert.equal(moved.problems.length, 0, JSON.stringify(moved.problems));
      assert.deepEqual((await sheetRecords(emu)).map((r) => r.body), ['changed', 'after']);
    });
  });
}
