'use strict';
// Values survive the trip both ways without loss: leading zeros, exact decimals, dates and
// datetimes in a spreadsheet time zone that is not UTC, booleans, NULL kept apart from "",
// long text and unicode; dates and datetimes on both sides of a daylight-saving change. On
// MariaDB, PostgreSQL and SQLite.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { backends } = require('./harness/databases');
const { useStack } = require('./harness/stack');
const { addonEmulator, connectAndBind, sheetRecords, byKey } = require('./harness/addon');

const COLUMNS = {
  mariadb: 'id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NULL, amount DECIMAL(20,6) NULL, born DATE NULL, seen DATETIME NULL, active BOOLEAN NULL, note TEXT NULL, label VARCHAR(40) NULL',
  postgres: 'id SERIAL PRIMARY KEY, code VARCHAR(10) NULL, amount NUMERIC(20,6) NULL, born DATE NULL, seen TIMESTAMP NULL, active BOOLEAN NULL, note TEXT NULL, label VARCHAR(40) NULL',
  sqlite: 'id INTEGER PRIMARY KEY AUTOINCREMENT, code VARCHAR(10) NULL, amount DECIMAL(20,6) NULL, born DATE NULL, seen DATETIME NULL, active BOOLEAN NULL, note TEXT NULL, label VARCHAR(40) NULL',
};
const table = (name) => (backend) => `CREATE TABLE ${name} (${COLUMNS[backend]})`;

// A spreadsheet zone with a half-hour offset and no daylight saving: any slip to UTC shows.
const ZONE = 'Asia/Kolkata';
// A zone with daylight saving: 2024-03-31 02:00 jumps to 03:00, 2024-10-27 03:00 falls back to 02:00.
const DST_ZONE = 'Europe/Paris';
const LONG = 'Grüße aus Köln — 東京 🚀 '.repeat(1200);
// SQLite's NUMERIC affinity stores a decimal as a double when it reads as one, so more
// digits than a double holds can only be exact on the servers with a real DECIMAL.
const BIG = (backend) => (backend === 'sqlite' ? '1234567.123456' : '12345678901234.123456');

/** A decimal as canonical text (no trailing zeros), from whatever the driver returns. */
function decimal(v) {
  if (v === null || v === undefined) return v;
  const s = String(v);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
const day = (v) => (v === null ? null : String(v).slice(0, 10));
const stamp = (v) => (v === null ? null : String(v).replace('T', ' ').replace(/\.0+$/, '').slice(0, 19));
const bool = (v) => (v === null ? null : v === true || v === 1 || v === '1' || v === 't');

async function dbRows(stack, name) {
  const rows = await stack.sql(`SELECT id, code, amount, born, seen, active, note, label FROM ${name} ORDER BY id`);
  return rows.map((r) => ({
    code: r.code, amount: decimal(r.amount), born: day(r.born), seen: stamp(r.seen),
    active: bool(r.active), note: r.note, label: r.label,
  }));
}

for (const backend of backends()) {
  describe(`types on ${backend}`, () => {
    const stack = useStack(backend, { label: `types-${backend}`, tables: { from_db: table('from_db'), from_sheet: table('from_sheet'), dst: table('dst') } });

    test('values written by another application reach the sheet as it shows them and return unchanged', async () => {
      await stack.sql(
        'INSERT INTO from_db (code, amount, born, seen, active, note, label) VALUES (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)',
        ['00123', BIG(backend), '2024-02-29', '2024-07-01 23:45:00', true, LONG, null,
          '0042', '0.100000', '1999-12-31', '2000-01-01 00:00:00', false, 'ünïcödé ✓', ''],
      );
      const before = await dbRows(stack, 'from_db');
      const emu = addonEmulator({ timeZone: ZONE });
      await connectAndBind(emu, stack, 'from_db');
      await emu.run('syncNow', {});
      const [a, b] = byKey(await sheetRecords(emu));
      assert.equal(a.code, '00123', 'leading zeros are kept');
      assert.equal(b.code, '0042');
      assert.deepEqual(a.born, { date: '2024-02-29 00:00:00' }, 'a DATE is that day in the sheet');
      assert.deepEqual(a.seen, { date: '2024-07-01 23:45:00' }, 'a DATETIME keeps its wall clock in the sheet zone');
      assert.deepEqual(b.seen, { date: '2000-01-01 00:00:00' });
      assert.equal(a.active, true);
      assert.equal(b.active, false);
      assert.equal(a.note, LONG, 'long unicode text arrives whole');
      assert.equal(b.note, 'ünïcödé ✓');
      assert.equal(decimal(String(a.amount)), BIG(backend), 'the decimal shows every digit');
      assert.equal(Number(b.amount), 0.1);

      // Touching another cell of each row and syncing writes the row back unchanged.
      const records = byKey(await sheetRecords(emu));
      for (const r of records) await emu.user.editCell('Sheet1', `A${r._row}`, r.id);
      await emu.user.editCell('Sheet1', `H${records[0]._row}`, 'x');
      await emu.user.editCell('Sheet1', `H${records[0]._row}`, '');
      await emu.run('syncNow', {});
      await emu.run('syncNow', {});
      const after = await dbRows(stack, 'from_db');
      assert.deepEqual(after[1], before[1], 'the second row is unchanged');
      assert.deepEqual({ ...after[0], label: undefined }, { ...before[0], label: undefined }, 'the first row is unchanged');
      assert.ok(after[0].label === null || after[0].label === '', 'a cleared label is empty');
      assert.equal(before[0].label, null);
      assert.equal(after[1].label, '', 'an empty string stays an empty string, not NULL');
    });

    test('values typed in the sheet reach the database exactly', async () => {
      const emu = addonEmulator({ timeZone: ZONE });
      await connectAndBind(emu, stack, 'from_sheet');
      await emu.run('syncNow', {});
      const { values } = await emu.run('e2eReadSheet', 'Sheet1');
      assert.deepEqual(values[0], ['id', 'code', 'amount', 'born', 'seen', 'active', 'note', 'label']);
      await emu.user.pasteBlock('Sheet1', 'A2', [
        ['', "'007", '12345.678901', '3/15/2025', '3/15/2025 14:05:00', 'TRUE', '日本語 ✓ 🎉', ''],
        ['', '0099', '0.1', '1/1/2000', '12/31/1999 23:59:59', 'FALSE', LONG, 'plain'],
      ]);
      await emu.run('syncNow', {});
      const rows = await dbRows(stack, 'from_sheet');
      assert.deepEqual(rows[0], {
        code: '007', amount: '12345.678901', born: '2025-03-15', seen: '2025-03-15 14:05:00',
        active: true, note: '日本語 ✓ 🎉', label: rows[0].label,
      });
      assert.ok(rows[0].label === null || rows[0].label === '', 'an empty cell is NULL or empty');
      assert.equal(rows[1].amount, '0.1');
      assert.equal(rows[1].born, '2000-01-01');
      assert.equal(rows[1].seen, '1999-12-31 23:59:59');
      assert.equal(rows[1].active, false);
      assert.equal(rows[1].note, LONG);
      assert.equal(rows[1].label, 'plain');
      // A number typed into a text column arrives as the digits shown (the sheet made 0099 a number).
      assert.ok(rows[1].code === '99' || rows[1].code === '0099', `code is ${rows[1].code}`);
    });

    test('dates and datetimes keep their wall clock across daylight-saving changes', async () => {
      // Before and after the spring jump, the repeated hour of the autumn change, both days.
      const rows = [
        ['2024-03-30', '2024-03-31 01:59:59'], ['2024-03-31', '2024-03-31 03:00:00'],
        ['2024-10-27', '2024-10-27 02:30:00'], ['2024-10-28', '2024-10-27 03:00:00'],
      ];
      for (const [born, seen] of rows) await stack.sql('INSERT INTO dst (born, seen) VALUES (?, ?)', [born, seen]);
      const before = await dbRows(stack, 'dst');
      const emu = addonEmulator({ timeZone: DST_ZONE });
      await connectAndBind(emu, stack, 'dst');
      await emu.run('syncNow', {});
      const records = byKey(await sheetRecords(emu));
      assert.deepEqual(records.map((r) => [r.born, r.seen]), rows.map(([born, seen]) => [{ date: `${born} 00:00:00` }, { date: seen }]),
        'the sheet shows each wall clock as the database holds it');

      // Each row touched in the sheet goes back unchanged; a datetime typed in summer time arrives as typed.
      for (const r of records) await emu.user.editCell('Sheet1', `A${r._row}`, r.id);
      await emu.user.editCell('Sheet1', `E${records[0]._row}`, '7/14/2024 12:34:56');
      await emu.run('syncNow', {});
      await emu.run('syncNow', {});
      const after = await dbRows(stack, 'dst');
      assert.deepEqual(after.slice(1), before.slice(1), 'the rows are unchanged');
      assert.equal(after[0].seen, '2024-07-14 12:34:56');
      assert.equal(after[0].born, '2024-03-30');
    });
  });
}
