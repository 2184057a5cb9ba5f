'use strict';
// A row the database refuses (a value its column cannot hold, a duplicate unique value) is
// reported with its sheet row and a reason, stays in the sheet as typed, and does not stop
// the rest of the batch. Once fixed it syncs like any other row.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords } = require('./harness/addon');

const ACCOUNTS = (backend) => ddl.table('accounts', ['email VARCHAR(60) NOT NULL UNIQUE', 'age INT NULL'])(backend);

for (const backend of backends()) {
  describe(`rejected rows on ${backend}`, () => {
    const stack = useStack(backend, { label: `rejects-${backend}`, tables: { accounts: ACCOUNTS } });

    test('a bad value and a duplicate unique value are reported and kept while the rest applies', async () => {
      await stack.sql("INSERT INTO accounts (email, age) VALUES ('ada@example.com', 36)");
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'accounts');
      await emu.run('syncNow', {});
      await emu.user.pasteBlock('Sheet1', 'A3', [
        ['', 'grace@example.com', 45],
        ['', 'linus@example.com', 'old'],
        ['', 'ada@example.com', 20],
      ]);
      const report = await emu.run('syncNow', {});

      const emails = (await stack.sql('SELECT email FROM accounts')).map((r) => r.email).sort();
      assert.deepEqual(emails, ['ada@example.com', 'grace@example.com'], 'the good row applied');
      assert.equal(report.problems.length, 2, JSON.stringify(report.problems));
      const byRow = Object.fromEntries(report.problems.map((p) => [p.sheetRow, p]));
      assert.ok(byRow[4], 'the bad value is reported at its sheet row');
      assert.equal(byRow[4].column, 'age');
      assert.match(byRow[4].message, /\S/);
      assert.ok(byRow[5], 'the duplicate is reported at its sheet row');
      assert.match(byRow[5].message, /unique|duplicate|already/i);
      assert.match(report.text, /2 problems in 2 rows/);

      // Both stay in the sheet as typed, without a key.
      const rows = await sheetRecords(emu);
      assert.deepEqual(rows.slice(2).map((r) => [r.id, r.email, r.age]), [['', 'linus@example.com', 'old'], ['', 'ada@example.com', 20]]);

      // A later sync reports them again and changes nothing.
      const again = await emu.run('syncNow', {});
      assert.equal(again.problems.length, 2);
      assert.equal(Number((await stack.sql('SELECT COUNT(*) AS n FROM accounts'))[0].n), 2);

      // Fixed, they sync.
      await emu.user.editCell('Sheet1', 'C4', 51);
      await emu.user.editCell('Sheet1', 'B5', 'ada2@example.com');
      const fixed = await emu.run('syncNow', {});
      assert.equal(fixed.problems.length, 0, JSON.stringify(fixed.problems));
      const all = (await stack.sql('SELECT email, age FROM accounts')).map((r) => [r.email, Number(r.age)]).sort();
      assert.deepEqual(all, [['ada2@example.com', 20], ['ada@example.com', 36], ['grace@example.com', 45], ['linus@example.com', 51]].sort());
      assert.ok((await sheetRecords(emu)).every((r) => typeof r.id === 'number'), 'every row has its key now');
    });
  });
}
