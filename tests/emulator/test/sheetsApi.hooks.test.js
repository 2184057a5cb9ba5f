'use strict';
// The Sheets API stand-in's hooks that are not Google's: a person's edit applied right after
// a later read, to make an edit between a client's read and its write deterministic.

const test = require('node:test');
const assert = require('node:assert');
const { startStandIn, enc } = require('../support/sheetsApi');

const arm = (s, edit) =>
  fetch(`${s.standIn.url}/__standin/edit-after-read`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ spreadsheetId: s.emu.spreadsheet.id, ...edit }),
  });
const state = async (s) => (await fetch(`${s.standIn.url}/__standin/edit-after-read`)).json();
const read = async (s, a1) => (await s.api('GET', `/values/${enc(a1)}?valueRenderOption=UNFORMATTED_VALUE`)).body.values;

test('an edit armed after the second read lands after that read is answered, before the next call', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.api('POST', '/values:batchUpdate', { valueInputOption: 'RAW', data: [{ range: 'Sheet1!A1:B1', values: [['id', 'name']] }, { range: 'Sheet1!A2:B2', values: [[1, 'Ann']] }] });
  const armed = await arm(s, { range: 'Sheet1!B2', values: [['Annie']], afterReads: 2 });
  assert.strictEqual(armed.status, 200);
  assert.deepStrictEqual(await armed.json(), { waiting: 1, applied: 0, failed: [] });

  assert.deepStrictEqual(await read(s, 'Sheet1!A2:B2'), [[1, 'Ann']], 'the first read sees the sheet as it was');
  const second = await s.api('GET', `/values:batchGet?ranges=${enc('Sheet1!B2')}&valueRenderOption=UNFORMATTED_VALUE`);
  assert.deepStrictEqual(second.body.valueRanges[0].values, [['Ann']], 'the second read is answered before the edit');
  assert.deepStrictEqual(await state(s), { waiting: 0, applied: 1, failed: [] });
  assert.deepStrictEqual(await read(s, 'Sheet1!B2'), [['Annie']], 'the next call sees the edit');
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'B2'), [['Annie']], 'as SpreadsheetApp does');
});

test('writes do not count as reads, and an edit is typed as a person types it by default', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await arm(s, { range: 'Sheet1!A1', values: [['007']] });
  await s.api('POST', '/values:batchUpdate', { valueInputOption: 'RAW', data: [{ range: 'Sheet1!B1', values: [['x']] }] });
  assert.deepStrictEqual(await state(s), { waiting: 1, applied: 0, failed: [] });
  await read(s, 'Sheet1!B1');
  assert.deepStrictEqual(await read(s, 'Sheet1!A1'), [[7]], 'USER_ENTERED reads 007 as a number');
  await arm(s, { range: 'Sheet1!A1', values: [['007']], valueInputOption: 'RAW' });
  await read(s, 'Sheet1!B1');
  assert.deepStrictEqual(await read(s, 'Sheet1!A1'), [['007']]);
});

test('an edit that could not be applied is refused when armed, saying which field is wrong', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const cases = [
    [{ range: 'Nowhere!A1', values: [['x']] }, /range: /],
    [{ range: 'Sheet1!A1', values: ['x'] }, /values must be an array of rows/],
    [{ range: 'Sheet1!A1', values: [['x']], afterReads: 0 }, /afterReads must be a whole number from 1, got 0/],
    [{ range: 'Sheet1!A1', values: [['x']], valueInputOption: 'PARSED' }, /valueInputOption must be RAW or USER_ENTERED/],
    [{ spreadsheetId: 'nope', range: 'Sheet1!A1', values: [['x']] }, /spreadsheetId: the stand-in serves no spreadsheet "nope"/],
  ];
  for (const [edit, message] of cases) {
    const res = await arm(s, edit);
    assert.strictEqual(res.status, 400, JSON.stringify(edit));
    assert.match((await res.json()).error, message);
  }
  const notJson = await fetch(`${s.standIn.url}/__standin/edit-after-read`, { method: 'POST', body: '{' });
  assert.strictEqual(notJson.status, 400);
  assert.deepStrictEqual(await state(s), { waiting: 0, applied: 0, failed: [] });
  const stats = await (await fetch(`${s.standIn.url}/__standin/stats`)).json();
  assert.strictEqual(stats.requests, 0, 'the hook is not counted as an API call');
});
