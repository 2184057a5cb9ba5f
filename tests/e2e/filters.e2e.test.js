'use strict';
// A filter in the bound sheet only hides rows from view: applying, changing and removing it
// changes nothing anywhere, edits made while it is on reach the database, and database
// changes to rows it hides land in those rows.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { useStack, ddl } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, byKey, plain, assertTriggersOk, pushesSince } = require('./harness/addon');
const { addonCursor, changesSince, quietCursor } = require('./harness/feed');
const { filterRows, removeFilter, hiddenRows } = require('./harness/gestures');

const CITIES = ddl.table('cities', ['name VARCHAR(40) NOT NULL', 'country VARCHAR(40) NULL', 'people INT NULL']);
const COUNTRY = 3;

/** The table as records like sheetRecords' (without `_row`). */
async function tableRecords(stack) {
  const rows = await stack.sql('SELECT id, name, country, people FROM cities ORDER BY id');
  return rows.map((r) => ({ id: Number(r.id), name: r.name, country: r.country, people: Number(r.people) }));
}

describe('a filtered sheet (mariadb)', () => {
  const stack = useStack('mariadb', { label: 'filters', tables: { cities: CITIES } });

  test('a filter applied, changed and removed changes nothing; edits under it sync, and database changes reach the rows it hides', async () => {
    await stack.sql("INSERT INTO cities (name, country, people) VALUES ('Oslo', 'NO', 709), ('Bergen', 'NO', 291), ('Lyon', 'FR', 522), ('Turin', 'IT', 848), ('Nice', 'FR', 342)");
    const emu = addonEmulator();
    await connectAndBind(emu, stack, 'cities');
    await emu.run('syncNow', {});
    await emu.run('setAutoSync', true);
    const before = plain(byKey(await sheetRecords(emu)));
    let cursor = await quietCursor(stack, 'cities', await addonCursor(emu));
    let seen = emu.stats.requests.length;

    // Filtering rows out, changing the filter and sorting under it: each gesture's triggers
    // sync, and nothing is pushed or logged.
    assertTriggersOk(await filterRows(emu, emu.user, 'Sheet1', COUNTRY, ['NO']));
    assert.equal(hiddenRows(emu, 'Sheet1').length, 2, 'the Norwegian rows are hidden');
    assertTriggersOk(await filterRows(emu, emu.user, 'Sheet1', COUNTRY, ['FR']));
    assertTriggersOk(await emu.user.sortSheet('Sheet1', 4, false));
    const hidden = hiddenRows(emu, 'Sheet1');
    assert.equal(hidden.length, 2, 'the French rows are hidden now');
    assert.equal((await emu.run('syncNow', {})).text, 'Everything is in sync.');
    assert.deepEqual(pushesSince(emu, seen), [], 'no push was made');
    assert.deepEqual(await changesSince(stack, 'cities', cursor), [], 'the change log has no new entry');
    assert.deepEqual(plain(byKey(await sheetRecords(emu))), before, 'the sheet holds the same rows');

    // An edit to a row the filter shows reaches the database through the onEdit trigger.
    const turin = (await sheetRecords(emu)).find((r) => r.name === 'Turin');
    assert.ok(!hidden.includes(turin._row));
    assertTriggersOk(await emu.user.editCell('Sheet1', `D${turin._row}`, 849));
    assert.equal(Number((await stack.sql("SELECT people FROM cities WHERE name = 'Turin'"))[0].people), 849);

    // Another application changes and deletes rows the filter hides, and adds one.
    await stack.sql("UPDATE cities SET people = 343 WHERE name = 'Nice'");
    await stack.sql("DELETE FROM cities WHERE name = 'Lyon'");
    await stack.sql("INSERT INTO cities (name, country, people) VALUES ('Paris', 'FR', 2103)");
    await quietCursor(stack, 'cities', await addonCursor(emu));
    await emu.run('syncNow', {});
    const records = await sheetRecords(emu);
    const nice = records.find((r) => r.name === 'Nice');
    assert.equal(nice.people, 343, 'the hidden row got the new value');
    assert.ok(hiddenRows(emu, 'Sheet1').includes(nice._row), 'in the row the filter still hides');
    assert.equal(records.some((r) => r.name === 'Lyon'), false, 'the deleted hidden row is gone');
    assert.deepEqual(plain(byKey(records)), await tableRecords(stack), 'the sheet holds the table');

    // Removing the filter shows every row and changes nothing.
    cursor = await quietCursor(stack, 'cities', await addonCursor(emu));
    seen = emu.stats.requests.length;
    assertTriggersOk(await removeFilter(emu, emu.user, 'Sheet1'));
    assert.equal((await emu.run('syncNow', {})).text, 'Everything is in sync.');
    assert.deepEqual(pushesSince(emu, seen), [], 'no push was made');
    assert.deepEqual(await changesSince(stack, 'cities', cursor), [], 'the change log has no new entry');
    assert.deepEqual(plain(byKey(await sheetRecords(emu))), await tableRecords(stack));
  });
});
