'use strict';
// The Sheets API stand-in inside the test process, serving the emulators' own spreadsheets:
// the real server in server mode reads and writes through it exactly the cells a person and
// the add-on see in the emulator. Also the service account's key file the server signs in
// with, and the `serve` arguments that point the server at both. While an emulated execution
// waits on a UrlFetch call the stand-in answers nothing (the emulator blocks this process's
// thread until the answer comes), which Google would not do: a request the server can only
// answer after its own Sheets API calls (handing a sheet back mid-round) waits its full time.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createSheetsStandIn, createTestServiceAccount } = require('../../emulator/lib/sheetsApi');
const { ROUTES } = require('../../emulator/lib/sheetsApi/standIn');

/** The stand-in's methods that change a spreadsheet. */
const WRITE_METHODS = ['spreadsheets.batchUpdate', 'spreadsheets.values.batchUpdate', 'spreadsheets.values.append', 'spreadsheets.values.update'];

/**
 * Starts the stand-in and writes the key file. `serveArgs` puts the server in server mode
 * against it: short leases so a new binding is claimed within a second, a short coalescing
 * window, and a safety poll far longer than any test, so only the feed and pokes wake a round.
 */
async function openSheetsApi() {
  const account = createTestServiceAccount();
  const standIn = createSheetsStandIn({ serviceAccounts: [account] });
  // Every call in order, with its method and spreadsheet: the stand-in's own counters are per
  // method or per spreadsheet, and a test needs both at once.
  const log = [];
  const handle = standIn.handle.bind(standIn);
  standIn.handle = (request) => {
    const pathname = new URL(request.url, 'http://standin.invalid').pathname;
    const route = ROUTES.find((r) => r.method === request.method && r.path.test(pathname));
    if (route && route.handler) log.push({ method: route.name, spreadsheet: decodeURIComponent(route.path.exec(pathname)[1]) });
    return handle(request);
  };
  await standIn.listen();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sheetsync-e2e-key-'));
  const keyFile = path.join(dir, 'service-account.json');
  standIn.writeKeyFile(keyFile, account);
  return {
    standIn,
    email: account.email,
    serveArgs: ['--google-key', keyFile, '--google-api-url', standIn.url, '--lease-seconds', '3', '--coalesce-ms', '50', '--safety-poll-seconds', '3600'],
    /** Serves `emu`'s spreadsheet, shared with the service account as an editor. */
    share(emu) {
      standIn.addSpreadsheet(emu, { sharedWith: [account.email] });
    },
    /** API calls that changed spreadsheet `id` so far, by method. */
    writes(id) {
      return this.calls(id).filter((c) => WRITE_METHODS.includes(c.method));
    },
    /** Every API call on spreadsheet `id`, in order: { method }. */
    calls(id) {
      return log.filter((c) => c.spreadsheet === id);
    },
    async close() {
      await standIn.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { openSheetsApi, WRITE_METHODS };
