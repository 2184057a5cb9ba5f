'use strict';
// Google's limits met by a real sheet, against the real server: a paste of many keyed rows
// under automatic sync (edit times past the 9 KB a property holds), a report measured in
// bytes, a database value longer than a cell holds, base images fetched together, and server
// URLs Google would not fetch. On MariaDB, PostgreSQL and SQLite.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, assertTriggersOk } = require('./harness/addon');

const STOCK = ['name VARCHAR(40) NOT NULL', 'qty INT NULL', 'note TEXT NULL'];
const TABLES = ['pasted', 'reports', 'long_text', 'deltas', 'urls'];

async function fill(stack, table, n) {
  const values = Array.from({ length: n }, (_, i) => `('item ${i + 1}', ${i + 1}, NULL)`);
  await stack.sql(`INSERT INTO ${table} (name, qty, note) VALUES ${values.join(', ')}`);
}

for (const backend of backends()) describe(`platform limits on ${backend}`, () => {
  const stack = useStack(backend, { label: `limits-${backend}`, tables: Object.fromEntries(TABLES.map((t) => [t, ddl.table(t, STOCK)])) });

  test('a 1,000-row paste of keyed rows under automatic sync records its edits and reaches the database', async () => {
    await fill(stack, 'pasted', 1000);
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'pasted');
    await emu.run('syncNow', {});
    await emu.run('setAutoSync', true);
    const records = await sheetRecords(emu);
    assert.equal(records.length, 1000);
    const block = records.map((r) => [r.id, r.name, Number(r.qty) * 10]);
    assertTriggersOk(await emu.user.pasteBlock('Sheet1', 'A2', block));
    const db = await stack.sql('SELECT SUM(qty) AS total, COUNT(*) AS n FROM pasted');
    assert.equal(Number(db[0].n), 1000);
    assert.equal(Number(db[0].total), 10 * (1000 * 1001) / 2);
  });

  test('a report over 9 KB in UTF-8 bytes but short in characters is kept and read back', async () => {
    await fill(stack, 'reports', 1);
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'reports');
    await emu.run('syncNow', {});
    const sheetId = (await emu.run('sidebarState')).sheet.id;
    const report = { text: '日本語'.repeat(1500), at: 1 }; // 4,500 characters, 13,500 bytes
    await emu.run('storeSaveReport_', sheetId, report);
    assert.deepEqual(await emu.run('storeReadReport_', sheetId), report);
  });

  test('a database value longer than a cell holds is reported on its row and the rest still syncs', async () => {
    await fill(stack, 'long_text', 3);
    await stack.sql(`UPDATE long_text SET note = '${'x'.repeat(60000)}' WHERE name = 'item 2'`);
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'long_text');
    const report = await emu.run('syncNow', {});
    const names = (await sheetRecords(emu)).map((r) => r.name).sort();
    assert.deepEqual(names, ['item 1', 'item 3']);
    const [long] = await stack.sql("SELECT id FROM long_text WHERE name = 'item 2'");
    const problem = report.problems.find((p) => String(p.key) === String(long.id));
    assert.ok(problem, JSON.stringify(report.problems));
    assert.equal(problem.column, 'note');
    assert.match(problem.message, /60000 characters.*at most 50000/);
  });

  test('base images for many conflicts are fetched together, not one request per row', async () => {
    await fill(stack, 'deltas', 5);
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'deltas', { policy: { default: 'database-wins', columns: { qty: 'numeric-delta' } } });
    await emu.run('syncNow', {});
    for (const r of await sheetRecords(emu)) await emu.user.editCell('Sheet1', `C${r._row}`, Number(r.qty) + 1);
    await stack.sql('UPDATE deltas SET qty = qty + 100');
    const calls = [];
    const remove = emu.beforeServiceCall(({ call }) => {
      if (call.startsWith('UrlFetchApp')) calls.push(call);
    });
    const before = emu.stats.requests.length;
    await emu.run('syncNow', {});
    remove();
    const versions = emu.stats.requests.slice(before).filter((r) => /\/versions\//.test(r.url));
    assert.equal(versions.length, 5, 'one base image per conflicting row');
    assert.equal(calls.filter((c) => c === 'UrlFetchApp.fetchAll').length, 1, JSON.stringify(calls));
    const db = await stack.sql('SELECT qty FROM deltas ORDER BY id');
    assert.deepEqual(db.map((r) => Number(r.qty)), [102, 103, 104, 105, 106]);
  });

  test('an http server URL is refused with a reason; https and this machine\'s loopback are taken', async () => {
    const emu = addonEmulator();
    await assert.rejects(emu.run('saveConnection', 'http://sync.example.com', stack.token), /must start with https:\/\/.*Google fetches only https/);
    await assert.rejects(emu.run('testConnection', 'http://sync.example.com/', stack.token), /must start with https:\/\//);
    await assert.rejects(emu.run('saveConnection', 'sync.example.com', stack.token), /must look like https:\/\/sync.example.com/);
    assert.equal((await emu.run('sidebarState')).connected, false);
    assert.match(stack.url, /^http:\/\/127\.0\.0\.1:/);
    await emu.run('saveConnection', `${stack.url}/`, stack.token);
    assert.equal((await emu.run('sidebarState')).url, stack.url);
  });
});
