#!/usr/bin/env node
// scripts/walkthrough's stand-in for Google in docs/install.md's server-mode step: the Sheets
// API stand-in serving one spreadsheet (the docs' example id, a tab named People) shared with a
// test service account whose key file it writes, plus a small control address the script uses
// to watch the sheet and to type into it as a person would.
//   node tests/e2e/walkthrough-google.js KEY_FILE SPREADSHEET_ID SHEET
// Prints one JSON line once listening: {"api": …, "control": …}. Control routes:
//   GET  /wait-rows?n=N          answers the sheet's rows once it has N rows under its header
//                                (404 with what it has after 60 s)
//   GET  /wait-value?key=K&column=C&value=V
//                                answers once column C of row K holds V (404 after 60 s)
//   POST /type?key=K&column=C&value=V
//                                types V into column C (by header) of the row whose first
//                                column is K
'use strict';

const http = require('node:http');
const { SpreadsheetModel } = require('../emulator/lib/grid');
const { createSheetsStandIn, createTestServiceAccount } = require('../emulator/lib/sheetsApi');

const WAIT_MS = 60000;

function rowsOf(sheet) {
  const out = [];
  for (let r = 1; r <= sheet.lastRow(); r++) {
    const row = [];
    for (let c = 1; c <= sheet.lastColumn(); c++) {
      const cell = sheet.cell(r, c);
      row.push(cell && cell.v !== undefined ? cell.v : '');
    }
    out.push(row);
  }
  return out;
}

/** The cell of column `column` (by header) in the row whose first column is `key`, or null. */
function cellOf(sheet, params) {
  const rows = rowsOf(sheet);
  const col = rows.length ? rows[0].indexOf(params.get('column')) : -1;
  const row = rows.findIndex((r, i) => i > 0 && String(r[0]) === params.get('key'));
  if (col < 0 || row < 0) return null;
  return { row: row + 1, col: col + 1, a1: `${String.fromCharCode(65 + col)}${row + 1}`, value: rows[row][col] };
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function main() {
  const [keyFile, spreadsheetId, sheetName] = process.argv.slice(2);
  if (!sheetName) throw new Error('usage: walkthrough-google.js KEY_FILE SPREADSHEET_ID SHEET');
  const account = createTestServiceAccount();
  const standIn = createSheetsStandIn({ serviceAccounts: [account] });
  const spreadsheet = new SpreadsheetModel({ id: spreadsheetId, name: 'sheetsync walk-through', timeZone: 'Europe/London' });
  const sheet = spreadsheet.addSheet(sheetName);
  standIn.addSpreadsheet(spreadsheet, { sharedWith: [account.email] });
  const api = await standIn.listen({});
  standIn.writeKeyFile(keyFile, account);

  const control = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://control');
    if (req.method === 'GET' && url.pathname === '/wait-rows') {
      const want = Number(url.searchParams.get('n'));
      const until = Date.now() + WAIT_MS;
      while (rowsOf(sheet).length - 1 < want && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const rows = rowsOf(sheet);
      return answer(res, rows.length - 1 >= want ? 200 : 404, { rows });
    }
    if (req.method === 'GET' && url.pathname === '/wait-value') {
      const want = url.searchParams.get('value');
      const until = Date.now() + WAIT_MS;
      let at = cellOf(sheet, url.searchParams);
      while ((!at || String(at.value) !== want) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        at = cellOf(sheet, url.searchParams);
      }
      return answer(res, at && String(at.value) === want ? 200 : 404, { found: at, rows: rowsOf(sheet) });
    }
    if (req.method === 'POST' && url.pathname === '/type') {
      const at = cellOf(sheet, url.searchParams);
      if (!at) return answer(res, 404, { error: 'no such row or column', rows: rowsOf(sheet) });
      const { row, col } = at;
      sheet.putCell(row, col, { ...(sheet.cell(row, col) || {}), v: url.searchParams.get('value') });
      return answer(res, 200, { cell: at.a1 });
    }
    return answer(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
  });
  await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ api, control: `http://127.0.0.1:${control.address().port}` })}\n`);
  const stop = () => standIn.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`walkthrough-google: ${e.stack || e.message}\n`);
  process.exit(1);
});
