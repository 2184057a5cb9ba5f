'use strict';
// The Sheets API stand-in: spreadsheets.get and spreadsheets.batchUpdate.

const test = require('node:test');
const assert = require('node:assert');
const { startStandIn, enc } = require('../support/sheetsApi');

const dims = (sheetId, dimension, startIndex, endIndex) => ({ sheetId, dimension, startIndex, endIndex });

test('spreadsheets.get gives the title, locale and time zone, and each sheet\'s id, title, index and grid size', async (t) => {
  const s = await startStandIn({ emulator: { timeZone: 'Asia/Tokyo', spreadsheetName: 'Orders', sheets: ['Data', 'Notes'] } });
  t.after(s.close);
  const [data, notes] = s.emu.spreadsheet.sheets;
  const res = await s.api('GET', '');
  assert.strictEqual(res.status, 200);
  assert.deepStrictEqual(res.body, {
    spreadsheetId: s.emu.spreadsheet.id,
    properties: { title: 'Orders', locale: 'en_US', autoRecalc: 'ON_CHANGE', timeZone: 'Asia/Tokyo' },
    sheets: [
      { properties: { sheetId: data.id, title: 'Data', index: 0, sheetType: 'GRID', gridProperties: { rowCount: 1000, columnCount: 26 } } },
      { properties: { sheetId: notes.id, title: 'Notes', index: 1, sheetType: 'GRID', gridProperties: { rowCount: 1000, columnCount: 26 } } },
    ],
    spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${s.emu.spreadsheet.id}/edit`,
  });
  assert.strictEqual(data.id, 0);
});

test('spreadsheets.get honours the fields mask', async (t) => {
  const s = await startStandIn({ emulator: { timeZone: 'Asia/Tokyo' } });
  t.after(s.close);
  const res = await s.api('GET', `?fields=${enc('properties.timeZone,sheets(properties(title,gridProperties.rowCount))')}`);
  assert.deepStrictEqual(res.body, {
    properties: { timeZone: 'Asia/Tokyo' },
    sheets: [{ properties: { title: 'Sheet1', gridProperties: { rowCount: 1000 } } }],
  });
  const bad = await s.api('GET', `?fields=${enc('sheets(properties')}`);
  assert.strictEqual(bad.status, 400);
});

test('a change of zone or sheet made through Apps Script shows in spreadsheets.get', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  s.emu.spreadsheet.timeZone = 'UTC';
  await s.emu.user.insertSheet('Added');
  await s.emu.user.insertRows('Sheet1', 1, 5);
  const res = await s.api('GET', '');
  assert.strictEqual(res.body.properties.timeZone, 'UTC');
  assert.deepStrictEqual(res.body.sheets.map((x) => [x.properties.title, x.properties.gridProperties.rowCount]), [['Sheet1', 1005], ['Added', 1000]]);
});

test('insertDimension inserts rows and columns before startIndex (0-based, end exclusive), moving cells', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['a', 'b'], ['c', 'd']]);
  const res = await s.api('POST', ':batchUpdate', { requests: [
    { insertDimension: { range: dims(0, 'ROWS', 1, 3), inheritFromBefore: true } },
    { insertDimension: { range: dims(0, 'COLUMNS', 0, 1) } },
  ] });
  assert.deepStrictEqual(res.body, { spreadsheetId: s.emu.spreadsheet.id, replies: [{}, {}] });
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1:C4'), [['', 'a', 'b'], ['', '', ''], ['', '', ''], ['', 'c', 'd']]);
  assert.strictEqual(await s.emu.run('maxRows', 'Sheet1'), 1002);
});

test('deleteDimension deletes the rows or columns in the range', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.pasteBlock('Sheet1', 'A1', [['1', 'x'], ['2', 'y'], ['3', 'z']]);
  await s.api('POST', ':batchUpdate', { requests: [
    { deleteDimension: { range: dims(0, 'ROWS', 0, 2) } },
    { deleteDimension: { range: dims(0, 'COLUMNS', 1, 2) } },
  ] });
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1:B1'), [[3, '']]);
  assert.strictEqual(await s.emu.run('maxRows', 'Sheet1'), 998);
});

test('an unset endIndex is unbounded: deleteDimension from startIndex to the end of the sheet', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.api('POST', ':batchUpdate', { requests: [{ deleteDimension: { range: { sheetId: 0, dimension: 'COLUMNS', startIndex: 3 } } }] });
  const res = await s.api('GET', '?fields=sheets.properties.gridProperties');
  assert.deepStrictEqual(res.body.sheets[0].properties.gridProperties, { rowCount: 1000, columnCount: 3 });
});

test('insertDimension may not inherit from before at index 0', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('POST', ':batchUpdate', { requests: [{ insertDimension: { range: dims(0, 'ROWS', 0, 1), inheritFromBefore: true } }] });
  assert.strictEqual(res.status, 400);
  assert.match(res.body.error.message, /^Invalid requests\[0\]\.insertDimension: inheritFromBefore/);
});

test('appendDimension adds rows or columns at the end of the sheet', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.api('POST', ':batchUpdate', { requests: [
    { appendDimension: { sheetId: 0, dimension: 'ROWS', length: 500 } },
    { appendDimension: { sheetId: 0, dimension: 'COLUMNS', length: 2 } },
  ] });
  const res = await s.api('GET', '?fields=sheets.properties.gridProperties');
  assert.deepStrictEqual(res.body.sheets[0].properties.gridProperties, { rowCount: 1500, columnCount: 28 });
});

test('spreadsheets.batchUpdate is atomic: a bad request and none of the batch applies', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  await s.emu.user.editCell('Sheet1', 'A1', 'stays');
  const res = await s.api('POST', ':batchUpdate', { requests: [
    { insertDimension: { range: dims(0, 'ROWS', 0, 1) } },
    { deleteDimension: { range: dims(0, 'ROWS', 990, 1005) } },
  ] });
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error.status, 'INVALID_ARGUMENT');
  assert.match(res.body.error.message, /^Invalid requests\[1\]\.deleteDimension: /);
  assert.deepStrictEqual(await s.emu.run('readValues', 'Sheet1', 'A1'), [['stays']]);
  assert.strictEqual(await s.emu.run('maxRows', 'Sheet1'), 1000);
});

test('a request on a sheet id that does not exist is refused', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('POST', ':batchUpdate', { requests: [{ appendDimension: { sheetId: 12345, dimension: 'ROWS', length: 1 } }] });
  assert.strictEqual(res.status, 400);
  assert.strictEqual(res.body.error.message, 'Invalid requests[0].appendDimension: No grid with id: 12345');
});

test('deleting every row of a sheet is refused', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('POST', ':batchUpdate', { requests: [{ deleteDimension: { range: dims(0, 'ROWS', 0, 1000) } }] });
  assert.strictEqual(res.status, 400);
  assert.strictEqual(await s.emu.run('maxRows', 'Sheet1'), 1000);
});

test('growing the workbook past 10,000,000 cells is refused with Google\'s text', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('POST', ':batchUpdate', { requests: [{ appendDimension: { sheetId: 0, dimension: 'ROWS', length: 400000 } }] });
  assert.strictEqual(res.status, 400);
  assert.match(res.body.error.message, /above the limit of 10000000 cells/);
});

test('repeatCell sets a number format: plain text keeps typed digits as text, a date format reads numbers as dates', async (t) => {
  const s = await startStandIn({ emulator: { timeZone: 'UTC' } });
  t.after(s.close);
  const format = (col, numberFormat) => ({ repeatCell: {
    range: { sheetId: 0, startRowIndex: 0, endRowIndex: 3, startColumnIndex: col, endColumnIndex: col + 1 },
    cell: { userEnteredFormat: { numberFormat } },
    fields: 'userEnteredFormat.numberFormat',
  } });
  const res = await s.api('POST', ':batchUpdate', { requests: [format(0, { type: 'TEXT' }), format(1, { type: 'DATE', pattern: 'yyyy-mm-dd' })] });
  assert.deepStrictEqual(res.body.replies, [{}, {}]);
  await s.api('PUT', `/values/${enc('Sheet1!A1:B1')}?valueInputOption=USER_ENTERED`, { values: [['007', 45658]] });
  const [[text, date]] = await s.emu.run('readValues', 'Sheet1', 'A1:B1');
  assert.strictEqual(text, '007');
  assert.strictEqual(date.toISOString(), '2025-01-01T00:00:00.000Z');
  assert.deepStrictEqual((await s.api('GET', `/values/${enc('Sheet1!A1:B1')}`)).body.values, [['007', '2025-01-01']]);
  const other = await s.api('POST', ':batchUpdate', { requests: [{ repeatCell: { range: { sheetId: 0 }, cell: {}, fields: 'userEnteredFormat.backgroundColor' } }] });
  assert.strictEqual(other.status, 400);
  assert.match(other.body.error.message, /numberFormat only/);
});

test('a request kind the stand-in does not model is refused by name, never ignored', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const res = await s.api('POST', ':batchUpdate', { requests: [{ mergeCells: { range: {} } }] });
  assert.strictEqual(res.status, 400);
  assert.match(res.body.error.message, /^Invalid requests\[0\]\.mergeCells: .*not modelled/);
});

test('row developer metadata made through the API is seen by Apps Script and moves with its row', async (t) => {
  const s = await startStandIn();
  t.after(s.close);
  const made = await s.api('POST', ':batchUpdate', { requests: [{ createDeveloperMetadata: { developerMetadata: {
    metadataKey: 'row-mark', metadataValue: 'r-1', visibility: 'DOCUMENT',
    location: { dimensionRange: dims(0, 'ROWS', 4, 5) },
  } } }] });
  const created = made.body.replies[0].createDeveloperMetadata.developerMetadata;
  assert.deepStrictEqual(created, {
    metadataId: created.metadataId, metadataKey: 'row-mark', metadataValue: 'r-1', visibility: 'DOCUMENT',
    location: { locationType: 'ROW', dimensionRange: dims(0, 'ROWS', 4, 5) },
  });
  await s.emu.user.insertRows('Sheet1', 1, 2);
  const res = await s.api('GET', '?fields=sheets.developerMetadata');
  assert.deepStrictEqual(res.body.sheets[0].developerMetadata[0].location.dimensionRange, dims(0, 'ROWS', 6, 7));
  assert.deepStrictEqual(s.emu.spreadsheet.sheets[0].rowMetadata.map((m) => [m.key, m.value, m.row]), [['row-mark', 'r-1', 7]]);
  const gone = await s.api('POST', ':batchUpdate', { requests: [{ deleteDeveloperMetadata: { dataFilter: { developerMetadataLookup: { metadataKey: 'row-mark' } } } }] });
  assert.strictEqual(gone.body.replies[0].deleteDeveloperMetadata.deletedDeveloperMetadata.length, 1);
  assert.deepStrictEqual(s.emu.spreadsheet.sheets[0].rowMetadata, []);
});
