'use strict';
// The add-on in the emulator against the stand-in server (e2e/support/fakeServer.js): no
// database, so the scenarios that check the add-on's own behaviour run in milliseconds.

const { spawn } = require('node:child_process');
const path = require('node:path');
const { before, after } = require('node:test');
const { addonEmulator } = require('./addon');

/**
 * Starts the stand-in server for the calling test file (once, before its tests) and answers
 * { base(), control(path, body), boundSheet(options) }: control calls its test endpoints
 * (/test/reset, /test/write, /test/state); boundSheet gives an emulator whose Sheet1 is bound
 * to the stand-in's `people` table (rows 1 Ada, 2 Grace) and synced once.
 */
function useFakeServer() {
  let server;
  let base = null;
  before(async () => {
    server = spawn(process.execPath, [path.join(__dirname, '..', 'support', 'fakeServer.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())));
    base = `http://127.0.0.1:${port}`;
  });
  after(() => server.kill());

  async function control(pathname, body) {
    const res = await fetch(base + pathname, body ? { method: 'POST', body: JSON.stringify(body) } : {});
    return res.json();
  }

  async function boundSheet({ extraFiles = [], ...options } = {}) {
    await control('/test/reset', {});
    await control('/test/write', { id: 1, name: 'Ada', qty: 1 });
    await control('/test/write', { id: 2, name: 'Grace', qty: 2 });
    const emu = addonEmulator({ extraFiles, ...options });
    await emu.run('saveConnection', base, 't0ken');
    await emu.run('bindTable', 'people');
    await emu.run('syncNow', {});
    return emu;
  }

  return { base: () => base, control, boundSheet };
}

/** The sheet's non-empty rows as values ('' for an empty cell), read from the model. */
function cells(emu, name = 'Sheet1') {
  const model = emu.spreadsheet;
  const sheet = model.sheetByName(name);
  const out = [];
  for (let r = 1; r <= sheet.lastRow(); r++) {
    const row = [];
    for (let c = 1; c <= sheet.lastColumn(); c++) {
      const v = model.valueAt(sheet, r, c);
      row.push(v === undefined ? '' : v);
    }
    out.push(row);
  }
  return out;
}

module.exports = { useFakeServer, cells };
