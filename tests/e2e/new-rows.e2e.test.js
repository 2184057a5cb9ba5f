'use strict';
// A row typed cell by cell reaches the database once, complete: until every NOT NULL column
// without a default has a value nothing about it is sent, and the sync reports it as
// incomplete, naming what it lacks. Rows the database adds arrive in the table's key order.
// On MariaDB, PostgreSQL and SQLite, with the add-on's real installable triggers.

const assert = require('node:assert/strict');
const path = require('node:path');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, assertTriggersOk, pushesSince, timerTickMs } = require('./harness/addon');

// Headers after binding: id, title, points, status, note.
const TASKS = ddl.table('tasks', [
  'title VARCHAR(40) NOT NULL',
  'points INT NOT NULL',
  "status VARCHAR(10) NOT NULL DEFAULT 'open'",
  'note VARCHAR(40) NULL',
]);
const NUMBERS = ddl.table('numbers', ['label VARCHAR(20) NOT NULL']);
const SNAPSHOT = ddl.table('snapshot', ['label VARCHAR(20) NOT NULL']);
const CODES = 'CREATE TABLE codes (code VARCHAR(20) PRIMARY KEY, label VARCHAR(20) NULL)';
const FEED_CODES = 'CREATE TABLE feed_codes (code VARCHAR(20) PRIMARY KEY, label VARCHAR(20) NULL)';

// Keys that text order would give as 10, 100, 1000, 10000, 1001, 6, 7, 8, 9.
const NEW_KEYS = [10, 6, 7, 8, 9, 100, 1000, 10000, 1001];
const IN_KEY_ORDER = [6, 7, 8, 9, 10, 100, 1000, 1001, 10000];

for (const backend of backends()) {
  describe(`new rows and key order on ${backend}`, () => {
    const stack = useStack(backend, { label: `new-rows-${backend}`, tables: { tasks: TASKS, numbers: NUMBERS, snapshot: SNAPSHOT, codes: CODES, feed_codes: FEED_CODES } });

    const count = async (table) => Number((await stack.sql(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    const changeLog = async () => Number((await stack.sql('SELECT COUNT(*) AS n FROM sheetsync_changes'))[0].n);

    test('a row typed cell by cell reaches the database once, complete', async () => {
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'tasks');
      await emu.run('setAutoSync', true);
      const logBefore = await changeLog();
      const requestsBefore = emu.stats.requests.length;

      // A note first, then the title: each edit syncs, and the row still lacks points.
      assertTriggersOk(await emu.user.editCell('Sheet1', 'E2', 'by Friday'));
      assert.equal(await count('tasks'), 0, 'nothing after the first cell');
      assertTriggersOk(await emu.user.editCell('Sheet1', 'B2', 'write the docs'));
      assert.equal(await count('tasks'), 0, 'nothing after the second cell');
      assert.equal(pushesSince(emu, requestsBefore).length, 0, 'no push was sent for the incomplete row');
      assert.equal(await changeLog(), logBefore, 'the database saw no change at all');

      const report = await emu.run('syncNow', {});
      const incomplete = report.problems.filter((p) => p.kind === 'incomplete-row');
      assert.equal(incomplete.length, 1, JSON.stringify(report.problems));
      assert.equal(incomplete[0].sheetRow, 2);
      assert.match(incomplete[0].message, /points/);
      assert.doesNotMatch(incomplete[0].message, /status/, 'a column with a default is not asked for');

      // The last required cell: the whole row goes in, once, with the default filled in.
      assertTriggersOk(await emu.user.editCell('Sheet1', 'C2', 3));
      const rows = await stack.sql('SELECT id, title, points, status, note FROM tasks');
      assert.deepEqual(rows.map((r) => [r.title, Number(r.points), r.status, r.note]), [['write the docs', 3, 'open', 'by Friday']]);
      assert.equal(await changeLog(), logBefore + 1, 'one insert reached the change log, no update after it');
      const sheet = await sheetRecords(emu);
      assert.deepEqual(sheet.map((r) => [r.id, r.title, r.points, r.status, r.note]), [[Number(rows[0].id), 'write the docs', 3, 'open', 'by Friday']]);

      const after = await emu.run('syncNow', {});
      assert.equal(after.problems.length, 0, JSON.stringify(after.problems));
      assert.equal(await count('tasks'), 1, 'still exactly one row');
    });

    test('rows another application adds arrive in numeric key order', async () => {
      await stack.sql("INSERT INTO numbers (id, label) VALUES (1, 'one'), (2, 'two')");
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'numbers');
      await emu.run('syncNow', {});
      await emu.run('setAutoSync', true);
      for (const k of NEW_KEYS) await stack.sql(`INSERT INTO numbers (id, label) VALUES (${k}, 'n${k}')`);
      assertTriggersOk(await emu.clock.advance(timerTickMs(emu)));
      assert.deepEqual((await sheetRecords(emu)).map((r) => r.id), [1, 2, ...IN_KEY_ORDER]);
    });

    test('a table bound for the first time arrives in numeric key order', async () => {
      await stack.sql(`INSERT INTO snapshot (id, label) VALUES ${NEW_KEYS.map((k) => `(${k}, 'n${k}')`).join(', ')}`);
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'snapshot');
      await emu.run('syncNow', {});
      assert.deepEqual((await sheetRecords(emu)).map((r) => r.id), IN_KEY_ORDER);
    });

    test('a table with text keys arrives in the order of the database\'s own collation', async () => {
      await stack.sql("INSERT INTO codes (code, label) VALUES ('cherry', 'c'), ('Banana', 'b'), ('apple', 'a'), ('Date', 'd'), ('b2', 'x')");
      const dbOrder = (await stack.sql('SELECT code FROM codes ORDER BY code')).map((r) => r.code);
      const emu = addonEmulator();
      await connectAndBind(emu, stack, 'codes');
      await emu.run('syncNow', {});
      assert.deepEqual((await sheetRecords(emu)).map((r) => r.code), dbOrder);
    });

    // Commit order b, A, c; every backend's collation here puts A first (and none is the
    // commit order), whatever it does with case.
    const feedCodes = async (emu) => {
      await connectAndBind(emu, stack, 'feed_codes');
      await emu.run('syncNow', {});
      for (const code of ['b', 'A', 'c']) await stack.sql(`INSERT INTO feed_codes (code, label) VALUES ('${code}', 'x')`);
      return emu.run('syncNow', {});
    };

    test('text-keyed rows the feed brings arrive in the order of the database\'s own collation', async () => {
      await stack.sql('DELETE FROM feed_codes');
      const emu = addonEmulator();
      const report = await feedCodes(emu);
      assert.equal(report.problems.length, 0, JSON.stringify(report.problems));
      const dbOrder = (await stack.sql('SELECT code FROM feed_codes ORDER BY code')).map((r) => r.code);
      assert.notDeepEqual(dbOrder, ['b', 'A', 'c'], 'the collation differs from commit order');
      assert.deepEqual((await sheetRecords(emu)).map((r) => r.code), dbOrder);
      assert.equal(emu.stats.requests.filter((r) => r.url.endsWith('/keys/order')).length, 1, 'one question for the round');
    });

    test('when the server cannot order the keys the rows keep commit order and the sync goes on', async () => {
      await stack.sql('DELETE FROM feed_codes');
      const emu = addonEmulator({ extraFiles: [path.join(__dirname, 'support', 'KeyOrderDown.js')] });
      const report = await feedCodes(emu);
      assert.equal(report.problems.length, 0, JSON.stringify(report.problems));
      assert.deepEqual((await sheetRecords(emu)).map((r) => r.code), ['b', 'A', 'c']);
      assert.ok(emu.logs.some((l) => l.level === 'WARNING' && /keep the order they were changed in/.test(l.message)),
        JSON.stringify(emu.logs.map((l) => l.message)));
    });
  });
}
