'use strict';
// A cell changed in the sheet and in the database since the last sync is settled by the
// binding's policy: each policy, a per-column override, and a resolver of the user's own
// (Rules.js resolveConflict), and whole-row conflicts (an edit against a delete). Cells
// changed on one side only always take that side. On MariaDB, PostgreSQL and SQLite.

const assert = require('node:assert/strict');
const path = require('node:path');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords } = require('./harness/addon');

const STOCK = ['name VARCHAR(40) NOT NULL', 'qty INT NULL', 'note VARCHAR(80) NULL'];
const TABLES = ['db_wins', 'sheet_wins', 'latest_db', 'latest_sheet', 'manual', 'per_column', 'delta', 'custom',
  'upd_del_db', 'upd_del_sheet', 'del_upd_manual'];
const RULES = path.join(__dirname, 'harness', 'project', 'E2eRules.js');

/** A synced sheet over `table` holding one row (widget, 10, base) under `policy`. */
async function syncedSheet(stack, table, policy, options = {}) {
  await stack.sql(`INSERT INTO ${table} (name, qty, note) VALUES ('widget', 10, 'base')`);
  const emu = addonEmulator(options);
  await connectAndBind(emu, stack, table, { policy });
  await emu.run('syncNow', {});
  const [row] = await sheetRecords(emu);
  assert.equal(row.name, 'widget');
  return { emu, row: row._row, id: row.id };
}

async function bothSides(stack, emu, table) {
  const [sheet] = await sheetRecords(emu);
  const [db] = await stack.sql(`SELECT name, qty, note FROM ${table}`);
  return { sheet: { name: sheet.name, qty: sheet.qty, note: sheet.note }, db: { name: db.name, qty: Number(db.qty), note: db.note } };
}

/**
 * A person edits a cell with automatic sync on, but the sync the edit starts dies before it
 * reaches the server: the edit time is recorded and the change is still to be pushed.
 */
async function editWhileOffline(emu, a1, value) {
  const remove = emu.beforeServiceCall(({ call }) => {
    if (call.startsWith('UrlFetchApp')) throw new Error('offline');
  });
  try {
    await emu.user.editCell('Sheet1', a1, value);
  } finally {
    remove();
  }
}

for (const backend of backends()) describe(`conflict policies on ${backend}`, () => {
  const stack = useStack(backend, { label: `conflicts-${backend}`, tables: Object.fromEntries(TABLES.map((t) => [t, ddl.table(t, STOCK)])) });

  test('database-wins keeps the database value and still takes the sheet-only change', async () => {
    const { emu, row } = await syncedSheet(stack, 'db_wins', { default: 'database-wins', columns: {} });
    await emu.user.editCell('Sheet1', `C${row}`, 11);
    await emu.user.editCell('Sheet1', `D${row}`, 'from the sheet');
    await stack.sql("UPDATE db_wins SET qty = 12 WHERE name = 'widget'");
    await emu.run('syncNow', {});
    assert.deepEqual(await bothSides(stack, emu, 'db_wins'), {
      sheet: { name: 'widget', qty: 12, note: 'from the sheet' },
      db: { name: 'widget', qty: 12, note: 'from the sheet' },
    });
  });

  test('sheet-wins writes the sheet value over the database change', async () => {
    const { emu, row } = await syncedSheet(stack, 'sheet_wins', { default: 'sheet-wins', columns: {} });
    await emu.user.editCell('Sheet1', `C${row}`, 11);
    await stack.sql("UPDATE sheet_wins SET qty = 12, note = 'from the db' WHERE name = 'widget'");
    await emu.run('syncNow', {});
    assert.deepEqual(await bothSides(stack, emu, 'sheet_wins'), {
      sheet: { name: 'widget', qty: 11, note: 'from the db' },
      db: { name: 'widget', qty: 11, note: 'from the db' },
    });
  });

  test('latest-wins takes the database change made after the sheet edit', async () => {
    const { emu, row } = await syncedSheet(stack, 'latest_db', { default: 'latest-wins', columns: {} });
    await emu.run('setAutoSync', true);
    await editWhileOffline(emu, `C${row}`, 11);
    await new Promise((r) => setTimeout(r, 20));
    await stack.sql("UPDATE latest_db SET qty = 12 WHERE name = 'widget'");
    await emu.run('syncNow', {});
    assert.deepEqual((await bothSides(stack, emu, 'latest_db')).db.qty, 12);
    assert.deepEqual((await bothSides(stack, emu, 'latest_db')).sheet.qty, 12);
  });

  test('latest-wins takes the sheet edit made after the database change', async () => {
    const { emu, row } = await syncedSheet(stack, 'latest_sheet', { default: 'latest-wins', columns: {} });
    await emu.run('setAutoSync', true);
    await stack.sql("UPDATE latest_sheet SET qty = 12 WHERE name = 'widget'");
    emu.clock.move(60 * 60 * 1000); // the person edits an hour later
    await editWhileOffline(emu, `C${row}`, 11);
    await emu.run('syncNow', {});
    const sides = await bothSides(stack, emu, 'latest_sheet');
    assert.equal(sides.db.qty, 11);
    assert.equal(sides.sheet.qty, 11);
  });

  test('manual holds the conflict for a person and applies the side they choose', async () => {
    const { emu, row, id } = await syncedSheet(stack, 'manual', { default: 'manual', columns: {} });
    await emu.user.editCell('Sheet1', `C${row}`, 11);
    await stack.sql("UPDATE manual SET qty = 12 WHERE name = 'widget'");
    const held = await emu.run('syncNow', {});
    assert.equal(held.conflicts.length, 1);
    assert.deepEqual({ key: held.conflicts[0].key, column: held.conflicts[0].column, sheet: held.conflicts[0].sheet, database: held.conflicts[0].database },
      { key: String(id), column: 'qty', sheet: 11, database: 12 });
    let sides = await bothSides(stack, emu, 'manual');
    assert.equal(sides.sheet.qty, 11, 'the sheet keeps its value while the conflict is held');
    assert.equal(sides.db.qty, 12, 'the database keeps its value while the conflict is held');
    assert.equal((await emu.run('syncNow', {})).conflicts.length, 1, 'a later sync still holds it');

    const settled = await emu.run('resolveConflicts', [{ key: String(id), column: 'qty', choose: 'sheet' }]);
    assert.equal(settled.conflicts.length, 0);
    sides = await bothSides(stack, emu, 'manual');
    assert.equal(sides.db.qty, 11);
    assert.equal(sides.sheet.qty, 11);
  });

  test('a per-column policy overrides the default for that column only', async () => {
    const { emu, row } = await syncedSheet(stack, 'per_column', { default: 'database-wins', columns: { qty: 'sheet-wins' } });
    await emu.user.editCell('Sheet1', `C${row}`, 11);
    await emu.user.editCell('Sheet1', `D${row}`, 'sheet note');
    await stack.sql("UPDATE per_column SET qty = 12, note = 'db note' WHERE name = 'widget'");
    await emu.run('syncNow', {});
    assert.deepEqual(await bothSides(stack, emu, 'per_column'), {
      sheet: { name: 'widget', qty: 11, note: 'db note' },
      db: { name: 'widget', qty: 11, note: 'db note' },
    });
  });

  test('numeric-delta adds both sides’ changes to the last agreed value', async () => {
    const { emu, row } = await syncedSheet(stack, 'delta', { default: 'database-wins', columns: { qty: 'numeric-delta' } });
    await emu.user.editCell('Sheet1', `C${row}`, 13);
    await stack.sql("UPDATE delta SET qty = 15 WHERE name = 'widget'");
    await emu.run('syncNow', {});
    const sides = await bothSides(stack, emu, 'delta');
    assert.equal(sides.db.qty, 18);
    assert.equal(sides.sheet.qty, 18);
  });

  test('a custom resolveConflict in the script decides per cell', async () => {
    const { emu, row } = await syncedSheet(stack, 'custom', { default: 'custom', columns: {} }, { extraFiles: [RULES] });
    await emu.user.editCell('Sheet1', `C${row}`, 7);
    await emu.user.editCell('Sheet1', `D${row}`, 'sheet');
    await stack.sql("UPDATE custom SET qty = 4, note = 'db' WHERE name = 'widget'");
    await emu.run('syncNow', {});
    assert.deepEqual(await bothSides(stack, emu, 'custom'), {
      sheet: { name: 'widget', qty: 7, note: 'sheet & db' },
      db: { name: 'widget', qty: 7, note: 'sheet & db' },
    });
  });

  test('an edit in the sheet of a row the database deleted follows database-wins: the row goes', async () => {
    const { emu, row } = await syncedSheet(stack, 'upd_del_db', { default: 'database-wins', columns: {} });
    await emu.user.editCell('Sheet1', `C${row}`, 11);
    await stack.sql("DELETE FROM upd_del_db WHERE name = 'widget'");
    await emu.run('syncNow', {});
    assert.deepEqual(await sheetRecords(emu), []);
    assert.deepEqual(await stack.sql('SELECT id FROM upd_del_db'), []);
  });

  test('an edit in the sheet of a row the database deleted follows sheet-wins: the row comes back with its key', async () => {
    const { emu, row } = await syncedSheet(stack, 'upd_del_sheet', { default: 'sheet-wins', columns: {} });
    await emu.user.editCell('Sheet1', `C${row}`, 11);
    await stack.sql("DELETE FROM upd_del_sheet WHERE name = 'widget'");
    await emu.run('syncNow', {});
    await emu.run('syncNow', {});
    const db = await stack.sql('SELECT id, name, qty FROM upd_del_sheet');
    assert.deepEqual(db.map((r) => [r.name, Number(r.qty)]), [['widget', 11]]);
    const sheet = await sheetRecords(emu);
    assert.deepEqual(sheet.map((r) => [r.id, r.name, r.qty]), [[Number(db[0].id), 'widget', 11]]);
  });

  test('a row deleted in the sheet but changed in the database is held under manual and restored on request', async () => {
    const { emu, row, id } = await syncedSheet(stack, 'del_upd_manual', { default: 'manual', columns: {} });
    await emu.user.deleteRows('Sheet1', row, 1);
    await stack.sql("UPDATE del_upd_manual SET qty = 12 WHERE name = 'widget'");
    const held = await emu.run('syncNow', {});
    assert.equal(held.conflicts.length, 1);
    assert.equal(held.conflicts[0].kind, 'delete-update');
    assert.equal(held.conflicts[0].column, null);
    assert.equal(Number((await stack.sql('SELECT COUNT(*) AS n FROM del_upd_manual'))[0].n), 1, 'nothing deleted while held');
    await emu.run('resolveConflicts', [{ key: String(id), column: null, choose: 'database' }]);
    const sheet = await sheetRecords(emu);
    assert.deepEqual(sheet.map((r) => [r.id, r.name, r.qty]), [[id, 'widget', 12]]);
  });
});
