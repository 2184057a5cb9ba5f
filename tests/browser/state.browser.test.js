'use strict';
// The sidebar tells the truth, in headless Chromium on the playground page against the real
// server (MariaDB): the first screen helps; counts say what they count, in the reader's
// locale; a sync a trigger ran shows in the open sidebar; header problems come first with a
// one-click fix; per-column rules fold under "Conflict rules"; the mass-delete question stays
// until answered and "Not now" either keeps the rows deleted or puts them back; after a server
// restart live updates recover and the stale error goes; "Stop syncing" on a full sheet says
// what binding again will do, and binding again keeps the policy and automatic sync.
// Screenshots of each state go to tests/artifacts/screenshots/state-*.png.

const assert = require('node:assert/strict');
const { describe, test, before, after } = require('node:test');
const { ddl } = require('../e2e/harness/stack');
const { openRig, snap } = require('./harness');

const PEOPLE = ddl.table('people', ['name VARCHAR(40) NOT NULL', 'age INT NULL', 'city VARCHAR(40) NULL']);
const ROWS = 1200;
/** The sidebar reads the sync state every 5 s; allow for a loaded machine. */
const REFRESH_WAIT_MS = 15000;

describe('the sidebar tells the truth (mariadb)', () => {
  let rig;
  let page;
  let sidebar;
  let frame;
  const errors = [];

  before(async () => {
    rig = await openRig({ label: 'browser-state', tables: { people: PEOPLE } });
    const values = Array.from({ length: ROWS }, (_, i) => `('person ${i + 1}', ${20 + (i % 50)}, 'city ${i % 7}')`).join(', ');
    await rig.stack.sql(`INSERT INTO people (name, age, city) VALUES ${values}`);
    page = await rig.browser.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(rig.playground.url);
    await page.waitForSelector('[data-testid=cell-A1]');
    sidebar = page.frameLocator('[data-testid=sidebar-frame]');
  });

  after(async () => {
    if (rig) await rig.close();
  });

  const byId = (id) => sidebar.locator(`[data-testid=${id}]`);
  const cell = (a1) => page.locator(`[data-testid=cell-${a1}]`);

  /** A person's gesture in the playground's sheet (it fires the add-on's triggers). */
  async function gesture(action, body) {
    const res = await fetch(`${rig.playground.url}/api/${action}`, { method: 'POST', body: JSON.stringify(body) });
    const answer = await res.json();
    if (!res.ok) throw new Error(`${action}: ${answer.error}`);
    return answer;
  }

  async function top(id) {
    return (await byId(id).boundingBox()).y;
  }

  async function count(sql) {
    return Number((await rig.stack.sql(sql))[0].n);
  }

  test('the first screen says what sheetsync does, links the docs, and asks for the empty fields by name', async () => {
    await byId('connect-button').waitFor();
    assert.match(await byId('intro-section').innerText(), /in sync, both ways/);
    assert.match(await byId('docs-link').getAttribute('href'), /^https:\/\/.*docs\/addon\.md$/);
    await byId('connect-button').click();
    await byId('error-message').filter({ hasText: 'Enter the server URL and the access token, then click Connect.' }).waitFor();
    assert.doesNotMatch(await byId('error-message').innerText(), /open the sidebar/);
    await snap(page, 'state-01-first-screen');
    await byId('server-url').fill(rig.stack.url);
    await byId('connect-button').click();
    await byId('error-message').filter({ hasText: 'Enter the access token, then click Connect.' }).waitFor();
    await byId('server-token').fill(rig.stack.token);
    await byId('connect-button').click();
    await byId('connected-as').filter({ hasText: rig.stack.url }).waitFor();
    await byId('error-message').waitFor({ state: 'hidden' });
  });

  test('the first sync counts with thousands separators and says when it ran', async () => {
    await sidebar.locator('[data-testid=table-select] option[value=people]').waitFor({ state: 'attached' });
    await byId('table-select').selectOption('people');
    await byId('bind-button').click();
    await byId('sync-summary').filter({ hasText: '1,200 rows added to the sheet' }).waitFor({ timeout: 60000 });
    await byId('sync-state').filter({ hasText: 'Everything is in sync.' }).waitFor();
    assert.match(await byId('last-synced').innerText(), /^Last sync \d{1,2}:\d\d:\d\d.*from the sidebar/);
    await byId('intro-section').waitFor({ state: 'hidden' });
    await byId('live-status').filter({ hasText: 'Watching the database for changes.' }).waitFor();
    await snap(page, 'state-02-synced');
  });

  test('a sync a trigger ran shows in the open sidebar, its problems counted in rows', async () => {
    await byId('auto-sync-switch').check();
    await byId('auto-sync-switch').waitFor();
    // Typed into the sheet: the edit trigger syncs, and the database refuses nothing since the
    // core stops the cell first; only the state the trigger saved can tell the sidebar.
    await gesture('edit', { a1: 'C2', value: 'thirty-seven' });
    await byId('rejected-section').waitFor({ timeout: REFRESH_WAIT_MS });
    assert.match(await byId('rejected-0').innerText(), /Row 2/);
    assert.match(await byId('last-synced').innerText(), /after an edit/);
    await byId('sync-state').filter({ hasText: 'Not in sync: waiting for you (1 problem in 1 row).' }).waitFor();
    await snap(page, 'state-03-trigger-sync-shown');

    // A new row with two bad cells: two problems in that row, three in two rows.
    await gesture('paste', { a1: `A${ROWS + 2}`, values: [['', 'Edsger', 'old', 'x'.repeat(50)]] });
    const counted = byId('rejected-count');
    await counted.filter({ hasText: /problems in 2 rows/ }).waitFor({ timeout: REFRESH_WAIT_MS });
    const items = await sidebar.locator('[data-testid=rejected-list] li').allInnerTexts();
    assert.equal(await counted.innerText(), `${items.length} problems in 2 rows`);
    for (const item of items) {
      const named = item.match(/age|city/g) || [];
      assert.ok(!/^Row \d+: (age|city): .*\1/.test(item), `a column named once: ${item}`);
      assert.ok(named.length <= 2, item);
    }
    await snap(page, 'state-04-problems-counted');

    await gesture('edit', { a1: 'C2', value: 37 });
    await gesture('paste', { a1: `C${ROWS + 2}`, values: [[51, 'Nuenen']] });
    await byId('sync-state').filter({ hasText: 'Everything is in sync.' }).waitFor({ timeout: REFRESH_WAIT_MS });
    await byId('rejected-section').waitFor({ state: 'hidden' });
    assert.equal(await count("SELECT COUNT(*) AS n FROM people WHERE name = 'Edsger' AND age = 51"), 1);
  });

  test('a header in another case is a problem at the top, fixed with one click', async () => {
    await gesture('edit', { a1: 'B1', value: 'Name' });
    const problem = byId('header-problem-0');
    await problem.waitFor({ timeout: REFRESH_WAIT_MS });
    assert.match(await problem.innerText(), /"Name".*"name".*only in case/);
    await byId('sync-state').filter({ hasText: /waiting for you \(1 header problem\)/ }).waitFor();
    // Questions first, then the state and Sync button, then the rules, then the rest.
    assert.ok(await top('headers-section') < await top('sync-state'));
    assert.ok(await top('sync-button') < await top('policy-summary'));
    assert.ok(await top('policy-summary') < await top('table-section'));
    await snap(page, 'state-05-header-problem');
    await byId('header-fix-0').click();
    await byId('headers-section').waitFor({ state: 'hidden' });
    await cell('B1').filter({ hasText: /^name$/ }).waitFor();
    await byId('sync-state').filter({ hasText: 'Everything is in sync.' }).waitFor();
  });

  test('per-column rules fold under "Conflict rules", and saving says so', async () => {
    const column = byId('policy-column-age');
    assert.equal(await column.isVisible(), false, 'folded away until asked for');
    await byId('policy-summary').click();
    await column.waitFor();
    await snap(page, 'state-06-conflict-rules');
    await byId('policy-default').selectOption('latest-wins');
    await column.selectOption('manual');
    await byId('policy-save-button').click();
    await byId('policy-saved').filter({ hasText: 'Saved. 1 column has a rule of its own.' }).waitFor();
    await byId('policy-summary').click();
  });

  test('the mass-delete question stays until answered, and "Not now" can put the rows back', async () => {
    const total = await count('SELECT COUNT(*) AS n FROM people');
    await gesture('deleteRows', { row: 2, n: 700 });
    const question = byId('mass-delete-text');
    await question.filter({ hasText: `would delete 700 of the ${total.toLocaleString('en-US')} rows` }).waitFor({ timeout: REFRESH_WAIT_MS });
    const inSync = sidebar.getByText('Everything is in sync.');
    assert.equal(await inSync.count(), 0, 'never "in sync" next to the question');
    await byId('sync-state').filter({ hasText: 'a question about deleted rows' }).waitFor();
    await snap(page, 'state-07-mass-delete-question');

    await byId('cancel-delete-button').click();
    await byId('mass-delete-later').waitFor();
    await snap(page, 'state-08-mass-delete-not-now');
    await byId('keep-deleted-button').click();
    await byId('mass-delete-kept').waitFor();
    await byId('sync-button').click();
    await byId('last-synced').filter({ hasText: 'from the sidebar' }).waitFor();
    await question.waitFor();
    assert.equal(await inSync.count(), 0, 'a later sync still waits');
    assert.equal(await count('SELECT COUNT(*) AS n FROM people'), total, 'nothing deleted yet');
    await snap(page, 'state-09-mass-delete-kept');

    await byId('put-back-button').click();
    await byId('mass-delete-section').waitFor({ state: 'hidden', timeout: 60000 });
    await byId('sync-summary').filter({ hasText: '700 rows added to the sheet' }).waitFor();
    await byId('sync-state').filter({ hasText: 'Everything is in sync.' }).waitFor();
    assert.equal(await count('SELECT COUNT(*) AS n FROM people'), total);
    await cell(`B${total + 1}`).filter({ hasText: /\S/ }).waitFor();
    await snap(page, 'state-10-mass-delete-put-back');
  });

  test('after a server restart, live updates go back to the server and the stale error goes', async () => {
    await byId('live-status').filter({ hasText: 'Watching the database for changes.' }).waitFor();
    await rig.stack.server.down();
    await byId('sync-button').click();
    await byId('error-message').filter({ hasText: 'cannot reach the sheetsync server' }).waitFor({ timeout: 30000 });
    await byId('live-status').filter({ hasText: /Live updates paused: .*automatically/ }).waitFor({ timeout: 30000 });
    await byId('sync-state').filter({ hasText: 'The last sync failed.' }).waitFor();
    await snap(page, 'state-11-server-down');
    await rig.stack.server.up();
    await byId('live-status').filter({ hasText: 'Watching the database for changes.' }).waitFor({ timeout: 60000 });
    await byId('error-message').waitFor({ state: 'hidden', timeout: 20000 });
    await byId('sync-state').filter({ hasText: 'Everything is in sync.' }).waitFor();
    // Live again, straight from the server: a change made with SQL reaches the sheet.
    await rig.stack.sql("UPDATE people SET city = 'Eindhoven' WHERE name = 'Edsger'");
    await page.locator('td').filter({ hasText: 'Eindhoven' }).waitFor({ timeout: 20000 });
    await snap(page, 'state-12-server-back');
  });

  test('"Stop syncing" on a full sheet does not call it empty, and binding again keeps the rules and automatic sync', async () => {
    await byId('unbind-button').click();
    const note = byId('table-note');
    await note.waitFor();
    const rows = await count('SELECT COUNT(*) AS n FROM people');
    assert.match(await note.innerText(), new RegExp(`^This sheet has ${rows.toLocaleString('en-US')} rows under its header`));
    assert.doesNotMatch(await note.innerText(), /empty/);
    await byId('intro-section').waitFor();
    await snap(page, 'state-13-unbound-full-sheet');
    await byId('table-select').selectOption('people');
    await byId('bind-button').click();
    await byId('sync-state').filter({ hasText: 'Everything is in sync.' }).waitFor({ timeout: 60000 });
    assert.equal(await byId('policy-default').inputValue(), 'latest-wins');
    assert.equal(await byId('policy-column-age').inputValue(), 'manual');
    assert.equal(await byId('auto-sync-switch').isChecked(), true);
    assert.deepEqual(errors, [], 'no script error on the page');
  });
});
