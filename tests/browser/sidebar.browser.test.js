'use strict';
// The sidebar in headless Chromium, on the playground page, with google.script.run bridged
// to the emulator running the add-on: connect, bind, sync with the progress bar, receive a
// database change live, settle a conflict by clicking, and see a rejected row. Screenshots
// of each state go to tests/artifacts/screenshots/.

const assert = require('node:assert/strict');
const { describe, test, before, after } = require('node:test');
const { ddl } = require('../e2e/harness/stack');
const { openRig, snap } = require('./harness');

const PEOPLE = ddl.table('people', ['name VARCHAR(40) NOT NULL', 'qty INT NULL', 'city VARCHAR(40) NULL']);

describe('the sidebar in Chromium (mariadb)', () => {
  let rig;
  let page;
  let sidebar;
  const errors = [];

  before(async () => {
    rig = await openRig({ label: 'browser', tables: { people: PEOPLE }, delayMs: 1500 });
    await rig.stack.sql("INSERT INTO people (name, qty, city) VALUES ('Ada', 3, 'London'), ('Grace', 5, 'Arlington'), ('Linus', 7, 'Helsinki'), ('Barbara', 2, 'Boston')");
    page = await rig.browser.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(rig.playground.url);
    await page.waitForSelector('[data-testid=cell-A1]');
    sidebar = page.frameLocator('[data-testid=sidebar-frame]');
  });

  after(async () => {
    if (rig) await rig.close();
  });

  const cell = (a1) => page.locator(`[data-testid=cell-${a1}]`);

  async function typeInto(a1, value) {
    await cell(a1).dblclick();
    await page.locator('[data-testid=formula-bar]').fill(String(value));
    await page.locator('[data-testid=formula-bar]').press('Enter');
  }

  async function runSql(text) {
    await page.locator('[data-testid=sql-text]').fill(text);
    await page.locator('[data-testid=sql-run]').click();
    await page.locator('[data-testid=sql-out]').filter({ hasText: /done|\w/ }).waitFor();
  }

  test('connecting with a URL and token shows the tables the token may sync', async () => {
    await sidebar.locator('[data-testid=connect-button]').waitFor();
    await sidebar.locator('footer, [data-testid=footer]').filter({ hasText: /protocol v1/ }).waitFor();
    await snap(page, '01-connect');
    await sidebar.locator('[data-testid=server-url]').fill(rig.stack.url);
    await sidebar.locator('[data-testid=server-token]').fill(rig.stack.token);
    await sidebar.locator('[data-testid=connect-button]').click();
    await sidebar.locator('[data-testid=connected-as]').filter({ hasText: rig.stack.url }).waitFor();
    await sidebar.locator('[data-testid=table-select] option[value=people]').waitFor({ state: 'attached' });
    await snap(page, '02-connected');
  });

  test('binding the table fills the sheet with a visible progress bar and a summary', async () => {
    const frame = page.frame({ url: /\/sidebar$/ });
    // Note every state the progress bar goes through, however brief.
    await frame.evaluate(() => {
      window.__progressSeen = [];
      const bar = document.getElementById('sync-progress');
      new MutationObserver(() => window.__progressSeen.push(bar.className)).observe(bar, { attributes: true });
    });
    await sidebar.locator('[data-testid=table-select]').selectOption('people');
    await sidebar.locator('[data-testid=bind-button]').click();
    await frame.waitForFunction(() => {
      const bar = document.getElementById('sync-progress');
      return bar.classList.contains('busy') && bar.offsetParent !== null && bar.firstElementChild.getBoundingClientRect().width > 0;
    }, null, { polling: 'raf' });
    // Hold the sliding bar mid-track so the picture shows it.
    await frame.addStyleTag({ content: '.progress.busy > div { animation-delay: -0.5s !important; animation-play-state: paused !important; }' });
    await snap(page, '03-syncing');
    await sidebar.locator('[data-testid=sync-summary]').filter({ hasText: /4 rows added to the sheet/ }).waitFor();
    assert.ok((await frame.evaluate(() => window.__progressSeen)).some((c) => /busy/.test(c)), 'the progress bar ran');
    await cell('B5').filter({ hasText: 'Barbara' }).waitFor();
    assert.deepEqual(await page.locator('tr.header td').allTextContents().then((t) => t.slice(0, 4)), ['id', 'name', 'qty', 'city']);
    await sidebar.locator('[data-testid=live-status]').filter({ hasText: /Watching/ }).waitFor();
    await snap(page, '04-synced');
  });

  test('a change made with SQL reaches the sheet without a click', async () => {
    await runSql("UPDATE people SET city = 'Cambridge' WHERE name = 'Ada'");
    await cell('D2').filter({ hasText: 'Cambridge' }).waitFor({ timeout: 20000 });
    await snap(page, '05-live-change');
  });

  test('a conflict is shown with both values and settled by clicking the sheet side', async () => {
    await sidebar.locator('[data-testid=policy-summary]').click();
    await sidebar.locator('[data-testid=policy-default]').selectOption('manual');
    await sidebar.locator('[data-testid=policy-save-button]').click();
    await page.waitForTimeout(300);
    await typeInto('C3', 50);
    await cell('C3').filter({ hasText: '50' }).waitFor();
    await runSql("UPDATE people SET qty = 60 WHERE name = 'Grace'");
    // The live feed or a click on Sync now brings the conflict up.
    const card = sidebar.locator('[data-testid=conflict-0]');
    try {
      await card.waitFor({ timeout: 8000 });
    } catch {
      await sidebar.locator('[data-testid=sync-button]').click();
      await card.waitFor();
    }
    assert.match(await card.textContent(), /qty/);
    assert.match(await card.textContent(), /50/);
    assert.match(await card.textContent(), /60/);
    await snap(page, '06-conflict');
    await sidebar.locator('[data-testid=conflict-0-sheet]').click();
    await sidebar.locator('[data-testid=resolve-button]').click();
    await sidebar.locator('[data-testid=conflicts-section]').waitFor({ state: 'hidden' });
    const [row] = await rig.stack.sql("SELECT qty FROM people WHERE name = 'Grace'");
    assert.equal(Number(row.qty), 50, 'the sheet value reached the database');
    await snap(page, '07-conflict-settled');
  });

  test('a row the database refuses is listed with its sheet row and reason', async () => {
    await typeInto('B6', 'Edsger');
    await typeInto('C6', 'lots');
    await sidebar.locator('[data-testid=sync-button]').click();
    const item = sidebar.locator('[data-testid=rejected-0]');
    await item.waitFor();
    assert.match(await item.textContent(), /Row 6/);
    assert.match(await item.textContent(), /qty/);
    await snap(page, '08-rejected-row');
    assert.deepEqual(errors, [], 'no script error on the page');
  });

  test('deleting most rows in the sheet asks in the sidebar before the database loses them', async () => {
    // The guard looks at tables of five rows or more: three more arrive from the database.
    await runSql("INSERT INTO people (name, qty, city) VALUES ('Ken', 1, 'Murray Hill'), ('Dennis', 1, 'Bronxville'), ('Bjarne', 1, 'Aarhus')");
    await page.locator('td').filter({ hasText: 'Bjarne' }).waitFor({ timeout: 20000 });
    for (let i = 0; i < 5; i++) {
      await cell('A2').click();
      await page.locator('[data-testid=delete-row-button]').click();
      await page.waitForTimeout(200);
    }
    await cell('B2').filter({ hasText: 'Ken' }).waitFor();
    await sidebar.locator('[data-testid=sync-button]').click();
    await sidebar.locator('[data-testid=mass-delete-text]').filter({ hasText: /would delete 4 of the 7 rows/ }).waitFor();
    assert.equal(Number((await rig.stack.sql('SELECT COUNT(*) AS n FROM people'))[0].n), 7, 'nothing deleted before the answer');
    await snap(page, '09-mass-delete-question');
    await sidebar.locator('[data-testid=confirm-delete-button]').click();
    await sidebar.locator('[data-testid=mass-delete-section]').waitFor({ state: 'hidden' });
    await sidebar.locator('[data-testid=sync-summary]').filter({ hasText: /4 deleted from the database/ }).waitFor();
    const left = await rig.stack.sql('SELECT name FROM people');
    assert.deepEqual(left.map((r) => r.name).sort(), ['Bjarne', 'Dennis', 'Ken']);
    await snap(page, '10-mass-delete-confirmed');
    assert.deepEqual(errors, [], 'no script error on the page');
  });
});
