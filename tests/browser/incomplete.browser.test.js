'use strict';
// A row typed into the sheet that still lacks a required value (NOT NULL, no default) is
// listed in the sidebar as incomplete, naming what it lacks, and nothing reaches the
// database; once the last value is typed it is added, once. Screenshots of both states go
// to tests/artifacts/screenshots/.

const assert = require('node:assert/strict');
const { describe, test, before, after } = require('node:test');
const { ddl } = require('../e2e/harness/stack');
const { openRig, openBoundSidebar, snap } = require('./harness');

// Headers after binding: id, title, points, note.
const TASKS = ddl.table('tasks', ['title VARCHAR(40) NOT NULL', 'points INT NOT NULL', 'note VARCHAR(40) NULL']);

describe('an incomplete new row in the sidebar (mariadb)', () => {
  let rig;
  let page;
  let sidebar;
  const errors = [];

  before(async () => {
    rig = await openRig({ label: 'browser-incomplete', tables: { tasks: TASKS } });
    ({ page, sidebar } = await openBoundSidebar(rig, 'tasks', errors));
    await cell('D1').filter({ hasText: 'note' }).waitFor();
  });

  after(async () => {
    if (rig) await rig.close();
  });

  const cell = (a1) => page.locator(`[data-testid=cell-${a1}]`);
  const rowsInDatabase = async () => Number((await rig.stack.sql('SELECT COUNT(*) AS n FROM tasks'))[0].n);

  async function typeInto(a1, value) {
    await cell(a1).dblclick();
    await page.locator('[data-testid=formula-bar]').fill(String(value));
    await page.locator('[data-testid=formula-bar]').press('Enter');
    await cell(a1).filter({ hasText: String(value) }).waitFor();
  }

  async function syncNow() {
    await sidebar.locator('[data-testid=sync-button]').click();
  }

  test('a row still missing a required value is listed as incomplete and not sent', async () => {
    await typeInto('D2', 'by Friday');
    await typeInto('B2', 'write the docs');
    await syncNow();
    const item = sidebar.locator('[data-testid=rejected-0]');
    await item.filter({ hasText: /points/ }).waitFor();
    const text = await item.textContent();
    assert.match(text, /Row 2/);
    assert.match(text, /not added to the database until it has a value in points/);
    assert.doesNotMatch(text, /title/, 'the typed title is not asked for');
    assert.equal(await rowsInDatabase(), 0, 'nothing reached the database');
    await snap(page, '40-incomplete-row');
  });

  test('a row waiting for values is counted apart from problems, and the sheet is not in sync', async () => {
    const byId = (id) => sidebar.locator(`[data-testid=${id}]`);
    assert.equal(await byId('rejected-count').innerText(), '1 row waiting for values');
    assert.equal(await byId('rejected-title').innerText(), 'Rows to finish');
    assert.equal(await byId('sync-state').innerText(), 'Not in sync: 1 row waiting for values.');
  });

  test('typing the last required value adds the row once and clears the message', async () => {
    await typeInto('C2', 3);
    await syncNow();
    await sidebar.locator('[data-testid=rejected-section]').waitFor({ state: 'hidden' });
    const rows = await rig.stack.sql('SELECT id, title, points, note FROM tasks');
    assert.deepEqual(rows.map((r) => [r.title, Number(r.points), r.note]), [['write the docs', 3, 'by Friday']]);
    await cell('A2').filter({ hasText: String(rows[0].id) }).waitFor();
    await snap(page, '41-incomplete-row-completed');
    assert.deepEqual(errors, [], 'no script error on the page');
  });
});
