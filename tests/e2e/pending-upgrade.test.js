'use strict';
// A batch the earlier add-on saved and never saw answered is still sent again after the add-on
// is updated, under the same batch id, and its answer written back: nothing inserted twice,
// nothing dropped. The batch is saved in the earlier shape by e2e/support/OldPendingBatch.js.
// Run: cd tests && node --test e2e/

const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');
const { useFakeServer, cells } = require('./harness/fakeStack');

const { control, boundSheet } = useFakeServer();
const OLD_BATCH = path.join(__dirname, 'support', 'OldPendingBatch.js');

for (const withNewRows of [true, false]) {
  const what = withNewRows ? 'with its new rows recorded' : 'saved before new rows were recorded';
  test(`a pending batch in the earlier shape (${what}) is sent again and applied once`, async () => {
    const emu = await boundSheet({ extraFiles: [OLD_BATCH] });
    const sheetId = emu.spreadsheet.sheetByName('Sheet1').id;
    await emu.user.editCell('Sheet1', 'B2', 'Ada Lovelace');
    await emu.user.pasteBlock('Sheet1', 'A4', [['', 'Barbara', 4]]);
    // The execution dies after the push is answered, before the answer is written back.
    emu.failAfter({ urlFetchCalls: 3 });
    await assert.rejects(emu.run('syncNow', {}));
    const crashed = await control('/test/state');
    assert.equal(crashed.rows.filter((r) => r[1] === 'Barbara').length, 1, 'the push got through');
    assert.equal(cells(emu)[3][0], '', 'no key was written back yet');

    const old = await emu.run('e2eSaveAsOldBatch', sheetId, withNewRows);
    assert.equal(old.request.changes.length, 2);
    const report = await emu.run('syncNow', {});

    const state = await control('/test/state');
    assert.equal(state.pushes, crashed.pushes + 1, 'the saved batch was sent again');
    assert.equal(state.rows.filter((r) => r[1] === 'Barbara').length, 1, 'inserted exactly once');
    assert.equal(state.rows.find((r) => r[0] === 1)[1], 'Ada Lovelace', 'the edit is in');
    const key = state.rows.find((r) => r[1] === 'Barbara')[0];
    assert.equal(cells(emu)[3][0], key, 'its key was written back');
    assert.equal(cells(emu).filter((r) => r[1] === 'Barbara').length, 1);
    assert.equal(report.problems ? report.problems.length : 0, 0, JSON.stringify(report.problems));
    assert.equal(await emu.run('storePendingBatch_', sheetId), null, 'the batch is forgotten');
  });
}
