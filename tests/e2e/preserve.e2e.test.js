'use strict';
// What sheetsync must never touch: formula cells and columns the binding does not map. And
// what it must never do silently: delete most of a table without asking a person first.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, readSheet, sheetRecords, plain } = require('./harness/addon');

const SCORES = ddl.table('scores', ['name VARCHAR(40) NOT NULL', 'points INT NULL', 'bonus INT NULL']);
const TASKS = ddl.table('tasks', ['title VARCHAR(40) NOT NULL']);

for (const backend of backends()) describe(`what is never overwritten or deleted unasked on ${backend}`, () => {
  const stack = useStack(backend, { label: `preserve-${backend}`, tables: { scores: SCORES, tasks: TASKS } });

  test('formula cells and unmapped columns are never overwritten by database changes', async () => {
    await stack.sql("INSERT INTO scores (name, points, bonus) VALUES ('Ada', 10, 1), ('Grace', 20, 2)");
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'scores');
    await emu.run('syncNow', {});
    // The person adds a column of their own and a formula in a mapped column.
    await emu.user.editCell('Sheet1', 'E1', 'comment');
    await emu.user.editCell('Sheet1', 'E2', 'ask about it');
    await emu.user.editCell('Sheet1', 'E3', 'fine');
    await emu.user.typeFormula('Sheet1', 'D2', '=C2*2');
    await emu.run('syncNow', {});

    await stack.sql("UPDATE scores SET name = 'Ada L.', bonus = 99 WHERE name = 'Ada'");
    await stack.sql("UPDATE scores SET points = 21 WHERE name = 'Grace'");
    await stack.sql("INSERT INTO scores (name, points, bonus) VALUES ('Linus', 30, 3)");
    await emu.run('syncNow', {});
    await emu.run('syncNow', {});

    const { values, formulas } = await readSheet(emu);
    assert.deepEqual(values[0], ['id', 'name', 'points', 'bonus', 'comment']);
    assert.equal(formulas[1][3], '=C2*2', 'the formula is still there');
    assert.equal(values[1][1], 'Ada L.', 'the rest of the row was updated');
    assert.deepEqual(values.map((r) => r[4]), ['comment', 'ask about it', 'fine', ''], 'the unmapped column is untouched');
    assert.equal(values[2][2], 21);
    assert.deepEqual(values[3].slice(1, 4), ['Linus', 30, 3]);
  });

  test('deleting most of the table asks first and deletes only once confirmed', async () => {
    await stack.sql(`INSERT INTO tasks (title) VALUES ${Array.from({ length: 10 }, (_, i) => `('task ${i + 1}')`).join(', ')}`);
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'tasks');
    await emu.run('syncNow', {});
    const kept = (await sheetRecords(emu)).slice(8).map((r) => r.title).sort();
    await emu.user.deleteRows('Sheet1', 2, 8);

    const held = await emu.run('syncNow', {});
    assert.ok(held.massDelete, 'the sync asks before deleting');
    assert.equal(held.massDelete.withheld, 8);
    assert.match(held.massDelete.text, /would delete 8 of the 10 rows/);
    assert.equal(Number((await stack.sql('SELECT COUNT(*) AS n FROM tasks'))[0].n), 10, 'nothing was deleted yet');
    const again = await emu.run('syncNow', {});
    assert.ok(again.massDelete, 'it keeps asking until someone answers');
    assert.equal(Number((await stack.sql('SELECT COUNT(*) AS n FROM tasks'))[0].n), 10);

    const done = await emu.run('confirmMassDelete');
    assert.equal(done.massDelete, null);
    const left = await stack.sql('SELECT title FROM tasks ORDER BY title');
    assert.deepEqual(left.map((r) => r.title), kept);
    assert.deepEqual(plain(await sheetRecords(emu)).map((r) => r.title).sort(), kept);
  });
});
