'use strict';
// No edit lost, in the sidebar: a sheet edit the database overrode (database wins) is listed
// under "Replaced values" with both values, and its Restore button puts it back in the cell
// and syncs it to the database. A whole row the database deleted while the sheet edited it is
// listed with its cells and put back once by "Put the row back". Screenshots:
// 20-override-listed, 21-override-restored, 22-override-row-listed, 23-override-row-put-back.

const assert = require('node:assert/strict');
const { describe, test, before, after } = require('node:test');
const { ddl } = require('../e2e/harness/stack');
const { openRig, openBoundSidebar, snap } = require('./harness');

const PEOPLE = ddl.table('people', ['name VARCHAR(40) NOT NULL', 'qty INT NULL']);

describe('replaced values in the sidebar (mariadb)', () => {
  let rig;
  let page;
  let sidebar;
  const errors = [];

  before(async () => {
    rig = await openRig({ label: 'browser-overrides', tables: { people: PEOPLE } });
    await rig.stack.sql("INSERT INTO people (name, qty) VALUES ('Ada', 3), ('Grace', 5)");
    ({ page, sidebar } = await openBoundSidebar(rig, 'people', errors));
    await sidebar.locator('[data-testid=sync-summary]').filter({ hasText: /2 rows added to the sheet/ }).waitFor();
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

  test('a sheet edit the database overrode is listed with both values', async () => {
    assert.equal(await sidebar.locator('[data-testid=overrides-history]').isHidden(), true, 'nothing replaced yet');
    await typeInto('C3', 50);
    await cell('C3').filter({ hasText: '50' }).waitFor();
    await rig.stack.sql("UPDATE people SET qty = 60 WHERE name = 'Grace'");
    const item = sidebar.locator('[data-testid=override-0]');
    try {
      await item.waitFor({ timeout: 8000 });
    } catch {
      await sidebar.locator('[data-testid=sync-button]').click();
      await item.waitFor();
    }
    await cell('C3').filter({ hasText: '60' }).waitFor();
    const line = await item.textContent();
    assert.match(line, /qty of key 2/);
    assert.match(line, /the sheet's 50/);
    assert.match(line, /replaced by 60/);
    assert.match(line, /the database wins/);
    await snap(page, '20-override-listed');
  });

  test('Restore puts the replaced value back in the cell and syncs it to the database', async () => {
    await sidebar.locator('[data-testid=override-0-restore]').click();
    await cell('C3').filter({ hasText: '50' }).waitFor();
    await sidebar.locator('[data-testid=sync-summary]').filter({ hasText: /1 updated in the database/ }).waitFor();
    const [row] = await rig.stack.sql("SELECT qty FROM people WHERE name = 'Grace'");
    assert.equal(Number(row.qty), 50, 'the restored value reached the database');
    await sidebar.locator('[data-testid=override-0-restore]').filter({ hasText: 'Restore again' }).waitFor();
    assert.match(await sidebar.locator('[data-testid=override-0]').textContent(), /Restored/);
    await snap(page, '21-override-restored');
    assert.deepEqual(errors, [], 'no script error on the page');
  });

  test('a whole row the database deleted while the sheet edited it is listed with its cells', async () => {
    await typeInto('C2', 30);
    await cell('C2').filter({ hasText: '30' }).waitFor();
    await rig.stack.sql("DELETE FROM people WHERE name = 'Ada'");
    const item = sidebar.locator('[data-testid=override-0]').filter({ hasText: /The whole row of key 1/ });
    try {
      await item.waitFor({ timeout: 8000 });
    } catch {
      await sidebar.locator('[data-testid=sync-button]').click();
      await item.waitFor();
    }
    await cell('B2').filter({ hasText: 'Grace' }).waitFor();
    const line = await item.textContent();
    // The grid's edits here run no onEdit trigger (automatic sync is off), so nobody
    // recorded who made this one: the sidebar says so rather than guess.
    assert.match(line, /the sheet's row \(1, Ada, 30\) \(by an unknown editor\)/);
    assert.match(line, /lost to the database's deletion/);
    await sidebar.locator('[data-testid=override-0-restore]').filter({ hasText: 'Put the row back' }).waitFor();
    await snap(page, '22-override-row-listed');
  });

  test('"Put the row back" appends it once and syncs it to the database', async () => {
    await sidebar.locator('[data-testid=override-0-restore]').click();
    await sidebar.locator('[data-testid=sync-summary]').filter({ hasText: /1 added to the database/ }).waitFor();
    const rows = await rig.stack.sql("SELECT id, qty FROM people WHERE name = 'Ada'");
    assert.equal(rows.length, 1, 'Ada is back in the database, once');
    assert.equal(Number(rows[0].qty), 30, 'with the edit that lost');
    await cell('B3').filter({ hasText: 'Ada' }).waitFor();
    await cell('A3').filter({ hasText: String(rows[0].id) }).waitFor();
    const item = sidebar.locator('[data-testid=override-0]');
    await item.filter({ hasText: /Put back/ }).waitFor();
    assert.equal(await sidebar.locator('[data-testid=override-0-restore]').count(), 0, 'no second restore is offered');
    await snap(page, '23-override-row-put-back');
    assert.deepEqual(errors, [], 'no script error on the page');
  });
});
