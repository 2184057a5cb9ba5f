'use strict';
// The add-on's entry points (menu items, installable triggers, google.script.run calls) under
// both readings of what Google leaves undocumented: whether an execution waits for a Promise
// its function returns, and whether the runtime compiles the core's module synchronously. The
// entry points run the sync to its end before they return where the compile is synchronous,
// and hand back a Promise only where it is not (which the platform must then wait for).

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { useFakeServer, cells } = require('./harness/fakeStack');

const fake = useFakeServer();

const RUNTIMES = [
  { name: 'Promises dropped, synchronous compile', returnedPromises: 'dropped', syncWasmCompile: true },
  { name: 'Promises awaited, synchronous compile', returnedPromises: 'awaited', syncWasmCompile: true },
  { name: 'Promises awaited, no synchronous compile', returnedPromises: 'awaited', syncWasmCompile: false },
];

for (const runtime of RUNTIMES) {
  const { name, ...options } = runtime;
  describe(name, () => {
    test('Sync now in the menu syncs and its toast tells what happened', async () => {
      const emu = await fake.boundSheet(options);
      await emu.user.open();
      await emu.user.editCell('Sheet1', 'B2', 'Ada Lovelace');
      await emu.user.chooseMenuItem('Sync now');
      const db = await fake.control('/test/state');
      assert.equal(db.rows.find((r) => r[0] === 1)[1], 'Ada Lovelace');
      const toast = emu.ui.toasts.at(-1);
      assert.ok(toast, 'a toast was shown');
      assert.match(toast.message, /1 updated in the database/);
      assert.equal(emu.executions.at(-1).status, 'completed');
    });

    test('an installable onEdit pushes the edit before its execution ends', async () => {
      const emu = await fake.boundSheet(options);
      await emu.run('setAutoSync', true);
      const outcomes = await emu.user.editCell('Sheet1', 'C3', 7);
      assert.ok(outcomes.every((o) => o.status === 'completed'), JSON.stringify(outcomes));
      const db = await fake.control('/test/state');
      assert.equal(db.rows.find((r) => r[0] === 2)[2], 7);
    });

    test('the time-driven trigger brings a database change into the sheet', async () => {
      const emu = await fake.boundSheet(options);
      await emu.run('setAutoSync', true);
      await fake.control('/test/write', { id: 2, qty: 9 });
      await emu.clock.advance(61 * 60 * 1000);
      assert.equal(cells(emu)[2][2], 9);
    });

    test('the sidebar\'s Sync call answers the report', async () => {
      const emu = await fake.boundSheet(options);
      await emu.user.editCell('Sheet1', 'B3', 'Grace Hopper');
      const report = await emu.scriptRun('syncNow', [{ dryRun: false }]);
      assert.match(report.text, /1 updated in the database/);
      const db = await fake.control('/test/state');
      assert.equal(db.rows.find((r) => r[0] === 2)[1], 'Grace Hopper');
    });
  });
}
