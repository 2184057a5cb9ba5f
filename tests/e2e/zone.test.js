'use strict';
// addon/Zone.js in the emulator: the offset table it hands the core agrees with the runtime's
// zone data at every instant, finds each change to the second, is cached per zone, and falls
// back to Utilities.formatDate for a zone Intl does not know.
// Run: cd tests && node --test e2e/zone.test.js

const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');
const { createEmulator } = require('../emulator');

const ZONE_JS = path.join(__dirname, '..', '..', 'addon', 'Zone.js');
const FROM = Date.UTC(1899, 11, 1);
const TO = Date.UTC(2100, 0, 1);
const DAY = 86400000;

function emulator() {
  return createEmulator({ files: [ZONE_JS], timeZone: 'UTC' });
}

/** The zone's offset (s) at `ms`, straight from Node's Intl. */
function intlOffset(timeZone) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  return (ms) => {
    const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
    return (Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second) - ms) / 1000;
  };
}

/** The offset the table gives at `ms`: the last entry at or before it, else the first. */
function tableOffset(table, ms) {
  let offset = table[0][1];
  for (const [start, o] of table) {
    if (start > ms) break;
    offset = o;
  }
  return offset;
}

for (const zone of ['Asia/Kolkata', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Apia']) {
  test(`the ${zone} table agrees with Intl daily and around every change`, async () => {
    const table = await emulator().run('zoneOffsets_', zone);
    const truth = intlOffset(zone);
    assert.deepEqual(table[0], [FROM, truth(FROM)]);
    for (let i = 1; i < table.length; i++) {
      const [start, offset] = table[i];
      assert.ok(start > table[i - 1][0], `entry ${i} comes after the one before`);
      assert.equal(truth(start), offset, `${zone} at ${new Date(start).toISOString()}`);
      assert.notEqual(truth(start - 1000), offset, `${zone}: the change at ${new Date(start).toISOString()} is found to the second`);
    }
    for (let ms = FROM + 3600000 * 5; ms < TO; ms += DAY + 3600000) {
      assert.equal(tableOffset(table, ms), truth(ms), `${zone} at ${new Date(ms).toISOString()}`);
    }
  });
}

test('known changes are in the tables', async () => {
  const emu = emulator();
  const paris = await emu.run('zoneOffsets_', 'Europe/Paris');
  assert.deepEqual(paris[0], [FROM, 561], 'Paris mean time, +0:09:21, on the sheet\'s day zero');
  assert.ok(paris.some(([s, o]) => s === Date.UTC(2024, 2, 31, 1) && o === 7200), 'summer time 2024');
  assert.ok(paris.some(([s, o]) => s === Date.UTC(2024, 9, 27, 1) && o === 3600), 'winter time 2024');
  const kolkata = await emu.run('zoneOffsets_', 'Asia/Kolkata');
  assert.deepEqual(kolkata[kolkata.length - 1], [Date.UTC(1945, 9, 14, 17, 30), 19800]);
  const apia = await emu.run('zoneOffsets_', 'Pacific/Apia');
  assert.ok(apia.some(([s, o]) => s === Date.UTC(2011, 11, 30, 10) && o === 14 * 3600), 'Samoa skips 2011-12-30');
});

test('the table is computed once per zone and then read from the script cache', async () => {
  const emu = emulator();
  const first = await emu.run('zoneOffsets_', 'America/New_York');
  const cached = emu.caches.script.get('zoneOffsets:1:America/New_York');
  assert.deepEqual(JSON.parse(cached.value), first);
  assert.ok(cached.value.length < 100 * 1024, 'a cache value holds it');
  cached.value = JSON.stringify([[0, -18000]]);
  assert.deepEqual(await emu.run('zoneOffsets_', 'America/New_York'), [[0, -18000]], 'the next execution reads the cache');
  cached.value = 'not json';
  assert.deepEqual(await emu.run('zoneOffsets_', 'America/New_York'), first, 'a damaged entry is recomputed');
});

test('a zone Intl rejects is read through Utilities.formatDate', async () => {
  const table = await emulator().run('zoneOffsets_', 'Not/AZone');
  assert.deepEqual(table, [[FROM, 0]], 'the emulator formats an unknown zone as UTC, as Apps Script does');
  const parse = await emulator().run('zoneParseOffset_', '-0930');
  assert.equal(parse, -(9 * 3600 + 30 * 60));
});
