'use strict';
// "Who syncs this sheet" in headless Chromium on the playground page, against the in-memory
// stand-in server (e2e/support/fakeServer.js, which keeps server-mode bindings and answers the
// status a test sets): the switch asks first in one sentence; in server mode the add-on's own
// state line is hidden and the server's view is shown, "In sync" only when its last round was
// ok and nothing waits; switching back shows the add-on's state again.
// Screenshots of each state go to tests/artifacts/screenshots/mode-*.png.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { describe, test, before, after } = require('node:test');
const { freePort } = require('../e2e/harness/server');
const { launchBrowser, startPlayground, snap, SCREENSHOTS } = require('./harness');

/** The sidebar reads the server's view every 15 s; tests make it look at once instead. */
const WAIT_MS = 15000;

describe('who syncs this sheet (stand-in server)', () => {
  let fake;
  let fakeUrl;
  let playground;
  let browser;
  let page;
  let sidebar;
  const errors = [];

  async function control(pathname, body) {
    const res = await fetch(fakeUrl + pathname, body ? { method: 'POST', body: JSON.stringify(body) } : {});
    return res.json();
  }

  before(async () => {
    fake = spawn(process.execPath, [path.join(__dirname, '..', 'e2e', 'support', 'fakeServer.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise((resolve) => fake.stdout.once('data', (d) => resolve(String(d).trim())));
    fakeUrl = `http://127.0.0.1:${port}`;
    await control('/test/reset', {});
    await control('/test/write', { id: 1, name: 'Ada', qty: 1 });
    await control('/test/write', { id: 2, name: 'Grace', qty: 2 });
    playground = await startPlayground({ serverUrl: fakeUrl, token: 't0ken', port: await freePort() });
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    page = await browser.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(playground.url);
    await page.waitForSelector('[data-testid=cell-A1]');
    sidebar = page.frameLocator('[data-testid=sidebar-frame]');
  });

  after(async () => {
    if (browser) await browser.close();
    if (playground) await playground.stop();
    if (fake) fake.kill();
  });

  const byId = (id) => sidebar.locator(`[data-testid=${id}]`);

  /** Makes the sidebar read the server's view now, as it does on becoming visible. */
  async function lookNow() {
    const frame = await (await page.locator('[data-testid=sidebar-frame]').elementHandle()).contentFrame();
    await frame.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  }

  test('the switch asks first, and in server mode the sidebar shows the server\'s view', async () => {
    await byId('server-url').fill(fakeUrl);
    await byId('server-token').fill('t0ken');
    await byId('connect-button').click();
    await sidebar.locator('[data-testid=table-select] option[value=people]').waitFor({ state: 'attached' });
    await byId('bind-button').click();
    await byId('sync-state').filter({ hasText: 'Everything is in sync.' }).waitFor({ timeout: WAIT_MS });
    await byId('mode-section').waitFor();
    assert.match(await byId('mode-text').textContent(), /The add-on syncs this sheet/);

    await byId('mode-switch-button').click();
    assert.match(await byId('mode-confirm-text').textContent(), /The server will sync this sheet through the Google Sheets API/);
    await snap(page, 'mode-01-switch-asked');
    await byId('mode-confirm-button').click();
    await byId('server-state').filter({ hasText: 'The server has not synced this sheet yet.' }).waitFor({ timeout: WAIT_MS });
    // Before the server's first round nothing is known, and the sidebar says so.
    assert.match(await byId('server-lines').textContent(), /Conflicts: not known yet\./);
    assert.equal(await byId('sync-state').isVisible(), false, 'the add-on\'s own state line is hidden');
    assert.equal(await byId('policy-section').isVisible(), false);
    assert.match(await byId('mode-text').textContent(), /The server syncs this sheet/);
    const bound = (await control('/test/state')).bindings[1];
    assert.deepEqual(Object.keys(bound.handedOver.base).sort(), ['1', '2'], 'the base was handed over');
    await snap(page, 'mode-02-server-mode');

    const round = { atMs: Date.now() - 4000, ok: true, error: null, sheetWrites: 3, databaseWrites: 1 };
    await control('/test/binding', { id: 1, status: { lastRound: round, lagMs: 700, owner: 'sync-1', conflicts: 0, rejects: [], massDeleteHeld: 0 } });
    await lookNow();
    await byId('server-state').filter({ hasText: /^In sync\.$/ }).waitFor({ timeout: WAIT_MS });
    assert.match(await byId('server-lines').textContent(), /3 changes written to the sheet, 1 change to the database/);
    await snap(page, 'mode-03-server-in-sync');

    await control('/test/binding', {
      id: 1,
      status: { conflicts: 1, rejects: [{ key: '7', column: 'qty', message: 'qty must not be negative' }], quotaBackoffUntilMs: Date.now() + 90000 },
    });
    await lookNow();
    await byId('server-state').filter({ hasText: 'Not in sync: the server waits for Google\'s quota.' }).waitFor({ timeout: WAIT_MS });
    assert.match(await byId('server-rejects').textContent(), /Row 7, qty: qty must not be negative/);
    assert.match(await byId('server-lines').textContent(), /1 conflict is held on the server/);
    await snap(page, 'mode-04-server-waiting');

    await control('/test/binding', {
      id: 1,
      status: { conflicts: 0, rejects: [], quotaBackoffUntilMs: null, lastRound: { ...round, ok: false, error: 'the spreadsheet is not shared with the service account' } },
    });
    await lookNow();
    await byId('server-state').filter({ hasText: 'The server\'s last sync failed: the spreadsheet is not shared with the service account' }).waitFor({ timeout: WAIT_MS });
    await snap(page, 'mode-05-server-failed');
  });

  test('conflicts the server holds are listed, each with a button per side that answers it', async () => {
    const round = { atMs: Date.now() - 2000, ok: true, error: null, sheetWrites: 0, databaseWrites: 0 };
    await control('/test/binding', {
      id: 1,
      status: { conflicts: 1, rejects: [], massDeleteHeld: 0, lastRound: round },
      conflicts: [{
        key: '2', column: 'qty', sheetValue: 5, databaseValue: 7, baseValue: 2, databaseVersion: 3,
        sinceMs: Date.now() - 60000, answered: null,
      }],
    });
    await lookNow();
    await byId('server-conflict-0').waitFor({ timeout: WAIT_MS });
    assert.match(await byId('server-state').textContent(), /waiting for you \(1 conflict\)/);
    assert.match(await byId('server-conflict-0').textContent(), /Row with key 2, qty/);
    assert.match(await byId('server-conflict-0').textContent(), /Sheet5.*Database7/);
    assert.equal(await byId('server-conflict-0-sheet').textContent(), 'Keep the sheet\'s value');
    assert.equal(await byId('server-conflict-0-database').textContent(), 'Keep the database\'s value');
    await snap(page, 'mode-07-server-conflicts');

    await byId('server-conflict-0-sheet').click();
    await byId('server-conflict-0').filter({ hasText: 'Answered: keep the sheet\'s value.' }).waitFor({ timeout: WAIT_MS });
    assert.deepEqual((await control('/test/state')).bindings[1].answers, [{ key: '2', column: 'qty', choose: 'sheet' }]);
    await snap(page, 'mode-08-server-conflict-answered');

    // The server's next round settled it: the list empties.
    await control('/test/binding', { id: 1, status: { conflicts: 0 }, conflicts: [] });
    await lookNow();
    await byId('server-state').filter({ hasText: /^In sync\.$/ }).waitFor({ timeout: WAIT_MS });
    assert.equal(await byId('server-conflicts-title').isVisible(), false);
  });

  test('switching back shows the add-on\'s state again, synced from the server\'s base', async () => {
    await byId('mode-switch-button').click();
    assert.match(await byId('mode-confirm-text').textContent(), /going on from what the server last synced/);
    await byId('mode-confirm-button').click();
    await byId('server-status-section').waitFor({ state: 'hidden', timeout: WAIT_MS });
    await byId('sync-state').waitFor({ timeout: WAIT_MS });
    assert.match(await byId('mode-text').textContent(), /The add-on syncs this sheet/);
    assert.deepEqual((await control('/test/state')).bindings, {}, 'the server let the sheet go');
    await byId('sync-button').click();
    await byId('sync-state').filter({ hasText: 'Everything is in sync.' }).waitFor({ timeout: WAIT_MS });
    await snap(page, 'mode-06-back-to-addon');
    assert.deepEqual(errors, []);
  });
});
