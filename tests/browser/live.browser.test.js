'use strict';
// A refused token, and the sidebar's own long poll, in headless Chromium: google.script.run is
// bridged to the emulator running the add-on's files against the in-memory stand-in server. A
// live change is checked by the core in the sidebar and handed to Apps Script, which does not
// read it again; a page the core refuses is left to Apps Script. (Connecting, binding, syncing
// and conflicts against the real server are in sidebar.browser.test.js.) Fails, never skips,
// without playwright-core or Chromium: scripts/ensure-tools installs both.
// Run: cd tests && node --test browser/

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test, before, after } = require('node:test');
const { createEmulator, googleScriptClientSource, createClientBridge } = require('../emulator');
const { launchBrowser } = require('./harness');

const ADDON = path.join(__dirname, '..', '..', 'addon');
const FILES = ['WasmBundle.js'].concat(
  fs.readdirSync(ADDON).filter((f) => f.endsWith('.js') && f !== 'WasmBundle.js').sort(),
).map((f) => path.join(ADDON, f));

const SIDEBAR_URL = 'https://n-sheetsync-0lu-script.googleusercontent.com/userCodeAppPanel';

let server;
let base;
let browser;

before(async () => {
  server = spawn(process.execPath, [path.join(__dirname, '..', 'e2e', 'support', 'fakeServer.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())));
  base = `http://127.0.0.1:${port}`;
  // The stand-in server listens on loopback; Chromium asks a person before a public page may
  // reach loopback (a real server is public, so the sidebar never meets that question).
  browser = await launchBrowser({ args: ['--disable-features=LocalNetworkAccessChecks'], viewport: { width: 300, height: 900 } });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
});

async function control(pathname, body) {
  const res = await fetch(base + pathname, body ? { method: 'POST', body: JSON.stringify(body) } : {});
  return res.json();
}

function cell(emu, row, col) {
  const sheet = emu.spreadsheet.sheetByName('Sheet1');
  const v = emu.spreadsheet.valueAt(sheet, row, col);
  return v === undefined ? '' : v;
}

/**
 * The sidebar as Sheets shows it: 300 px wide, the add-on's HTML, google.script.run bridged.
 * `fakeClock` gives the page a clock the test moves (page.clock) instead of the real one.
 */
async function openSidebar(emu, { fakeClock = false } = {}) {
  await emu.run('showSidebar');
  const page = await browser.context.newPage();
  if (fakeClock) await page.clock.install();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const bridge = createClientBridge(emu);
  await page.exposeFunction('__appsScriptRun', bridge.run);
  await page.exposeFunction('__appsScriptHost', bridge.host);
  await page.addInitScript(googleScriptClientSource());
  // Served from an address shaped like the sidebar iframe's, so the page has a real origin.
  await page.route(SIDEBAR_URL, (route) => route.fulfill({ contentType: 'text/html', body: emu.ui.sidebars.at(-1).html }));
  await page.goto(SIDEBAR_URL);
  return { page, errors };
}

test('a token the server refuses is answered in the sidebar, and the right one connects', async () => {
  await control('/test/reset', {});
  const emu = createEmulator({ files: FILES, timeZone: 'Europe/Berlin' });
  const { page, errors } = await openSidebar(emu);
  const byId = (id) => page.getByTestId(id);
  await byId('server-url').fill(base);
  await byId('server-token').fill('wrong');
  await byId('connect-button').click();
  await byId('error-message').filter({ hasText: 'token is not valid' }).waitFor();
  await byId('server-token').fill('t0ken');
  await byId('connect-button').click();
  await byId('connected-as').filter({ hasText: base }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a live change is checked by the core in the sidebar and applied without Apps Script reading it again', async () => {
  await control('/test/reset', {});
  await control('/test/write', { id: 1, name: 'Ada', qty: 1 });
  const emu = createEmulator({ files: FILES, timeZone: 'Europe/Berlin' });
  const { page, errors } = await openSidebar(emu);
  const byId = (id) => page.getByTestId(id);
  await byId('server-url').fill(base);
  await byId('server-token').fill('t0ken');
  await byId('connect-button').click();
  await page.locator('#table-select option[value="people"]').waitFor({ state: 'attached' });
  await byId('bind-button').click();
  await byId('sync-summary').filter({ hasText: '1 row added to the sheet' }).waitFor();
  await byId('live-status').filter({ hasText: 'Watching the database for changes' }).waitFor();
  const changeReads = () => emu.stats.requests.filter((r) => /\/changes/.test(r.url)).length;
  const ran = (fnName) => emu.executions.filter((e) => e.fnName === fnName).length;
  const until = async (what, done) => {
    const deadline = Date.now() + 10000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(done(), what);
  };

  // A sound page: the sidebar hands it over, and Apps Script asks the server for no changes.
  const reads = changeReads();
  await control('/test/write', { id: 1, qty: 42 });
  await until('the live change reached the sheet', () => cell(emu, 2, 3) === 42);
  assert.equal(ran('applyChangePage'), 1, 'the sidebar handed the page to Apps Script');
  assert.equal(changeReads(), reads, 'Apps Script did not read the changes again');

  // This document's own push comes back through the feed first: the sidebar keeps it and
  // hands it over in front of the next change from elsewhere, so that page still starts at
  // the sheet's cursor and Apps Script again reads nothing.
  await emu.user.editCell('Sheet1', 'C2', 7);
  await emu.run('syncNow', {});
  assert.equal((await control('/test/state')).rows[0][2], 7, 'the edit was pushed');
  await new Promise((r) => setTimeout(r, 1500));
  const afterPush = changeReads();
  await control('/test/write', { id: 1, name: 'Ada Lovelace' });
  await until('the change after the push reached the sheet', () => cell(emu, 2, 2) === 'Ada Lovelace');
  assert.equal(ran('applyChangePage'), 2, 'the sidebar handed that page over too');
  assert.equal(changeReads(), afterPush, 'Apps Script did not read the changes again');
  assert.equal(cell(emu, 2, 3), 7);

  // A page the core refuses (a name longer than the column allows) is not handed over: Apps
  // Script reads the changes itself and reports the row instead of writing it.
  const syncs = ran('syncNow');
  await control('/test/write', { id: 1, name: 'x'.repeat(45) });
  await until('Apps Script synced by itself', () => ran('syncNow') > syncs);
  await byId('rejected-0').waitFor();
  assert.equal(ran('applyChangePage'), 2, 'the refused page was not handed over');
  assert.ok(changeReads() > reads, 'Apps Script read the changes itself');
  assert.equal(cell(emu, 2, 2), 'Ada Lovelace', 'the sheet kept what it had');
  assert.match(await byId('rejected-0').innerText(), /1/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('watching through Apps Script asks less and less often while the table is quiet', async () => {
  await control('/test/reset', {});
  await control('/test/write', { id: 1, name: 'Ada', qty: 1 });
  const emu = createEmulator({ files: FILES, timeZone: 'Europe/Berlin' });
  await emu.run('saveConnection', base, 't0ken');
  await emu.run('bindTable', 'people');
  await emu.run('syncNow', {});
  // The browser cannot reach the server (no CORS, say): only Apps Script can poll it. The
  // stand-in server answers a poll at once, so only the sidebar's own pauses space the polls.
  await browser.context.route(`${base}/**`, (route) => route.abort());
  const { page } = await openSidebar(emu, { fakeClock: true });
  await page.getByTestId('live-status').filter({ hasText: 'Watching through Apps Script' }).waitFor();
  const polls = () => emu.executions.filter((e) => e.fnName === 'pollChanges').length;
  const before = polls();
  // An hour on the page's clock, moved a little at a time so that each answer can arrive.
  for (let i = 0; i < 720; i++) {
    await page.clock.runFor(5000);
    await new Promise((r) => setTimeout(r, 5));
  }
  const hourly = polls() - before;
  console.log(`polls through Apps Script in a quiet hour: ${hourly}`);
  assert.ok(hourly >= 20, `it kept watching (${hourly} polls)`);
  assert.ok(hourly <= 45, `${hourly} polls in an hour, each a UrlFetch call from the daily quota`);
  // A change is still found, and polling goes back to its quick pace.
  await control('/test/write', { id: 1, qty: 5 });
  for (let i = 0; i < 60 && cell(emu, 2, 3) !== 5; i++) {
    await page.clock.runFor(5000);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(cell(emu, 2, 3), 5, 'the change reached the sheet');
  await page.close();
  await browser.context.unrouteAll();
});
