'use strict';
// A 100,000-row table: the first sync copies it page by page across several executions (each
// one stops at its time budget, or is killed part-way through a page) while another
// application changes rows, and a large incremental sync runs across the execution limit (set
// low in the emulator, so each execution is killed part-way) and resumes where the last one
// stopped, applying every change exactly once. Figures are printed, never asserted.
// SHEETSYNC_E2E_ROWS changes the size.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind } = require('./harness/addon');
const { addonCursor, quietCursor } = require('./harness/feed');

const ROWS = Number(process.env.SHEETSYNC_E2E_ROWS || 100000);
const EDITED = Math.min(8000, ROWS);
const DB_CHANGED = Math.min(20000, ROWS);
// The limit is what a sync with nothing to do takes here, plus this much: too little for
// every push, enough for a few (SHEETSYNC_E2E_LIMIT_MS sets it outright).
const HEADROOM_MS = 8000;
/** Requests an execution may make before it is cut off: the reads plus a few pushes. */
const CUT_AFTER_FETCHES = 6;
/** What each request costs the add-on's clock during the first sync: a few pages fit in its budget. */
const SIMULATED_REQUEST_MS = 60 * 1000;
/** The add-on's page size (Sync.js): the first sync needs several executions past this many pages. */
const PAGE_ROWS = 5000;

/** Column values of the sheet, read from the model (a 100k-row getValues copy is slow). */
function column(emu, col) {
  const sheet = emu.spreadsheet.sheetByName('Sheet1');
  const out = [];
  for (let r = 2; r <= sheet.lastRow(); r++) {
    const v = emu.spreadsheet.valueAt(sheet, r, col);
    out.push(v === undefined ? '' : v);
  }
  return out;
}

/** The sheet's rows as `id → "name|qty"`, asserting that no key appears twice. */
function sheetRows(emu) {
  const ids = column(emu, 1);
  const names = column(emu, 2);
  const qtys = column(emu, 3);
  const out = new Map();
  ids.forEach((id, i) => {
    assert.ok(!out.has(String(id)), `key ${id} appears twice in the sheet`);
    out.set(String(id), `${names[i]}|${qtys[i] === '' ? null : qtys[i]}`);
  });
  return out;
}

/** The table's rows in the same form. */
async function tableRows(stack) {
  const rows = await stack.sql('SELECT id, name, qty FROM big ORDER BY id');
  return new Map(rows.map((r) => [String(r.id), `${r.name}|${r.qty === null ? null : Number(r.qty)}`]));
}

describe(`a ${ROWS}-row table (mariadb)`, () => {
  const stack = useStack('mariadb', { label: 'scale', tables: { big: ddl.table('big', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']) } });

  test('a first sync and an incremental sync across the execution limit resume in chunks and apply every change once', async (t) => {
    await stack.sql(`INSERT INTO big (name, qty) SELECT CONCAT('row ', seq), seq FROM seq_1_to_${ROWS}`);
    const emu = addonEmulator({ clock: 'real', executionTimeLimitMs: 6 * 60 * 1000 });
    await connectAndBind(emu, stack, 'big');

    // The first sync: every request takes a simulated minute of the add-on's clock, so each
    // execution copies a few pages and stops at its budget; the second one is killed just after
    // reading a page. Between the first two, another application changes rows on both sides of
    // the copy's place.
    let started = Date.now();
    const slow = emu.beforeServiceCall(({ call }) => {
      if (call === 'UrlFetchApp.fetch') emu.clock.move(SIMULATED_REQUEST_MS);
    });
    const firstRuns = [];
    let first = null;
    try {
      for (let run = 0; run < 40 && (!first || first.more); run++) {
        const runStarted = Date.now();
        const removeCut = run === 1 ? emu.failAfter({ urlFetchCalls: 2, message: 'killed after reading a page' }) : () => {};
        try {
          first = await emu.run('syncNow', {});
          firstRuns.push(`${Date.now() - runStarted} ms ${first.more ? `stopped at ${first.progress.done} rows` : 'done'}`);
        } catch (e) {
          assert.match(e.message, /killed after reading a page/);
          firstRuns.push(`${Date.now() - runStarted} ms killed`);
        } finally {
          removeCut();
        }
        if (run === 0) {
          await stack.sql(`UPDATE big SET name = 'changed while copying' WHERE id IN (10, ${ROWS - 10})`);
          await stack.sql(`DELETE FROM big WHERE id IN (20, ${ROWS - 20})`);
          await stack.sql("INSERT INTO big (name, qty) VALUES ('added while copying', 1)");
        }
      }
    } finally {
      slow();
    }
    t.diagnostic(`first sync of ${ROWS} rows: ${Date.now() - started} ms in ${firstRuns.length} executions: ${firstRuns.join(', ')}`);
    assert.equal(first.more, false, first.text);
    assert.match(first.text, /rows added to the sheet/);
    if (ROWS > 4 * PAGE_ROWS) {
      assert.match(firstRuns[0], /stopped at/, 'the first execution stopped at its budget');
      assert.match(firstRuns[1], /killed/);
      assert.ok(firstRuns.length > 3, 'the copy took several executions');
    }
    const table = await tableRows(stack);
    assert.deepEqual(sheetRows(emu), table, 'the sheet holds the table, each row once, with the changes made during the copy');
    assert.deepEqual(new Set(await emu.run('e2eBaseKeys')), new Set(table.keys()), 'the base knows every row');
    const ids = column(emu, 1);
    const tableSize = table.size;

    started = Date.now();
    assert.equal((await emu.run('syncNow', {})).text, 'Everything is in sync.');
    const idle = Date.now() - started;
    const limit = Number(process.env.SHEETSYNC_E2E_LIMIT_MS || idle + HEADROOM_MS);
    t.diagnostic(`a sync with nothing to do: ${idle} ms; the limit is now ${limit} ms`);

    // A person pastes new quantities over EDITED rows; then the limit is lowered so that no
    // execution can push them all, and the timer trigger's runs carry the sync on.
    const block = [];
    for (let i = 0; i < EDITED; i++) block.push([-(i + 1)]);
    await emu.user.pasteBlock('Sheet1', 'C2', block);
    emu.options.executionTimeLimitMs = limit;
    // So that this does not hang on the machine's speed, an execution is also cut off once it
    // has made CUT_AFTER_FETCHES requests: whichever comes first ends it uncatchably.
    const runs = [];
    for (let run = 0; run < 30; run++) {
      started = Date.now();
      const removeCut = emu.failAfter({ urlFetchCalls: CUT_AFTER_FETCHES, message: 'cut off after its requests' });
      try {
        const report = await emu.run('syncNow', {});
        runs.push(`${Date.now() - started} ms done`);
        if (!report.more) break;
      } catch (e) {
        assert.match(e.message, /Exceeded maximum execution time|cut off after its requests/);
        runs.push(`${Date.now() - started} ms ${/Exceeded/.test(e.message) ? 'timed out' : 'cut off'}`);
      } finally {
        removeCut();
      }
    }
    t.diagnostic(`${EDITED} sheet edits under a ${limit} ms limit: ${runs.join(', ')}`);
    assert.ok(runs.length > 1, 'the sync needed more than one execution');
    assert.doesNotMatch(runs[0], /done/, 'the first execution hit the limit');
    assert.match(runs.at(-1), /done/);
    const [{ n }] = await stack.sql('SELECT COUNT(*) AS n FROM big');
    assert.equal(Number(n), tableSize, 'no row was added or lost');
    const pushed = await stack.sql('SELECT id, qty FROM big WHERE qty < 0');
    const want = new Map(ids.slice(0, EDITED).map((id, i) => [String(id), -(i + 1)]));
    assert.equal(pushed.length, EDITED, 'every edit arrived');
    assert.ok(pushed.every((r) => want.get(String(r.id)) === Number(r.qty)), 'each edit arrived at its row, unchanged');

    // The database changes many rows at once; the next sync reads the feed in pages.
    emu.options.executionTimeLimitMs = 6 * 60 * 1000;
    const [{ renamed }] = await stack.sql(`SELECT COUNT(*) AS renamed FROM big WHERE id > ${ROWS - DB_CHANGED}`);
    await stack.sql(`UPDATE big SET name = CONCAT('renamed ', id) WHERE id > ${ROWS - DB_CHANGED}`);
    // The server stamps a large commit into the feed over a moment; wait until it has.
    await quietCursor(stack, 'big', await addonCursor(emu));
    started = Date.now();
    const incremental = await emu.run('syncNow', {});
    t.diagnostic(`incremental sync of ${DB_CHANGED} database changes: ${Date.now() - started} ms`);
    assert.match(incremental.text, new RegExp(`${Number(renamed)} rows updated in the sheet`));
    const names = column(emu, 2);
    assert.equal(names.filter((v) => String(v).startsWith('renamed ')).length, Number(renamed));
    assert.equal(column(emu, 3).filter((v) => v < 0).length, EDITED, 'the sheet kept the pushed edits');
  });
});
