// The generated add-on bundle, loaded the way Apps Script loads it: a plain script in a
// global scope that has WebAssembly but no TextEncoder, TextDecoder, atob or fetch.
// Run: node --test wasm/js-tests/   (after scripts/build-addon)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const addon = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'addon');
const bundle = readFileSync(join(addon, 'WasmBundle.js'), 'utf8');

/** A fresh Apps-Script-like global scope with the bundle loaded, as one execution sees it. */
function execution() {
  const context = vm.createContext({ console });
  for (const absent of ['TextEncoder', 'TextDecoder', 'atob', 'fetch', 'setTimeout']) {
    assert.equal(vm.runInContext(`typeof ${absent}`, context), 'undefined', absent);
  }
  vm.runInContext(bundle, context, { filename: 'WasmBundle.js' });
  return context;
}

const table = {
  name: 'items',
  writable: true,
  columns: [
    { name: 'id', sql_type: { kind: 'int', bits: 32, unsigned: false }, nullable: false, primary_key: true, generated: true },
    { name: 'label', sql_type: { kind: 'text', max_chars: 5 }, nullable: true },
    { name: 'price', sql_type: { kind: 'decimal', precision: 8, scale: 2 }, nullable: true },
  ],
};

test('the bundle instantiates without text coders and answers the protocol version', async () => {
  const context = execution();
  const started = process.hrtime.bigint();
  const core = await vm.runInContext('sheetsyncCore()', context);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`first instantiate: ${ms.toFixed(1)} ms (bundle ${bundle.length} bytes)`);
  assert.equal(core.protocolVersion(), 1);
  assert.match(core.coreVersion(), /^\d+\.\d+\.\d+/);
});

test('the core is instantiated once per execution and shared', async () => {
  const context = execution();
  const [a, b] = await Promise.all([
    vm.runInContext('sheetsyncCore()', context),
    vm.runInContext('sheetsyncCore()', context),
  ]);
  assert.equal(a, b);
  assert.equal(await vm.runInContext('sheetsyncCore()', context), a);
});

test('text crosses the boundary intact through the polyfilled coders', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  for (const s of ['abc', 'héé', '日本', '😀x', '']) {
    assert.equal(core.checkCell(table, 'label', s), s);
  }
});

test('a value that does not fit its column throws a sentence naming the column', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  assert.equal(core.checkCell(table, 'price', '12.5'), '12.50');
  assert.throws(() => core.checkCell(table, 'price', 'cheap'), (e) => {
    assert.match(e.message, /column "price"/);
    return true;
  });
  assert.throws(() => core.checkCell(table, 'label', 'too long'), /at most 5/);
});

test('a malformed table list is refused with a reason, not a crash', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  assert.throws(() => core.decodeTableList({ protocol: 1 }), /table list.*tables/);
  assert.throws(() => core.decodeTableList({ protocol: 7, tables: [] }), /protocol 7/);
  const list = core.decodeTableList({ protocol: 1, tables: [table] });
  assert.equal(list.tables[0].name, 'items');
  assert.deepEqual({ ...core.tableKeys(table) }, { keyColumn: 'id', why: null });
  const twoKeys = { ...table, columns: table.columns.map((c) => ({ ...c, primary_key: true })) };
  assert.deepEqual({ ...core.tableKeys(twoKeys) }, { keyColumn: null, why: 'needs a single-column primary key' });
  // The core keeps working after an error.
  assert.equal(core.protocolVersion(), 1);
});

test('the sidebar copy holds the same script inside a script tag', () => {
  const html = readFileSync(join(addon, 'SidebarWasm.html'), 'utf8');
  assert.ok(html.includes(`<script>\n${bundle}</script>`));
});

test('planSync carries the rows as flat arrays and plans exactly as the JSON path', async () => {
  const context = execution();
  const core = await vm.runInContext('sheetsyncCore()', context);
  const wide = {
    ...table,
    columns: [
      ...table.columns,
      { name: 'note', sql_type: { kind: 'text', max_chars: null }, nullable: true },
      { name: 'on', sql_type: { kind: 'date' }, nullable: true },
      { name: 'ok', sql_type: { kind: 'bool' }, nullable: true },
    ],
  };
  const sheets = [
    // Every kind of cell, text with characters beyond ASCII, -0, NaN (JSON null), short rows.
    [[1, 'ab', 12.5, 'héé 日本 😀', { d: 86400000 }, true], ['', 'x', -0, NaN, null, false],
      [3, '', 1e21], [], [4, 'toolong', '7.25', 'a\u0000b', { d: 0 }, 'TRUE']],
    // Enough text beyond ASCII that the text buffer grows as it is written.
    Array.from({ length: 300 }, (_, i) => [i + 1, 'é', i, `Gr ${i} ${'ü'.repeat(20)}`, null, i % 2 === 0]),
    // The buffer (sized one byte per unit) fills up in the middle of a text, after its ASCII part.
    [[1, 'a', 1, 'x'.repeat(1000), null, true], [2, 'b', 2, `ab${'ü'.repeat(10)}`, null, false]],
    // A cell the arrays do not describe takes the JSON path, with the JSON path's answer.
    [[1, 'ab', 1, { d: 5, x: 1 }, '', true]],
    // A date cell whose prototype has another enumerable key: JSON writes only its own d.
    [[1, 'ab', 1, 'n', Object.assign(Object.create({ x: 1 }), { d: 86400000 }), true]],
  ];
  for (const rows of sheets) {
    const input = {
      schema: wide, timeZone: 'Europe/Paris', zoneOffsets: [[0, 3600]], nowMs: 1700000000000, base: null,
      sheet: { headers: ['id', 'label', 'price', 'note', 'on', 'ok'], rows, firstRow: 2 },
    };
    const snapshot = JSON.stringify(input);
    let viaJson;
    try {
      viaJson = JSON.parse(core.planSyncJson(JSON.stringify(input)));
    } catch (e) {
      viaJson = { error: e.message };
    }
    let viaRows;
    try {
      viaRows = core.planSync(input);
    } catch (e) {
      viaRows = { error: e.message };
    }
    assert.deepEqual(JSON.parse(JSON.stringify(viaRows)), viaJson);
    if (rows === sheets[0]) assert.ok(viaJson.push.length > 0 && viaJson.problems.length > 0);
    if (rows === sheets[1]) assert.equal(viaJson.push.length, 300);
    if (rows === sheets[2]) assert.equal(viaJson.push[1].change.cells.note, `ab${'ü'.repeat(10)}`);
    if (rows === sheets[4]) assert.equal(viaJson.push[0].change.cells.on, '1970-01-02');
    assert.equal(JSON.stringify(input), snapshot, 'the input is left as it was');
  }
});

test('planSync keeps every cell written into the module when its text grows the memory', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  const notes = {
    ...table,
    columns: [...table.columns, { name: 'note', sql_type: { kind: 'text', max_chars: null }, nullable: true }],
  };
  // Room is made for one byte per unit; these texts need two, so the text outgrows its room
  // again and again, megabytes at a time, while cells after it are still to be written.
  const long = '\u00fc'.repeat(20000);
  const rows = Array.from({ length: 100 }, (_, i) => [i + 1, `r${i}`, i + 0.25, `${i} ${long}`]);
  const input = {
    schema: notes, timeZone: 'UTC', zoneOffsets: [[0, 0]], nowMs: 0, base: null,
    sheet: { headers: ['id', 'label', 'price', 'note'], rows, firstRow: 2 },
  };
  const before = core.memoryBytes();
  const viaRows = JSON.parse(JSON.stringify(core.planSync(input)));
  assert.ok(core.memoryBytes() >= before + 4e6, `memory ${before} -> ${core.memoryBytes()}`);
  assert.deepEqual(viaRows, JSON.parse(core.planSyncJson(JSON.stringify(input))));
  assert.equal(viaRows.push.length, 100);
  assert.ok(viaRows.push.some((p) => p.change.cells.note === `99 ${long}`));
});

test('staging a sheet grows the memory once, for the staged arrays and the planning after them', async () => {
  // Each growth of the memory makes V8 count a new ArrayBuffer of the whole memory; past 64 MiB
  // of them it collects the whole JavaScript heap, so growing step by step while a large sheet
  // is planned cost the first call of an execution full collections (wasm/src/heap.rs).
  const core = await vm.runInContext('sheetsyncCore()', execution());
  const [rows, cells, numbers, textBytes, texts] = [1000, 20000, 10000, 50000, 5000];
  const staged = rows * 4 + cells + numbers * 8 + textBytes + texts * 4;
  const before = core.memoryBytes();
  core.stageRows(rows, cells, numbers, textBytes, texts);
  const grown = core.memoryBytes() - before;
  // Beyond the staged arrays, room for what planning builds beside them: 8 bytes a cell and
  // 400 a row (wasm/src/heap.rs; the cells are read where they are staged).
  assert.ok(grown >= staged + cells * 8 + rows * 400, `grew ${grown} bytes for ${staged} staged`);
  core.stageRows(0, 0, 0, 0, 0);
});

test('planSync carries the base as flat arrays and plans exactly as the JSON path', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  const sheet = { headers: ['id', 'label', 'price'], rows: [[1, 'ab', 12.5], [2, 'cé', 1]], firstRow: 2 };
  const first = { schema: table, timeZone: 'UTC', zoneOffsets: [[0, 0]], nowMs: 0, base: null, sheet };
  // The base as the add-on keeps it (key -> [version, base64 hashes]), from binding two rows.
  const bound = core.planSync({
    ...first,
    databaseRows: [{ key: '1', version: 4, cells: [1, 'ab', '12.50'] }, { key: '2', version: 5, cells: [2, 'cé', '1.00'] }],
  }).baseUpdates;
  assert.deepEqual(Object.keys(bound), ['1', '2']);
  const edited = { ...first, sheet: { ...sheet, rows: [[1, 'ab', 13], [3, 'new', 2]] } };
  const cases = [
    [first, {}], // every row new
    [edited, bound], // one row edited, one deleted, one new
    [edited, { ...bound, 'ключ': bound['1'] }], // a key beyond ASCII, vanished
    [edited, { 1: [4, 'not base64'] }], // refused by both paths
    [edited, { 1: [4.5, bound['1'][1]] }], // a version JSON refuses: the JSON path answers
  ];
  for (const [input0, base] of cases) {
    const input = { ...input0, base };
    const outcome = (fn) => { try { return fn(); } catch (e) { return { error: e.message }; } };
    const viaJson = outcome(() => JSON.parse(core.planSyncJson(JSON.stringify(input))));
    const viaRows = outcome(() => JSON.parse(JSON.stringify(core.planSync(input))));
    if (viaJson.error) assert.ok(viaRows.error, JSON.stringify(base));
    else assert.deepEqual(viaRows, viaJson, JSON.stringify(base));
  }
  const plan = core.planSync({ ...edited, base: bound });
  assert.equal(plan.push.map((p) => p.change.op).sort().join(), 'delete,insert,update');
});

test('planSync takes text that JSON text cannot carry (a lone surrogate) as the encoder writes it', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  const input = {
    schema: table, timeZone: 'UTC', zoneOffsets: [[0, 0]], nowMs: 0, base: null,
    sheet: { headers: ['id', 'label'], rows: [['', 'a\ud800']], firstRow: 2 },
  };
  assert.throws(() => core.planSyncJson(JSON.stringify(input)), /planSync input/);
  assert.equal(core.planSync(input).push[0].change.cells.label, 'a\ufffd');
});

/** A value made in the bundle's realm, as plain data of this one. */
const plain = (v) => JSON.parse(JSON.stringify(v));

/** A bound two-row sheet, then one row edited, one deleted, one typed without a key. */
function editedSheet(core) {
  const sheet = { headers: ['id', 'label', 'price'], rows: [[1, 'ab', 12.5], [2, 'cé', 1]], firstRow: 2 };
  const first = { schema: table, timeZone: 'UTC', zoneOffsets: [[0, 0]], nowMs: 0, base: null, sheet };
  const bound = core.planSync({
    ...first,
    databaseRows: [{ key: '1', version: 4, cells: [1, 'ab', '12.50'] }, { key: '2', version: 5, cells: [2, 'cé', '1.00'] }],
  }).baseUpdates;
  return { ...first, base: bound, sheet: { ...sheet, rows: [[1, 'ab', 13], ['', 'név', 2]] } };
}

/** The database's answer: the delete and insert applied (key 9), the update in conflict. */
function answerOf(batch) {
  return {
    batch_id: batch.request.batch_id,
    replayed: false,
    results: batch.push.map((p) => {
      if (p.change.op === 'delete') return { result: 'applied', key: p.change.key, version: 8, row: null };
      if (p.change.op === 'insert') return { result: 'applied', key: '9', version: 7, row: [9, 'név', '2.00'] };
      return { result: 'conflict', key: p.change.key, current: { key: p.change.key, version: 6, cells: [1, 'zz', '1.00'] } };
    }),
  };
}

test('Date cells, as getValues() gives them, plan exactly as their {d: ms} form on every path', async () => {
  const context = execution();
  const core = await vm.runInContext('sheetsyncCore()', context);
  const dated = {
    ...table,
    columns: [
      ...table.columns,
      { name: 'on', sql_type: { kind: 'date' }, nullable: true },
      { name: 'at', sql_type: { kind: 'date_time' }, nullable: true },
    ],
  };
  const headers = ['id', 'label', 'price', 'on', 'at'];
  const ms = [0, 86400000, Date.UTC(2024, 1, 29, 12, 30), Date.UTC(1850, 0, 1), Date.UTC(2024, 2, 31, 1, 30), -1];
  // Dates of the script's realm (as getValues() gives them in Apps Script) and of another one
  // (as the emulator's sheet gives them), beside cells already in the core's form.
  const scriptDate = (t) => vm.runInContext(`new Date(${t})`, context);
  const rowsOf = (date) => ms.map((t, i) => [i + 1, `r${i}`, i, date(t), i % 2 ? date(t + 1000) : { d: t + 1000 }]);
  const inputOf = (rows) => ({
    schema: dated, timeZone: 'Europe/Paris', zoneOffsets: [[0, 3600]], nowMs: 1700000000000,
    sheet: { headers, rows, firstRow: 2 },
  });
  const reference = plain(core.planSync(inputOf(rowsOf((t) => ({ d: t })))));
  assert.equal(reference.push.length, ms.length);
  assert.equal(reference.push[2].change.cells.on, '2024-02-29');
  // The base of those rows once synced: the database holds what the plan would insert.
  const bound = plain(core.planSync({
    ...inputOf(rowsOf((t) => ({ d: t }))),
    databaseRows: reference.push.map((p, i) => ({
      key: String(i + 1), version: 1, cells: [i + 1, ...headers.slice(1).map((h) => p.change.cells[h])],
    })),
  }).baseUpdates);
  assert.equal(Object.keys(bound).length, ms.length);
  for (const date of [scriptDate, (t) => new Date(t)]) {
    const input = inputOf(rowsOf(date));
    const snapshot = JSON.stringify(input);
    assert.deepEqual(plain(core.planSync(input)), reference);
    const round = core.planRound(input);
    assert.deepEqual(plain(round.plan), reference);
    round.free();
    assert.equal(JSON.stringify(input), snapshot, 'the staged path leaves the Dates as they were');
    // Against the base those rows made: nothing to do, so every Date read as its twin.
    const again = plain(core.planSync({ ...inputOf(rowsOf(date)), base: bound }));
    assert.equal(again.push.length, 0);
  }

  // A cell the arrays do not describe sends the call the other way: the Dates become {d: ms}
  // in place first, and the answer is the one their {d: ms} form gets.
  const odd = { d: 5, x: 1 };
  const oddRows = (date) => { const rows = rowsOf(date); rows[1][1] = odd; return rows; };
  const answer = (input) => { try { return plain(core.planSync(input)); } catch (e) { return { error: e.message }; } };
  const want = answer(inputOf(oddRows((t) => ({ d: t }))));
  const rows = oddRows(scriptDate);
  assert.deepEqual(answer(inputOf(rows)), want);
  assert.deepEqual(plain(rows[2][3]), { d: ms[2] }, 'a Date was made {d: ms} in place');
  // An invalid Date answers as the {d: NaN} the add-on made of it before.
  const invalid = (date) => [[1, 'a', 1, date(NaN), '']];
  assert.deepEqual(answer(inputOf(invalid(scriptDate))), answer(inputOf(invalid(() => ({ d: NaN })))));

  // placeNewRows and placeKeyedRows read the sheet through serde: Dates are made {d: ms} first.
  const edited = (date) => { const r = rowsOf(date); r.push(['', 'new', 1, date(ms[2]), '']); return r; };
  const planned = core.planRound({ ...inputOf(edited((t) => ({ d: t }))), base: bound });
  const batch = plain(planned.recordBatch(0, planned.plan.push.length, 'b1', 'o-1'));
  planned.free();
  assert.equal(batch.newRows.rows.length, 1);
  const response = {
    batch_id: 'b1', replayed: false,
    results: batch.push.map(() => ({ result: 'applied', key: '99', version: 1, row: [99, 'new', '1.00', '2024-02-29', null] })),
  };
  const now = (date) => ({ ...inputOf(edited(date)), base: bound });
  const placed = (date) => plain(core.placeNewRows(now(date), batch.newRows, { rows: {}, wholeSheet: true }, response));
  assert.deepEqual(placed(scriptDate), placed((t) => ({ d: t })));
  assert.deepEqual(placed(scriptDate).map((p) => p.sheetRow), [2 + ms.length]);
  const keyed = (date) => plain(core.placeKeyedRows(now(date), batch, response));
  assert.deepEqual(keyed(scriptDate), keyed((t) => ({ d: t })));
});

test('planRound plans exactly as planSync, and plans again without the sheet crossing again', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  const input = editedSheet(core);
  const snapshot = JSON.stringify(input);
  const round = core.planRound(input);
  assert.deepEqual(JSON.parse(JSON.stringify(round.plan)), JSON.parse(JSON.stringify(core.planSync(input))));
  assert.equal(JSON.stringify(input), snapshot, 'the input is left as it was');
  round.resolve([]);
  assert.throws(() => round.resolve([{ key: 1 }]), /resolutions/);
  round.free();

  // A bound sheet of 20,000 rows, one cell edited, planned three times (a round that asks
  // for base images, then answers a custom conflict): staged each time, or once.
  const rows = Array.from({ length: 20000 }, (_, i) => [i + 1, `r${i % 1000}`, i]);
  const base = core.planSync({
    ...input, base: null, sheet: { ...input.sheet, rows },
    databaseRows: rows.map((r) => ({ key: String(r[0]), version: 1, cells: [r[0], r[1], `${r[2]}.00`] })),
  }).baseUpdates;
  const edited = rows.map((r) => r.slice());
  edited[5][1] = 'x';
  const big = { ...input, base, sheet: { ...input.sheet, rows: edited } };
  const time = (fn) => { const t = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t) / 1e6; };
  core.planSync(big); // warm up
  const again = time(() => { for (let i = 0; i < 3; i++) core.planSync(big); });
  let kept;
  const once = time(() => {
    kept = core.planRound(big);
    kept.addBaseImages({}, []);
    kept.resolve([{ key: '6', column: 'label', choose: 'sheet' }]);
  });
  console.log(`three plans of a bound 20,000-row sheet: staged each time ${again.toFixed(0)} ms, staged once ${once.toFixed(0)} ms`);
  assert.equal(kept.plan.push.length, 1);
  kept.free();
});

test('a batch recorded from a planned round reads its answer from its record alone', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  const input = editedSheet(core);
  const round = core.planRound(input);
  assert.equal(round.plan.push.map((p) => p.change.op).sort().join(), 'delete,insert,update');
  const n = round.plan.push.length;
  // Saved as text, as the hidden sheet keeps it, and read back by a later execution.
  const batch = JSON.parse(JSON.stringify(round.recordBatch(0, n, 'b1', 'o-1')));
  round.free();
  assert.equal(batch.request.batch_id, 'b1');
  assert.equal(batch.request.changes.length, 3);
  assert.equal(batch.newRows.rows.length, 1, 'the new row is recorded');
  const response = answerOf(batch);
  const now = { schema: table, timeZone: 'UTC', zoneOffsets: [[0, 0]], nowMs: 0, sheet: input.sheet };
  const places = core.placeNewRows(now, batch.newRows, { rows: {}, wholeSheet: true }, response);
  const outcome = core.readAnswer(batch, table, response, places, 0);
  assert.deepEqual(plain(outcome.writes.filter((w) => w.column === 1).map((w) => [w.row, w.values[0]])), [[3, 9]],
    'the new row gets its key, where it is');
  assert.deepEqual(plain(outcome.pendingChanges.map((c) => c.key)), ['1'], 'the conflict comes back as a change');
  assert.equal(outcome.baseUpdates['2'], null, 'the deleted row leaves the base');
  // The stored base takes the answer's updates.
  const stored = core.applyBaseUpdates(JSON.stringify(input.base), outcome.baseUpdates);
  assert.deepEqual(Object.keys(JSON.parse(stored)).sort(), ['1', '9']);
  assert.equal(core.applyBaseUpdates('', {}), '{}');
  assert.throws(() => core.readAnswer(batch, table, { ...response, batch_id: 'b2' }, places, 0), /in flight/);
});

test('a copy page keeps only its own keys', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  const round = core.planRound(editedSheet(core));
  round.keepPage(['1']);
  assert.deepEqual(plain(round.plan.push.map((p) => p.change.op)), ['update']);
  assert.equal(round.plan.summary.insertedInDatabase + round.plan.summary.deletedInDatabase, 0);
  round.free();
});

test('a batch saved by the earlier add-on is upgraded, sent under its id and read once', async () => {
  const core = await vm.runInContext('sheetsyncCore()', execution());
  const input = editedSheet(core);
  const plan = core.planSync(input);
  const insert = plan.push.findIndex((p) => p.change.op === 'insert');
  // The earlier add-on's shape: {batchId, table, request, recovery, newRows}.
  const old = {
    batchId: 'b-old',
    table: 'items',
    request: { batch_id: 'b-old', origin: 'o-1', changes: [plan.push[insert].change] },
    recovery: {
      timeZone: 'UTC', headers: input.sheet.headers, firstRow: 2,
      rows: { 1: input.sheet.rows[1] }, formulas: { 1: [] },
      push: [plan.push[insert]],
      sheetEdits: { writes: [], deleteRows: [], appends: [], formats: [] },
    },
  };
  const batch = core.upgradeSavedBatch(old, [[0, 0]], table, 0);
  assert.equal(batch.request.batch_id, 'b-old');
  assert.equal(batch.newRows.rows.length, 1);
  const response = answerOf(batch);
  const now = { schema: table, timeZone: 'UTC', zoneOffsets: [[0, 0]], nowMs: 0, sheet: input.sheet };
  const places = core.placeNewRows(now, batch.newRows, { rows: {}, wholeSheet: true }, response);
  const outcome = core.readAnswer(batch, table, response, places, 0);
  assert.deepEqual(plain(outcome.writes.map((w) => [w.row, w.column, w.values[0]])), [[3, 1, 9]]);
  assert.throws(() => core.upgradeSavedBatch({ ...old, recovery: { ...old.recovery, push: undefined } }, [[0, 0]], table, 0),
    /without its planned changes/);
});

test('planRound, its sheet and base staged, plans exactly as the JSON path for every column type in every zone the end-to-end suite uses', async () => {
  const context = execution();
  const core = await vm.runInContext('sheetsyncCore()', context);
  // The zones' offset tables as the add-on computes them, from this runtime's zone data.
  vm.runInContext(readFileSync(join(addon, 'Zone.js'), 'utf8'), context, { filename: 'Zone.js' });
  const types = [
    { kind: 'int', bits: 8, unsigned: false }, { kind: 'int', bits: 32, unsigned: true },
    { kind: 'int', bits: 64, unsigned: false }, { kind: 'decimal', precision: 10, scale: 2 },
    { kind: 'decimal', precision: 65, scale: 30 }, { kind: 'float', bits: 32 }, { kind: 'float', bits: 64 },
    { kind: 'bool' }, { kind: 'text', max_chars: null }, { kind: 'text', max_chars: 3 }, { kind: 'date' },
    { kind: 'date_time' }, { kind: 'timestamp' }, { kind: 'time' }, { kind: 'json' },
    { kind: 'enum', values: ['red', '0042', 'TRUE'] }, { kind: 'binary', max_bytes: null },
    { kind: 'bits', width: 8, varying: false }, { kind: 'geometry' },
  ];
  const schema = {
    name: 'every_type',
    writable: true,
    columns: [
      { name: 'id', sql_type: { kind: 'int', bits: 64, unsigned: false }, nullable: false, primary_key: true },
      ...types.map((sql_type, i) => ({ name: `c${i}`, sql_type, nullable: true })),
    ],
  };
  const headers = schema.columns.map((c) => c.name);
  const ms = (y, mo, d, h, mi) => Date.UTC(y, mo - 1, d, h, mi);
  // Cells as the add-on hands them over (Dates as {d: ms}): every JS kind and the edges.
  const cells = [
    '', null, true, false, 0, -0, 1, -1, 42, 127, 128, 255, 256, 1.5, -2.25, 0.1 + 0.2, 12.345, 1e-7, 1e15,
    9007199254740991, 9007199254740994, 1e21, NaN, Infinity, 45000.25,
    'abc', '0042', '42', '1.50', 'TRUE', 'red', ' red ', '2024-03-31', '2024-03-31 02:30:00', '12:34:56',
    '{"a":1}', 'héé 日本 😀', '10101010', 'POINT(1 2)', 'a\u0000b',
    { d: 0 }, { d: 1700000000123 }, { d: 1700000000000.5 }, { d: ms(2024, 3, 31, 0, 59) },
    { d: ms(2024, 3, 31, 1, 0) }, { d: ms(2024, 10, 27, 1, 30) }, { d: ms(2024, 3, 10, 7, 0) },
    { d: ms(2024, 11, 3, 5, 30) }, { d: ms(1899, 12, 30, 0, 0) }, { d: ms(1850, 1, 1, 0, 0) }, { d: 1e15 + 1 },
  ];
  // Each cell alone in each column, then rows mixing them, then a row the base lacks.
  const rows = [];
  types.forEach((_, c) => {
    for (const v of cells) rows.push([rows.length + 1, ...types.map((__, i) => (i === c ? v : ''))]);
  });
  for (let i = 0; i < 200; i += 1) {
    rows.push([rows.length + 1, ...types.map((_, c) => cells[(i * 7 + c * 3) % cells.length])]);
  }
  const bound = rows.length;
  rows.push([bound + 1, ...types.map((_, c) => (c === 8 ? 'new' : ''))]);
  // The base: every row synced with NULL in every column (the database's rows bound to an empty sheet).
  for (const zone of ['UTC', 'Asia/Kolkata', 'Europe/Paris', 'Europe/Berlin', 'Europe/London', 'America/New_York']) {
    const zoneOffsets = plain(vm.runInContext(`zoneComputeOffsets_(${JSON.stringify(zone)})`, context));
    const common = { schema, timeZone: zone, zoneOffsets, nowMs: 1700000000000 };
    const empty = rows.slice(0, bound).map((r) => [r[0], ...types.map(() => '')]);
    const base = plain(core.planSync({
      ...common, base: null, sheet: { headers, rows: empty, firstRow: 2 },
      databaseRows: empty.map((r) => ({ key: String(r[0]), version: 1, cells: [r[0], ...types.map(() => null)] })),
    }).baseUpdates);
    assert.equal(Object.keys(base).length, bound, zone);
    const input = { ...common, base, sheet: { headers, rows, firstRow: 2 } };
    const snapshot = JSON.stringify(input);
    const viaJson = JSON.parse(core.planSyncJson(JSON.stringify(input)));
    const round = core.planRound(input);
    const viaStaged = plain(round.plan);
    round.free();
    assert.deepEqual(viaStaged, viaJson, zone);
    assert.deepEqual(plain(core.planSync(input)), viaJson, zone);
    assert.equal(JSON.stringify(input), snapshot, 'the input is left as it was');
    // Every outcome was met: untouched rows, changed rows, a new row and refused cells.
    const ops = new Set(viaJson.push.map((p) => p.change.op));
    assert.ok(ops.has('update') && ops.has('insert'), `${zone}: ${[...ops]}`);
    assert.ok(viaJson.push.length < rows.length, zone);
    assert.ok(viaJson.problems.some((p) => p.kind === 'bad-cell'), zone);
  }
});
