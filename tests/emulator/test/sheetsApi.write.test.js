'use strict';
// The Sheets API stand-in: writing values (values.update, values.batchUpdate, values.append),
// and one spreadsheet seen through REST and SpreadsheetApp alike.

const test = require('node:test');
const assert = require('node:assert');
const { startStandIn, enc } = require('../support/sheetsApi');

const batch = (valueInputOption, data) => ({ valueInputOption, data });

test('RAW stores strings as text, even ones that look like numbers, booleans, dates or formulas', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('POST', '/values:batchUpdate', batch('RAW', [{ range: 'Sheet1!A1:F1', values: [['007', 'TRUE', '2024-01-02', '=1+2', "'x", 5]] }]));
  assert.strictEqual(res.status, 200);
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1:F1'), [['007', 'TRUE', '2024-01-02', '=1+2', "'x", 5]]);
  assert.deepStrictEqual(await s.emu.run('readFormulas', 'Sheet1', 'D1'), [['']]);
});

test('USER_ENTERED parses strings as typed in the UI: numbers, dates, booleans, formulas; a leading apostrophe keeps text', async (t) => {
  const s = await startStandIn({ emulator: { timeZone: 'Europe/Berlin' } });
  t.after(s.close);
  await s.api('POST', '/values:batchUpdate', batch('USER_ENTERED', [{ range: 'Sheet1!A1:F1', values: [['007', 'true', '2024-07-01 12:30', '=A1*2', "'007", 1.5]] }]));
  const [[num, bool, date, formula, text, plain]] = await s.emu.run('readValues', 'Sheet1', 'A1:F1');
  assert.strictEqual(num, 7);
  assert.strictEqual(bool, true);
  assert.ok(date instanceof Date);
  assert.strictEqual(date.toISOString(), '2024-07-01T10:30:00.000Z'); // Berlin is UTC+2 in summer
  assert.strictEqual(formula, 14);
  assert.strictEqual(text, '007');
  assert.strictEqual(plain, 1.5);
  assert.deepStrictEqual(await s.emu.run('readFormulas', 'Sheet1', 'D1'), [['=A1*2']]);
});

test('numbers and booleans stay typed under both input options', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.api('PUT', `/values/${enc('Sheet1!A1:B1')}?valueInputOption=RAW`, { values: [[0.1, false]] });
  await s.api('PUT', `/values/${enc('Sheet1!A2:B2')}?valueInputOption=USER_ENTERED`, { values: [[12345678901234, true]] });
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1:B2'), [[0.1, false], [12345678901234, true]]);
});

test('null leaves a cell as it is and "" empties it', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['keep', 'clear', 'old']]);
  await s.api('PUT', `/values/${enc('Sheet1!A1:C1')}?valueInputOption=RAW`, { values: [[null, '', 'new']] });
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1:C1'), [['keep', '', 'new']]);
});

test('values.update answers with the range and counts it wrote', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('PUT', `/values/${enc('Sheet1!B2:D9')}?valueInputOption=RAW`, { values: [['a', 'b'], ['c']] });
  assert.deepStrictEqual(res.body, { spreadsheetId: s.emu.spreadsheet.id, updatedRange: 'Sheet1!B2:C3', updatedRows: 2, updatedColumns: 2, updatedCells: 3 });
});

test('majorDimension COLUMNS on input: [[1,2],[3,4]] into A1:B2 sets A1=1, B1=3, A2=2, B2=4', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.api('PUT', `/values/${enc('Sheet1!A1:B2')}?valueInputOption=RAW`, { majorDimension: 'COLUMNS', values: [[1, 2], [3, 4]] });
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1:B2'), [[1, 3], [2, 4]]);
});

test('a single cell or a sheet name is where the data starts; a block is a bound the data may not pass', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  assert.strictEqual((await s.api('PUT', `/values/${enc('Sheet1!B2')}?valueInputOption=RAW`, { values: [[1, 2], [3, 4]] })).body.updatedRange, 'Sheet1!B2:C3');
  assert.strictEqual((await s.api('PUT', '/values/Sheet1?valueInputOption=RAW', { values: [['x']] })).body.updatedRange, 'Sheet1!A1');
  const tooWide = await s.api('PUT', `/values/${enc('Sheet1!A5:B5')}?valueInputOption=RAW`, { values: [[1, 2, 3]] });
  assert.strictEqual(tooWide.status, 400);
  assert.strictEqual(tooWide.body.error.message, 'Requested writing within range [Sheet1!A5:B5], but tried writing to column [C]');
  const tooTall = await s.api('PUT', `/values/${enc('Sheet1!A5:B5')}?valueInputOption=RAW`, { values: [[1], [2]] });
  assert.strictEqual(tooTall.body.error.message, 'Requested writing within range [Sheet1!A5:B5], but tried writing to row [6]');
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A5:C6'), [['', '', ''], ['', '', '']]);
});

test('a write past the grid is 400 "exceeds grid limits" and writes nothing', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('PUT', `/values/${enc('Sheet1!A999')}?valueInputOption=RAW`, { values: [['a'], ['b'], ['c']] });
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error.message, 'Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26');
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A999:A1000'), [[''], ['']]);
});

test('a write without valueInputOption is refused', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('POST', '/values:batchUpdate', { data: [{ range: 'A1', values: [[1]] }] });
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error.message, 'Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED');
});

test('values.batchUpdate is atomic: one bad ValueRange and nothing is written, the error naming it', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('POST', '/values:batchUpdate', batch('RAW', [
    { range: 'Sheet1!A1', values: [['first']] },
    { range: 'Missing!A1', values: [['second']] },
  ]));
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error.message, 'Invalid data[1]: Unable to parse range: Missing!A1');
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1'), [['']]);
});

test('values.batchUpdate writes every range and answers with totals and one response each', async (t) => {
  const s = await startStandIn({ emulator: { sheets: ['One', 'Two'] } });
  t.after(s.close);
  const res = await s.api('POST', '/values:batchUpdate', batch('RAW', [
    { range: 'One!A1:B1', values: [['a', 'b']] },
    { range: 'Two!C3', values: [['c'], ['d']] },
  ]));
  assert.deepStrictEqual(res.body, {
    spreadsheetId: s.emu.spreadsheet.id,
    totalUpdatedRows: 3, totalUpdatedColumns: 3, totalUpdatedCells: 4, totalUpdatedSheets: 2,
    responses: [
      { spreadsheetId: s.emu.spreadsheet.id, updatedRange: 'One!A1:B1', updatedRows: 1, updatedColumns: 2, updatedCells: 2 },
      { spreadsheetId: s.emu.spreadsheet.id, updatedRange: 'Two!C3:C4', updatedRows: 2, updatedColumns: 1, updatedCells: 2 },
    ],
  });
});

test('a value that is not a string, number, boolean or null is refused with its position', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('PUT', '/values/A1?valueInputOption=RAW', { values: [[1, { nested: true }]] });
  assert.strictEqual(res.status, 400);
  assert.match(res.body.error.message, /values\[0\]\[1\]/);
});

test('a cell takes 50,000 characters and refuses one more', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  assert.strictEqual((await s.api('PUT', '/values/A1?valueInputOption=RAW', { values: [['x'.repeat(50000)]] })).status, 200);
  const res = await s.api('PUT', '/values/A2?valueInputOption=RAW', { values: [['x'.repeat(50001)]] });
  assert.strictEqual(res.status, 400);
  assert.match(res.body.error.message, /maximum of 50000 characters/);
});

test('values.append writes below the table the range finds and answers with the table range', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['id', 'name'], ['1', 'Ada']]);
  const res = await s.api('POST', `/values/${enc('Sheet1!A1:B1')}:append?valueInputOption=USER_ENTERED`, { values: [['2', 'Bob']] });
  assert.deepStrictEqual(res.body, {
    spreadsheetId: s.emu.spreadsheet.id,
    tableRange: 'Sheet1!A1:B2',
    updates: { spreadsheetId: s.emu.spreadsheet.id, updatedRange: 'Sheet1!A3:B3', updatedRows: 1, updatedColumns: 2, updatedCells: 2 },
  });
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A3:B3'), [[2, 'Bob']]);
});

test('values.append adds rows at the end of the sheet when the data needs them', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.editCell('Sheet1', 'A1000', 'last');
  const res = await s.api('POST', '/values/Sheet1:append?valueInputOption=RAW', { values: [['x'], ['y']] });
  assert.strictEqual(res.body.updates.updatedRange, 'Sheet1!A1001:A1002');
  assert.strictEqual(await s.emu.run('maxRows', 'Sheet1'), 1002);
});

test('values.append with INSERT_ROWS inserts rows for the data instead of writing over what is below', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['a'], ['b'], [''], ['below']]);
  await s.api('POST', `/values/${enc('Sheet1!A1:A2')}:append?valueInputOption=RAW&insertDataOption=INSERT_ROWS`, { values: [['new']] });
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1:A5'), [['a'], ['b'], ['new'], [''], ['below']]);
  assert.strictEqual(await s.emu.run('maxRows', 'Sheet1'), 1001);
});

test('a REST write is what SpreadsheetApp reads next, and fires no onEdit trigger', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.api('PUT', `/values/${enc('Sheet1!A1')}?valueInputOption=USER_ENTERED`, { values: [['hello']] });
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1'), [['hello']]);
  assert.strictEqual(await s.emu.run('edited'), null);
  await s.emu.user.editCell('Sheet1', 'B1', 'typed');
  assert.strictEqual(await s.emu.run('edited'), 'B1');
});

test('a person\'s edit and a script\'s write are what REST reads next', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.editCell('Sheet1', 'A1', '42');
  await s.emu.run('writeValues', 'Sheet1', 'B1', [['from script']]);
  const res = await s.api('GET', `/values/${enc('Sheet1!A1:B1')}?valueRenderOption=UNFORMATTED_VALUE`);
  assert.deepStrictEqual(res.body.values, [[42, 'from script']]);
});

test('a body that is not a ValueRange, or names another range than the URL, is refused and writes nothing', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const notObject = await s.api('PUT', '/values/A1?valueInputOption=RAW', [[1]]);
  assert.strictEqual(notObject.status, 400);
  const otherRange = await s.api('PUT', '/values/A1?valueInputOption=RAW', { range: 'Sheet1!B1', values: [[1]] });
  assert.strictEqual(otherRange.status, 400);
  assert.match(otherRange.body.error.message, /not the range in the URL/);
  const sameRange = await s.api('PUT', '/values/A1?valueInputOption=RAW', { range: 'Sheet1!A1', values: [[1]] });
  assert.strictEqual(sameRange.status, 200);
  const nullData = await s.api('POST', '/values:batchUpdate', { valueInputOption: 'RAW', data: [null] });
  assert.strictEqual(nullData.status, 400);
  const brokenEscape = await fetch(`${s.standIn.url}/v4/spreadsheets/${s.emu.spreadsheet.id}/values/A%E0`, { headers: { Authorization: `Bearer ${await s.token()}` } });
  assert.strictEqual(brokenEscape.status, 400);
  const badJson = await fetch(`${s.standIn.url}/v4/spreadsheets/${s.emu.spreadsheet.id}/values:batchUpdate`, { method: 'POST', headers: { Authorization: `Bearer ${await s.token()}` }, body: '{not json' });
  assert.strictEqual(badJson.status, 400);
  assert.match((await badJson.json()).error.message, /^Invalid JSON payload received\./);
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1:B1'), [[1, '']]);
});
