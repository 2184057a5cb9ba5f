'use strict';
// No edit lost: a sheet edit a conflict policy overrides is kept by the add-on, reported to
// the server's row history, listed for the sidebar, and restored with one call as an ordinary
// edit that reaches the database. On MariaDB, PostgreSQL and SQLite.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords } = require('./harness/addon');

const STOCK = ['name VARCHAR(40) NOT NULL', 'qty INT NULL', 'note VARCHAR(80) NULL'];
// Keyed by a code the sheet gives, so a row put back keeps its key.
const ROWS_LOST = 'CREATE TABLE rows_lost (code VARCHAR(20) PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NULL, note VARCHAR(80) NULL)';

async function history(stack, table, key) {
  const res = await fetch(`${stack.url}/v1/tables/${table}/rows/${encodeURIComponent(key)}/history`, {
    headers: { Authorization: `Bearer ${stack.token}` },
  });
  assert.equal(res.status, 200);
  return res.json();
}

for (const backend of backends()) describe(`overridden values on ${backend}`, () => {
  const stack = useStack(backend, { label: `overrides-${backend}`, tables: { stock: ddl.table('stock', STOCK), parts: ddl.table('parts', STOCK), rows_lost: ROWS_LOST, bulk: ddl.table('bulk', STOCK) } });

  test('an edit the database overrode is in the row history and restored by one click', async () => {
    await stack.sql("INSERT INTO stock (name, qty, note) VALUES ('widget', 10, 'base')");
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'stock', { policy: { default: 'database-wins', columns: {} } });
    await emu.run('syncNow', {});
    await emu.run('setAutoSync', true);
    const [synced] = await sheetRecords(emu);
    // The database changes first; the person's edit then syncs from the onEdit trigger,
    // which records its time, and meets the database's change.
    await stack.sql("UPDATE stock SET qty = 12 WHERE name = 'widget'");
    await emu.user.editCell('Sheet1', `C${synced._row}`, 11);
    assert.equal((await sheetRecords(emu))[0].qty, 12, 'the database won');

    const { overrides } = await emu.run('listOverrides');
    assert.equal(overrides.length, 1);
    const [o] = overrides;
    assert.deepEqual(
      { key: o.key, column: o.column, side: o.side, value: o.value, winning: o.winning, policy: o.policy, restorable: o.restorable },
      { key: String(synced.id), column: 'qty', side: 'sheet', value: 11, winning: 12, policy: 'database-wins', restorable: true },
    );
    assert.ok(o.changedAt > 0, 'the edit time the onEdit trigger recorded');
    assert.equal(o.author, 'owner@example.com', "the onEdit event's user, who made the edit");

    const before = await history(stack, 'stock', o.key);
    assert.deepEqual(before.overrides.map((r) => [r.column, r.value, r.winning_value, r.policy, r.author]), [['qty', 11, 12, 'database-wins', 'owner@example.com']]);
    assert.equal(before.changes[0].cells[2], 12, 'the change log holds the winning image');

    const report = await emu.run('restoreOverride', o.id);
    assert.match(report.text, /1 updated in the database/);
    assert.equal((await sheetRecords(emu))[0].qty, 11, 'the old value is back in the cell');
    const [db] = await stack.sql('SELECT qty FROM stock');
    assert.equal(Number(db.qty), 11, 'and reached the database');
    const after = await history(stack, 'stock', o.key);
    assert.equal(after.changes[0].cells[2], 11, 'the restore is the newest change');
    assert.equal(after.overrides.length, 1, 'a later sync reports nothing twice');
    await emu.run('syncNow', {});
    assert.equal((await history(stack, 'stock', o.key)).overrides.length, 1);
  });

  test('a whole row the database deleted while the sheet edited it is put back once, and syncs', async () => {
    await stack.sql("INSERT INTO parts (name, qty, note) VALUES ('gizmo', 1, 'base')");
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'parts', { policy: { default: 'database-wins', columns: {} } });
    await emu.run('syncNow', {});
    await emu.run('setAutoSync', true);
    const [synced] = await sheetRecords(emu);
    await stack.sql("DELETE FROM parts WHERE name = 'gizmo'");
    await emu.user.editCell('Sheet1', `C${synced._row}`, 5);
    assert.deepEqual(await sheetRecords(emu), [], "the database's deletion won");
    const { overrides } = await emu.run('listOverrides');
    assert.deepEqual(
      overrides.map((o) => [o.column, o.side, o.restorable]),
      [[null, 'sheet', true]],
    );
    assert.equal(overrides[0].value[2], 5, 'the whole row as the sheet had it, edit included');
    const kept = await history(stack, 'parts', String(synced.id));
    assert.equal(kept.overrides[0].column, null);
    assert.deepEqual(kept.overrides[0].value.slice(1), ['gizmo', 5, 'base']);

    const report = await emu.run('restoreOverride', overrides[0].id);
    assert.deepEqual(report.problems, [], report.text);
    // The database assigns this table's keys: the row comes back under a new one.
    const db = await stack.sql('SELECT id, name, qty, note FROM parts');
    assert.deepEqual(db.map((r) => [r.name, Number(r.qty), r.note]), [['gizmo', 5, 'base']], 'the row is back in the database');
    assert.notEqual(Number(db[0].id), synced.id, 'under the key the database gave it');
    const back = await sheetRecords(emu);
    assert.deepEqual(back.map((r) => [r.id, r.name, r.qty, r.note]), [[Number(db[0].id), 'gizmo', 5, 'base']], 'and in the sheet, its new key written back');

    const listed = (await emu.run('listOverrides')).overrides[0];
    assert.ok(listed.restoredAt > 0, 'the entry says it was put back');
    assert.equal(listed.restorable, false, 'and offers no second restore');
    await assert.rejects(emu.run('restoreOverride', overrides[0].id), /already put back at .*not added twice/);
    const again = await emu.run('syncNow', {});
    assert.deepEqual(again.problems, [], again.text);
    assert.equal((await sheetRecords(emu)).length, 1, 'still one row in the sheet');
    assert.equal((await stack.sql('SELECT id FROM parts')).length, 1, 'and one in the database');
    await assert.rejects(emu.run('restoreOverride', 'no-such-id'), /no longer kept/);
  });

  test("a row the sheet deleted while the database edited it is put back from the database's image, under its own key", async () => {
    await stack.sql("INSERT INTO rows_lost (code, name, qty, note) VALUES ('B-1', 'bolt', 1, 'base'), ('N-1', 'nut', 2, 'base')");
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'rows_lost', { policy: { default: 'sheet-wins', columns: {} } });
    await emu.run('syncNow', {});
    await emu.run('setAutoSync', true);
    const bolt = (await sheetRecords(emu)).find((r) => r.name === 'bolt');
    await stack.sql("UPDATE rows_lost SET qty = 7, note = 'recounted' WHERE name = 'bolt'");
    await emu.user.deleteRows('Sheet1', bolt._row, 1);
    assert.deepEqual((await stack.sql('SELECT name FROM rows_lost')).map((r) => r.name), ['nut'], "the sheet's deletion won");
    const o = (await emu.run('listOverrides')).overrides.find((x) => x.key === 'B-1');
    assert.deepEqual([o.column, o.side, o.restorable], [null, 'database', true]);
    assert.deepEqual(o.value, ['B-1', 'bolt', 7, 'recounted'], "the database's edited row");

    const report = await emu.run('restoreOverride', o.id);
    assert.deepEqual(report.problems, [], report.text);
    const db = await stack.sql('SELECT code, name, qty, note FROM rows_lost ORDER BY code');
    assert.deepEqual(db.map((r) => [r.code, r.name, Number(r.qty), r.note]), [['B-1', 'bolt', 7, 'recounted'], ['N-1', 'nut', 2, 'base']]);
    const sheet = (await sheetRecords(emu)).map((r) => [r.code, r.name, r.qty, r.note]);
    assert.deepEqual(sheet, [['N-1', 'nut', 2, 'base'], ['B-1', 'bolt', 7, 'recounted']], 'appended below the other rows');
    await assert.rejects(emu.run('restoreOverride', o.id), /not added twice/);
  });

  test('an edit whose author Google does not name is kept with its author unknown', async () => {
    await stack.sql("INSERT INTO stock (name, qty, note) VALUES ('sprocket', 3, 'base')");
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'stock', { policy: { default: 'database-wins', columns: {} } });
    await emu.run('syncNow', {});
    await emu.run('setAutoSync', true);
    const synced = (await sheetRecords(emu)).find((r) => r.name === 'sprocket');
    await stack.sql("UPDATE stock SET qty = 4 WHERE name = 'sprocket'");
    // A colleague on a consumer account: the owner's trigger is not told who they are.
    await emu.person('bob@example.com').editCell('Sheet1', `C${synced._row}`, 5);
    const o = (await emu.run('listOverrides')).overrides.find((x) => x.key === String(synced.id));
    assert.equal(o.side, 'sheet');
    assert.ok(o.changedAt > 0, 'the edit time is known');
    assert.equal(o.author, null, 'the author is unknown, not made up');
    const { overrides } = await history(stack, 'stock', o.key);
    assert.deepEqual(overrides.map((r) => [r.value, r.author]), [[5, null]]);
  });

  test('the add-on keeps the newest 50 replaced values while the server keeps every one', async () => {
    const values = Array.from({ length: 55 }, (_, i) => `('item ${i}', ${i}, NULL)`).join(', ');
    await stack.sql(`INSERT INTO bulk (name, qty, note) VALUES ${values}`);
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'bulk', { policy: { default: 'database-wins', columns: {} } });
    await emu.run('syncNow', {});
    await stack.sql('UPDATE bulk SET qty = qty + 100');
    await emu.user.pasteBlock('Sheet1', 'C2', Array.from({ length: 55 }, (_, i) => [1000 + i]));
    await emu.run('syncNow', {});
    const { overrides } = await emu.run('listOverrides');
    assert.equal(overrides.length, 50);
    const keys = (await sheetRecords(emu)).map((r) => String(r.id));
    for (const key of [keys[0], keys[54]]) {
      const res = await fetch(`${stack.url}/v1/tables/bulk/rows/${key}/history`, { headers: { Authorization: `Bearer ${stack.token}` } });
      assert.equal((await res.json()).overrides.length, 1, `row ${key}'s replaced value reached the server`);
    }
  });
});
