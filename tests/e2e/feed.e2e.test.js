'use strict';
// The change feed never skips a committed change: a transaction that wrote first but
// commits last still reaches a sheet that already synced past the later one. On MariaDB and
// PostgreSQL, where writers really run side by side.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends, connectDatabase } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords } = require('./harness/addon');

const NOTES = ddl.table('notes', ['body VARCHAR(40) NOT NULL']);

for (const backend of backends().filter((b) => b !== 'sqlite')) {
  describe(`the change feed on ${backend}`, () => {
    const stack = useStack(backend, { label: `feed-${backend}`, tables: { notes: NOTES } });

    test('a transaction that commits after a later one is still delivered to the sheet', async () => {
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'notes');
      await emu.run('syncNow', {});
      const slow = await connectDatabase(stack.db.url);
      try {
        await slow.sql('BEGIN');
        await slow.sql("INSERT INTO notes (body) VALUES ('written first')");
        await stack.sql("INSERT INTO notes (body) VALUES ('committed first')");
        // Let the server's sequencer run while the first transaction is still open.
        await new Promise((r) => setTimeout(r, 300));
        await emu.run('syncNow', {});
        assert.deepEqual((await sheetRecords(emu)).map((r) => r.body), ['committed first']);
        await slow.sql('COMMIT');
      } finally {
        await slow.close();
      }
      await new Promise((r) => setTimeout(r, 300));
      await emu.run('syncNow', {});
      assert.deepEqual((await sheetRecords(emu)).map((r) => r.body).sort(), ['committed first', 'written first']);
    });
  });
}
