'use strict';
// Server mode end to end: one emulated spreadsheet seen by a person and the add-on (through
// the Apps Script emulator) and by the real `sheetsync-server serve --google-key` (through
// the Sheets API stand-in in this process, serving the emulator's own spreadsheet). A sheet
// the add-on syncs is handed to the server and back with no full resync, SQL writers from
// another application reach the sheet with nobody running the add-on, a person's edits reach
// the table through the edit trigger's poke, and a table bound to a server-mode sheet and an
// add-on-mode sheet keeps both equal to it. On MariaDB, PostgreSQL and SQLite.

const assert = require('node:assert/strict');
const { describe, test, before, after } = require('node:test');
const { backends } = require('./harness/databases');
const { openStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, assertTriggersOk, pushesSince } = require('./harness/addon');
const { cells } = require('./harness/fakeStack');
const { openSheetsApi } = require('./harness/sheetsApi');

const COLUMNS = ['name VARCHAR(40) NOT NULL', 'qty INT NULL'];
const TABLES = {
  handed: ddl.table('handed', COLUMNS),
  busy: ddl.table('busy', COLUMNS),
  shared: ddl.table('shared', COLUMNS),
  back: ddl.table('back', COLUMNS),
  early: ddl.table('early', COLUMNS),
};
// Every wait polls until the state holds, and fails saying what it last saw after this long.
const WAIT_MS = 20000;

/** Polls `check` (→ { ok, seen }) until ok; fails naming `what` and the last thing seen. */
async function eventually(what, check) {
  const until = Date.now() + WAIT_MS;
  let last;
  for (;;) {
    last = await check();
    if (last.ok) return last.seen;
    if (Date.now() > until) throw new Error(`${what}: not within ${WAIT_MS / 1000} s; last seen:\n${JSON.stringify(last.seen, null, 1)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The table's rows as [id, name, qty], by id. */
async function tableRows(stack, table) {
  const rows = await stack.sql(`SELECT id, name, qty FROM ${table} ORDER BY id`);
  return rows.map((r) => [Number(r.id), r.name, r.qty === null ? null : Number(r.qty)]);
}

/** The sheet's data rows as [id, name, qty], by id, read from the spreadsheet itself. */
function sheetRows(emu, name = 'Sheet1') {
  const [header, ...data] = cells(emu, name);
  if (!header) return [];
  const col = (h) => header.indexOf(h);
  const [id, nm, qty] = [col('id'), col('name'), col('qty')];
  if (id < 0 || nm < 0 || qty < 0) throw new Error(`the sheet's header is not id, name, qty: ${JSON.stringify(header)}`);
  return data
    .filter((row) => row.some((v) => v !== ''))
    .map((row) => [row[id] === '' ? '' : Number(row[id]), row[nm], row[qty] === '' ? null : row[qty]])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true }));
}

/** The sheet row (1-based, header included) holding key `id`. */
function rowOf(emu, id) {
  const at = cells(emu).findIndex((row, i) => i > 0 && Number(row[0]) === id);
  if (at < 0) throw new Error(`no row with id ${id} in the sheet`);
  return at + 1;
}

/** Waits until every sheet of `emus` holds exactly the table's rows. */
async function sheetsEqualTable(what, stack, table, emus, between = async () => {}) {
  return eventually(what, async () => {
    await between();
    const want = await tableRows(stack, table);
    const sheets = emus.map((emu) => sheetRows(emu));
    return { ok: sheets.every((s) => JSON.stringify(s) === JSON.stringify(want)), seen: { table: want, sheets } };
  });
}

async function bindingId(stack, emu) {
  const rows = await stack.sql('SELECT id FROM sheetsync_bindings WHERE spreadsheet_id = ?', [emu.spreadsheet.id]);
  assert.equal(rows.length, 1, 'the server has the sheet\'s binding');
  return Number(rows[0].id);
}

async function bindingStatus(stack, id) {
  const res = await fetch(`${stack.url}/v1/bindings/${id}`, { headers: { Authorization: `Bearer ${stack.token}` } });
  const body = await res.json();
  if (!res.ok) throw new Error(`GET /v1/bindings/${id} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

async function rowHistory(stack, table, key) {
  const res = await fetch(`${stack.url}/v1/tables/${table}/rows/${key}/history`, { headers: { Authorization: `Bearer ${stack.token}` } });
  const body = await res.json();
  if (!res.ok) throw new Error(`the history of ${table} row ${key} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Waits until the server has run a round for binding `id` that ended ok; answers the status. */
function firstRound(stack, id) {
  return eventually(`the server's first round of binding ${id}`, async () => {
    const s = await bindingStatus(stack, id);
    return { ok: !!(s.lastRound && s.lastRound.ok), seen: s };
  });
}

/** Rows in `table`, a sheet the add-on syncs with them, handed to the server. */
async function handedToServer(ctx, table, rows) {
  const { stack, api } = ctx;
  for (const [name, qty] of rows) await stack.sql(`INSERT INTO ${table} (name, qty) VALUES (?, ?)`, [name, qty]);
  const emu = addonEmulator();
  api.share(emu);
  await connectAndBind(emu, stack, table);
  await emu.run('setAutoSync', true);
  await emu.run('syncNow', {});
  assert.deepEqual(sheetRows(emu), await tableRows(stack, table), 'the add-on synced the sheet');
  const state = await emu.run('switchSyncMode', 'server');
  assert.equal(state.mode, 'server');
  const id = await bindingId(stack, emu);
  const status = await firstRound(stack, id);
  return { emu, id, status };
}

/** Requests the add-on made since `from`, as "METHOD /path". */
function requestsSince(emu, from) {
  return emu.stats.requests.slice(from).map((r) => `${String(r.method).toUpperCase()} ${new URL(r.url).pathname}${new URL(r.url).search}`);
}

for (const backend of backends()) {
  describe(`server mode end to end on ${backend}`, () => {
    const ctx = {};
    before(async () => {
      ctx.api = await openSheetsApi();
      ctx.stack = await openStack(backend, { label: `server-mode-${backend}`, tables: TABLES, serveArgs: ctx.api.serveArgs });
    });
    after(async () => {
      if (ctx.stack) await ctx.stack.close();
      if (ctx.api) await ctx.api.close();
    });

    test('handed to the server with no resync, SQL writers reach the sheet and a person\'s edit reaches the table', async () => {
      const { stack, api } = ctx;
      const { emu, id, status } = await handedToServer(ctx, 'handed', [['Ada', 1], ['Grace', 2], ['Linus', 3]]);
      const spreadsheet = emu.spreadsheet.id;
      assert.equal(status.lastRound.sheetWrites, 0, 'the first round found nothing to write');
      assert.equal(status.lastRound.databaseWrites, 0);
      assert.deepEqual(api.writes(spreadsheet), [], 'no write call reached the sheet: no full resync');
      assert.ok(api.calls(spreadsheet).length > 0, 'the server read the sheet');

      // Another application writes; nobody runs the add-on.
      const quiet = emu.stats.requests.length;
      await stack.sql("INSERT INTO handed (name, qty) VALUES ('Barbara', 4)");
      await stack.sql("UPDATE handed SET qty = 20 WHERE name = 'Grace'");
      await stack.sql("DELETE FROM handed WHERE name = 'Linus'");
      const rows = await sheetsEqualTable('the SQL writes in the sheet', stack, 'handed', [emu]);
      assert.deepEqual(rows.table.map((r) => r.slice(1)), [['Ada', 1], ['Grace', 20], ['Barbara', 4]]);
      assert.deepEqual(requestsSince(emu, quiet), [], 'the add-on made no request');

      // A person's edit: the edit trigger pokes the server, which reads the sheet and pushes.
      const ada = rows.table.find((r) => r[1] === 'Ada')[0];
      const from = emu.stats.requests.length;
      assertTriggersOk(await emu.user.editCell('Sheet1', `C${rowOf(emu, ada)}`, 11));
      assert.deepEqual(requestsSince(emu, from), [`POST /v1/bindings/${id}/poke`], 'one poke, no sync');
      await eventually('the person\'s edit in the table', async () => {
        const t = await tableRows(stack, 'handed');
        return { ok: t.find((r) => r[0] === ada)[2] === 11, seen: t };
      });
      await sheetsEqualTable('the sheet and the table after the edit', stack, 'handed', [emu]);
      assert.equal(pushesSince(emu, 0).length, 0, 'every push since the switch was the server\'s');
    });

    test('a person edits rows while SQL writes other rows and other cells of the same rows: no edit lost', async () => {
      const { stack } = ctx;
      const start = Array.from({ length: 6 }, (_, i) => [`row ${i + 1}`, i + 1]);
      const { emu } = await handedToServer(ctx, 'busy', start);
      const ids = (await tableRows(stack, 'busy')).map((r) => r[0]);

      // Google answers in a few hundred milliseconds: a round a poke starts reads the sheet,
      // and only then the database, so it meets the SQL written meanwhile to the same rows
      // and merges both sides of a row in one round, and its writes land between edits.
      ctx.api.standIn.latencyMs = 150;
      try {
        // Rows 1–4: the person renames each while SQL sets its qty; rows 5–6: SQL alone.
        for (let i = 0; i < 4; i++) {
          assertTriggersOk(await emu.user.editCell('Sheet1', `B${rowOf(emu, ids[i])}`, `typed ${i + 1}`));
          await stack.sql('UPDATE busy SET qty = ? WHERE id = ?', [100 + i, ids[i]]);
          await stack.sql('UPDATE busy SET name = ?, qty = ? WHERE id = ?', [`sql ${i}`, 200 + i, ids[4 + (i % 2)]]);
        }
        await sheetsEqualTable('the sheet and the table agree', stack, 'busy', [emu]);
        assert.deepEqual((await tableRows(stack, 'busy')).map((r) => r.slice(1)), [
          ['typed 1', 100], ['typed 2', 101], ['typed 3', 102], ['typed 4', 103], ['sql 2', 202], ['sql 3', 203],
        ]);

        // One cell changed on both sides: the person's 999, then, while the round the poke
        // started reads the sheet, the database's 555. Under the default policy the database
        // wins, and the sheet's value is kept in the row's history.
        assertTriggersOk(await emu.user.editCell('Sheet1', `C${rowOf(emu, ids[0])}`, 999));
        await stack.sql('UPDATE busy SET qty = 555 WHERE id = ?', [ids[0]]);
        await sheetsEqualTable('the sheet and the table agree after the conflict', stack, 'busy', [emu]);
      } finally {
        ctx.api.standIn.latencyMs = 0;
      }
      const table = await tableRows(stack, 'busy');
      assert.deepEqual(table[0].slice(1), ['typed 1', 555]);
      const history = await rowHistory(stack, 'busy', ids[0]);
      const lost = history.overrides.filter((o) => o.column === 'qty');
      assert.deepEqual(lost.map((o) => [o.value, o.winning_value, o.policy]), [[999, 555, 'database-wins']], JSON.stringify(history.overrides));
    });

    test('one table, a sheet in server mode and a sheet in add-on mode: both equal the table', async () => {
      const { stack, api } = ctx;
      const { emu: serverSheet } = await handedToServer(ctx, 'shared', [['Ada', 1], ['Grace', 2], ['Linus', 3]]);
      const addonSheet = addonEmulator();
      api.share(addonSheet);
      await connectAndBind(addonSheet, stack, 'shared');
      await addonSheet.run('setAutoSync', true);
      await addonSheet.run('syncNow', {});
      const ids = (await tableRows(stack, 'shared')).map((r) => r[0]);

      // The server-mode sheet's edit reaches the table by its poke; what comes after reaches
      // that sheet only through the change feed, which wakes the server.
      assertTriggersOk(await serverSheet.user.editCell('Sheet1', `B${rowOf(serverSheet, ids[0])}`, 'Ada L.'));
      await eventually('the server-mode sheet\'s edit in the table', async () => {
        const t = await tableRows(stack, 'shared');
        return { ok: t[0][1] === 'Ada L.', seen: t };
      });
      assertTriggersOk(await addonSheet.user.editCell('Sheet1', `C${rowOf(addonSheet, ids[1])}`, 22));
      await stack.sql('UPDATE shared SET name = ? WHERE id = ?', ['Linus T.', ids[2]]);
      await stack.sql("INSERT INTO shared (name, qty) VALUES ('Barbara', 4)");

      // The add-on syncs its sheet (as its timer would), the server its own on every change.
      const { table } = await sheetsEqualTable('both sheets equal the table', stack, 'shared', [serverSheet, addonSheet], () => addonSheet.run('syncNow', {}));
      assert.deepEqual(table.map((r) => r.slice(1)), [['Ada L.', 1], ['Grace', 22], ['Linus T.', 3], ['Barbara', 4]]);
    });

    test('an edit made as the server takes the sheet over is pushed, not settled as a conflict: the base came along', async () => {
      const { stack, api } = ctx;
      await stack.sql("INSERT INTO early (name, qty) VALUES ('Ada', 1), ('Grace', 2)");
      const emu = addonEmulator();
      api.share(emu);
      await connectAndBind(emu, stack, 'early');
      await emu.run('setAutoSync', true);
      await emu.run('syncNow', {});
      assert.equal((await emu.run('switchSyncMode', 'server')).mode, 'server');
      // Before the server's first round: the sheet has changed since the base and the table
      // has not, so that round pushes the edit. Without the base a first round would find the
      // two sides differ with nothing to tell which changed, and the database would win.
      const grace = (await tableRows(stack, 'early')).find((r) => r[1] === 'Grace')[0];
      assertTriggersOk(await emu.user.editCell('Sheet1', `C${rowOf(emu, grace)}`, 7));
      const status = await firstRound(stack, await bindingId(stack, emu));
      await sheetsEqualTable('the edit in the table', stack, 'early', [emu]);
      assert.deepEqual((await tableRows(stack, 'early')).map((r) => r.slice(1)), [['Ada', 1], ['Grace', 7]]);
      assert.equal(status.conflicts, 0);
      assert.deepEqual(api.writes(emu.spreadsheet.id), [], 'nothing written into the sheet');
    });

    test('back to the add-on: it goes on from the server\'s base with no resync, and a later edit syncs', async () => {
      const { stack } = ctx;
      const { emu } = await handedToServer(ctx, 'back', [['Ada', 1], ['Grace', 2]]);
      await stack.sql("UPDATE back SET qty = 9 WHERE name = 'Grace'");
      await sheetsEqualTable('the server wrote the update into the sheet', stack, 'back', [emu]);

      const state = await emu.run('switchSyncMode', 'addon');
      assert.equal(state.mode, 'addon');
      assert.match(state.report.text, /from where the server left it/);
      assert.deepEqual(await stack.sql('SELECT id FROM sheetsync_bindings WHERE spreadsheet_id = ?', [emu.spreadsheet.id]), [], 'the server let the sheet go');

      const from = emu.stats.requests.length;
      const pushes = pushesSince(emu, 0).length;
      const report = await emu.run('syncNow', {});
      const asked = requestsSince(emu, from);
      assert.doesNotMatch(report.text, /failed/);
      assert.ok(asked.some((r) => r.startsWith('GET /v1/tables/back/changes?')), `the feed was read: ${asked.join('\n')}`);
      assert.ok(!asked.some((r) => r.startsWith('GET /v1/tables/back/rows')), `no full resync: ${asked.join('\n')}`);
      assert.equal(pushesSince(emu, 0).length, pushes, 'nothing to push: the server\'s base is the sheet');

      const grace = (await tableRows(stack, 'back')).find((r) => r[1] === 'Grace')[0];
      assertTriggersOk(await emu.user.editCell('Sheet1', `C${rowOf(emu, grace)}`, 12));
      assert.equal((await tableRows(stack, 'back')).find((r) => r[0] === grace)[2], 12, 'the add-on synced the edit itself');
      await stack.sql("UPDATE back SET name = 'Ada L.' WHERE name = 'Ada'");
      await emu.run('syncNow', {});
      assert.deepEqual(sheetRows(emu), await tableRows(stack, 'back'));
    });
  });
}
