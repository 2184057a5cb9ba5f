'use strict';
// The Sheets API stand-in: reading values (spreadsheets.values.get and batchGet).

const test = require('node:test');
const assert = require('node:assert');
const { startStandIn, enc } = require('../support/sheetsApi');

test('values.get renders FORMATTED_VALUE by default: the text each cell shows', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['12.5', 'TRUE', '3/4/2024', '12%', '=A1*2']]);
  const res = await s.api('GET', `/values/${enc('Sheet1!A1:E1')}`);
  assert.strictEqual(res.status, 200);
  assert.deepStrictEqual(res.body, { range: 'Sheet1!A1:E1', majorDimension: 'ROWS', values: [['12.5', 'TRUE', '3/4/2024', '12%', '25']] });
});

test('values.get UNFORMATTED_VALUE gives calculated values with their types', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['12.5', 'TRUE', 'text', '=A1*2']]);
  const res = await s.api('GET', `/values/${enc('Sheet1!A1:D1')}?valueRenderOption=UNFORMATTED_VALUE`);
  assert.deepStrictEqual(res.body.values, [[12.5, true, 'text', 25]]);
});

test('values.get FORMULA gives the formula where a cell has one and the value elsewhere', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['2', '=A1*2', 'x']]);
  const res = await s.api('GET', `/values/${enc('Sheet1!A1:C1')}?valueRenderOption=FORMULA`);
  assert.deepStrictEqual(res.body.values, [[2, '=A1*2', 'x']]);
});

test('dates read as serial numbers by default (days since 1899-12-30, the time as a fraction)', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['1900-01-01 12:00', '1900-02-01 15:00']]);
  const res = await s.api('GET', `/values/${enc('Sheet1!A1:B1')}?valueRenderOption=UNFORMATTED_VALUE`);
  assert.deepStrictEqual(res.body.values, [[2.5, 33.625]]);
  const serial = await s.api('GET', `/values/${enc('Sheet1!A1:B1')}?valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=SERIAL_NUMBER`);
  assert.deepStrictEqual(serial.body.values, [[2.5, 33.625]]);
});

test('dateTimeRenderOption FORMATTED_STRING gives dates as shown, and is ignored under FORMATTED_VALUE', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['2024-07-01', '7']]);
  const unformatted = await s.api('GET', `/values/A1:B1?valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=FORMATTED_STRING`);
  assert.deepStrictEqual(unformatted.body.values, [['2024-07-01', 7]]);
  const formatted = await s.api('GET', `/values/A1:B1?valueRenderOption=FORMATTED_VALUE&dateTimeRenderOption=SERIAL_NUMBER`);
  assert.deepStrictEqual(formatted.body.values, [['2024-07-01', '7']]);
});

test('majorDimension COLUMNS gives columns: A1=1,B1=2,A2=3,B2=4 reads [[1,3],[2,4]]', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['1', '2'], ['3', '4']]);
  const rows = await s.api('GET', `/values/${enc('Sheet1!A1:B2')}?majorDimension=ROWS&valueRenderOption=UNFORMATTED_VALUE`);
  assert.deepStrictEqual(rows.body.values, [[1, 2], [3, 4]]);
  const cols = await s.api('GET', `/values/${enc('Sheet1!A1:B2')}?majorDimension=COLUMNS&valueRenderOption=UNFORMATTED_VALUE`);
  assert.deepStrictEqual(cols.body, { range: 'Sheet1!A1:B2', majorDimension: 'COLUMNS', values: [[1, 3], [2, 4]] });
});

test('trailing empty rows and cells are left out, inner gaps read "", and range is the whole requested range', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['a', '', 'c'], ['', '', ''], ['', 'e', '']]);
  const res = await s.api('GET', `/values/${enc('Sheet1!A1:E10')}`);
  assert.deepStrictEqual(res.body, { range: 'Sheet1!A1:E10', majorDimension: 'ROWS', values: [['a', '', 'c'], [], ['', 'e']] });
});

test('an empty range answers without values', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('GET', `/values/${enc('Sheet1!C3:D4')}`);
  assert.deepStrictEqual(res.body, { range: 'Sheet1!C3:D4', majorDimension: 'ROWS' });
});

test('a sheet name alone is the whole sheet, cells alone are on the first sheet, and quoted names take spaces and apostrophes', async (t) => {
  const s = await startStandIn({ emulator: { sheets: ['Data', "Bob's list"] } });
  t.after(s.close);
  await s.emu.user.editCell('Data', 'B2', 'x');
  await s.emu.user.editCell("Bob's list", 'A1', 'y');
  const whole = await s.api('GET', '/values/Data');
  assert.deepStrictEqual(whole.body, { range: 'Data!A1:Z1000', majorDimension: 'ROWS', values: [[], ['', 'x']] });
  const first = await s.api('GET', '/values/B2');
  assert.deepStrictEqual(first.body, { range: 'Data!B2', majorDimension: 'ROWS', values: [['x']] });
  const quoted = await s.api('GET', `/values/${enc("'Bob''s list'!A1:A2")}`);
  assert.deepStrictEqual(quoted.body, { range: "'Bob''s list'!A1:A2", majorDimension: 'ROWS', values: [['y']] });
});

test('open-ended ranges (A:B, 2:3, A2:B) cover the grid and the end of a range past the grid is clamped', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  assert.strictEqual((await s.api('GET', `/values/${enc('Sheet1!A:B')}`)).body.range, 'Sheet1!A1:B1000');
  assert.strictEqual((await s.api('GET', `/values/${enc('Sheet1!2:3')}`)).body.range, 'Sheet1!A2:Z3');
  assert.strictEqual((await s.api('GET', `/values/${enc('Sheet1!A2:B')}`)).body.range, 'Sheet1!A2:B1000');
  assert.strictEqual((await s.api('GET', `/values/${enc('Sheet1!A1:B5000')}`)).body.range, 'Sheet1!A1:B1000');
});

test('a range on a missing sheet or not in A1 notation is 400 INVALID_ARGUMENT "Unable to parse range"', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const missing = await s.api('GET', `/values/${enc('Nope!A1:B2')}`);
  assert.deepStrictEqual(missing, {
    status: 400, headers: missing.headers,
    body: { error: { code: 400, message: 'Unable to parse range: Nope!A1:B2', status: 'INVALID_ARGUMENT' } },
  });
  const garbled = await s.api('GET', `/values/${enc('Sheet1!A1:[5')}`);
  assert.strictEqual(garbled.body.error.message, 'Unable to parse range: Sheet1!A1:[5');
});

test('a range that starts outside the grid is 400 "exceeds grid limits"', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('GET', `/values/${enc('Sheet1!A1001')}`);
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error.message, 'Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26');
});

test('an unknown render option is 400 INVALID_ARGUMENT naming the field', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('GET', '/values/A1?valueRenderOption=PRETTY');
  assert.strictEqual(res.status, 400);
  assert.match(res.body.error.message, /value_render_option.*"PRETTY"/);
});

test('values.batchGet answers one ValueRange per range, in the order asked', async (t) => {
  const s = await startStandIn({ emulator: { sheets: ['One', 'Two'] } });
  t.after(s.close);
  await s.emu.user.editCell('One', 'A1', '1');
  await s.emu.user.editCell('Two', 'B2', '2');
  const res = await s.api('GET', `/values:batchGet?ranges=${enc('Two!B2')}&ranges=${enc('One!A1:B1')}&valueRenderOption=UNFORMATTED_VALUE`);
  assert.deepStrictEqual(res.body, {
    spreadsheetId: s.emu.spreadsheet.id,
    valueRanges: [
      { range: 'Two!B2', majorDimension: 'ROWS', values: [[2]] },
      { range: 'One!A1:B1', majorDimension: 'ROWS', values: [[1]] },
    ],
  });
});

test('values.batchGet with one bad range fails as a whole', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('GET', `/values:batchGet?ranges=A1&ranges=${enc('Gone!A1')}`);
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error.message, 'Unable to parse range: Gone!A1');
});
