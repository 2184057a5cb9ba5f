'use strict';
// A 100,000-row table: the first sync fills the sheet in pages, and a large incremental sync
// runs across the execution limit (set low in the emulator, so each execution is killed
// part-way) and resumes where the last one stopped, applying every change exactly once.
// Figures are printed, never asserted. SHEETSYNC_E2E_ROWS changes the size.

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

describe(`a ${ROWS}-row table (mariadb)`, () => {
  const stack = useStack('mariadb', { label: 'scale', tables: { big: ddl.table('big', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']) } });

  test('a first sync and an incremental sync across the execution limit resume in chunks and apply every change once', async (t) => {
    await stack.sql(`INSERT INTO big (name, qty) SELECT CONCAT('row ', seq), seq FROM seq_1_to_${ROWS}`);
    const emu = addonEmulator({ clock: 'real', executionTimeLimitMs: 6 * 60 * 1000 });
    await connectAndBind(emu, stack, 'big');

    let started = Date.now();
    const first = await emu.run('syncNow', {});
    t.diagnostic(`first sync of ${ROWS} rows: ${Date.now() - started} ms`);
    assert.match(first.text, new RegExp(`${ROWS} rows added to the sheet`));
    const ids = column(emu, 1);
    assert.equal(ids.length, ROWS);
    assert.equal(new Set(ids).size, ROWS, 'every key once');

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
    assert.equal(Number(n), ROWS, 'no row was added or lost');
    const pushed = await stack.sql('SELECT id, qty FROM big WHERE qty < 0');
    const want = new Map(ids.slice(0, EDITED).map((id, i) => [String(id), -(i + 1)]));
    assert.equal(pushed.length, EDITED, 'every edit arrived');
    assert.ok(pushed.every((r) => want.get(String(r.id)) === Number(r.qty)), 'each edit arrived at its row, unchanged');

    // The database changes many rows at once; the next sync reads the feed in pages.
    emu.options.executionTimeLimitMs = 6 * 60 * 1000;
    await stack.sql(`UPDATE big SET name = CONCAT('renamed ', id) WHERE id > ${ROWS - DB_CHANGED}`);
    // The server stamps a large commit into the feed over a moment; wait until it has.
    await quietCursor(stack, 'big', await addonCursor(emu));
    started = Date.now();
    const incremental = await emu.run('syncNow', {});
    t.diagnostic(`incremental sync of ${DB_CHANGED} database changes: ${Date.now() - started} ms`);
    assert.match(incremental.text, new RegExp(`${DB_CHANGED} rows updated in the sheet`));
    const names = column(emu, 2);
    assert.equal(names.filter((v) => String(v).startsWith('renamed ')).length, DB_CHANGED);
    assert.equal(column(emu, 3).filter((v) => v < 0).length, EDITED, 'the sheet kept the pushed edits');
  });
});
