'use strict';
// Two collaborators on one spreadsheet (their edits synced by the installed triggers and by
// their sidebars), a second spreadsheet bound to the same table, and another application
// writing SQL, interleaved at random: once everyone has synced, all three agree exactly.
// The seed is printed; SHEETSYNC_E2E_SEED=<n> replays a run.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, timerTickMs } = require('./harness/addon');

const STOCK = ddl.table('stock', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']);
const STEPS = Number(process.env.SHEETSYNC_E2E_STEPS || 60);

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs one statement with the backend's own command line, blocking (used inside an execution). */
function sqlNow(db, statement) {
  if (db.backend === 'mariadb') execFileSync('mariadb', ['-uroot', '-h127.0.0.1', db.name, '-e', statement]);
  else if (db.backend === 'postgres') execFileSync('psql', ['-q', '-h', '127.0.0.1', '-U', 'postgres', '-d', db.name, '-c', statement]);
  else execFileSync('sqlite3', ['-cmd', '.timeout 10000', db.name, statement]);
}

const content = (rows) => rows.map((r) => `${r.id}|${r.name}|${r.qty === '' || r.qty === null ? '' : Number(r.qty)}`).sort();

for (const backend of backends()) describe(`convergence on ${backend}`, () => {
  const stack = useStack(backend, { label: `converge-${backend}`, tables: { stock: STOCK } });

  test('two collaborators, a second spreadsheet and an SQL writer at once converge to one table', async (t) => {
    const seed = Number(process.env.SHEETSYNC_E2E_SEED || Math.floor(Math.random() * 2 ** 31));
    t.diagnostic(`seed ${seed}`);
    const rand = seeded(seed);
    const pick = (list) => list[Math.floor(rand() * list.length)];
    const int = (n) => Math.floor(rand() * n);

    await stack.sql(`INSERT INTO stock (name, qty) VALUES ${Array.from({ length: 20 }, (_, i) => `('item ${i}', ${i})`).join(', ')}`);
    const a = addonEmulator({ owner: 'alice@example.com' });
    await connectAndBind(a, stack, 'stock');
    await a.run('syncNow', {});
    await a.run('setAutoSync', true);
    const alice = a.user;
    const bob = a.person('bob@example.com');
    const b = addonEmulator({ owner: 'carol@example.com', timeZone: 'America/New_York' });
    await connectAndBind(b, stack, 'stock');
    await b.run('syncNow', {});

    const failures = [];
    const note = (outcomes) => (outcomes || []).forEach((o) => o.status === 'failed' && failures.push(o));
    let made = 0;
    const actions = [
      async function editInA() {
        const rows = await sheetRecords(a);
        if (!rows.length) return;
        note(await pick([alice, bob]).editCell('Sheet1', `C${pick(rows)._row}`, int(1000)));
      },
      async function renameInA() {
        const rows = await sheetRecords(a);
        if (!rows.length) return;
        note(await pick([alice, bob]).editCell('Sheet1', `B${pick(rows)._row}`, `renamed ${made++}`));
      },
      async function typeRowInA() {
        const last = a.spreadsheet.sheetByName('Sheet1').lastRow();
        note(await pick([alice, bob]).pasteBlock('Sheet1', `A${last + 1}`, [['', `typed ${made++}`, int(100)]]));
      },
      async function deleteRowInA() {
        const rows = await sheetRecords(a);
        if (rows.length < 12) return;
        note(await bob.deleteRows('Sheet1', pick(rows)._row, 1));
      },
      async function sidebarSyncInA() {
        await a.scriptRun('syncNow', [{}], { user: pick([alice, bob]) });
      },
      async function editAndSyncInB() {
        const rows = await sheetRecords(b);
        if (rows.length) await b.user.editCell('Sheet1', `C${pick(rows)._row}`, int(1000));
        if (rand() < 0.3) {
          const last = b.spreadsheet.sheetByName('Sheet1').lastRow();
          await b.user.pasteBlock('Sheet1', `A${last + 1}`, [['', `from b ${made++}`, int(100)]]);
        }
        await b.scriptRun('syncNow', [{}]);
      },
      async function sqlUpdate() {
        const ids = await stack.sql('SELECT id FROM stock');
        if (ids.length) await stack.sql('UPDATE stock SET qty = ? WHERE id = ?', [int(1000), Number(pick(ids).id)]);
      },
      async function sqlInsert() {
        await stack.sql('INSERT INTO stock (name, qty) VALUES (?, ?)', [`sql ${made++}`, int(100)]);
      },
      async function sqlDelete() {
        const ids = await stack.sql('SELECT id FROM stock');
        if (ids.length > 15) await stack.sql('DELETE FROM stock WHERE id = ?', [Number(pick(ids).id)]);
      },
      async function sqlWhileASyncs() {
        // Another application writes while A's sync runs: after A read the feed, before it pushes.
        const rows = await sheetRecords(a);
        if (!rows.length) return;
        const target = pick(rows);
        const qty = int(1000);
        let fetches = 0;
        const remove = a.beforeServiceCall(({ call }) => {
          if (!call.startsWith('UrlFetchApp') || ++fetches !== 3) return;
          remove();
          sqlNow(stack.db, `UPDATE stock SET qty = ${qty} WHERE id = ${Number(target.id) || 0}`);
        });
        note(await pick([alice, bob]).editCell('Sheet1', `C${target._row}`, int(1000)));
        remove();
      },
      async function timerInA() {
        note(await a.clock.advance(timerTickMs(a)));
      },
    ];
    const trail = [];
    for (let i = 0; i < STEPS; i++) {
      const action = pick(actions);
      trail.push(action.name);
      await action();
    }
    t.diagnostic(`steps: ${trail.join(' ')}`);

    // Everyone syncs until nothing changes any more.
    for (let round = 0; round < 4; round++) {
      await a.scriptRun('syncNow', [{}], { user: bob });
      await b.scriptRun('syncNow', [{}]);
    }
    assert.deepEqual(failures.map((f) => `${f.handler}: ${f.error && f.error.message}`), [], 'no trigger failed');
    const db = content(await stack.sql('SELECT id, name, qty FROM stock'));
    const inA = await sheetRecords(a);
    const inB = await sheetRecords(b);
    assert.ok(inA.every((r) => typeof r.id === 'number'), 'every row typed in A has its key');
    assert.ok(inB.every((r) => typeof r.id === 'number'), 'every row typed in B has its key');
    assert.deepEqual(content(inA), db, `spreadsheet A matches the table (seed ${seed})`);
    assert.deepEqual(content(inB), db, `spreadsheet B matches the table (seed ${seed})`);
  });
});
