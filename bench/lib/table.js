'use strict';
// The benchmark table: one 20-column schema used by every benchmark, and a seeded generator of
// its rows in the exact shape Apps Script's `Range.getValues()` returns (Number, String,
// Boolean, Date, and "" for an empty cell), plus the same rows in the server's wire form and as
// SQL literals. The generator is deterministic: a given (rows, seed) always yields the same table.

const TIME_ZONE = 'UTC';
const DAY_MS = 86400000;
const EPOCH_2020 = Date.UTC(2020, 0, 1);

const WORDS = ['alder', 'birch', 'cedar', 'dune', 'ember', 'fjord', 'grove', 'heath', 'inlet',
  'juniper', 'kestrel', 'larch', 'meadow', 'nettle', 'oriel', 'pine', 'quarry', 'rowan', 'sedge',
  'thistle', 'umber', 'vale', 'willow', 'yarrow', 'zephyr'];
const CITIES = ['Berlin', 'Lisbon', 'Oslo', 'Dublin', 'Porto', 'Lyon', 'Graz', 'Turku', 'Cork',
  'Gdansk', 'Malmo', 'Brno'];
const COUNTRIES = ['DE', 'PT', 'NO', 'IE', 'FR', 'AT', 'FI', 'PL', 'SE', 'CZ'];
const CATEGORIES = ['hardware', 'garden', 'kitchen', 'books', 'toys', 'sports', 'office'];

/** A small, fast, seeded PRNG (mulberry32): benchmarks must be reproducible. */
function rng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (r, list) => list[Math.floor(r() * list.length)];
const words = (r, n) => Array.from({ length: n }, () => pick(r, WORDS)).join(' ');
const pad = (n, width) => String(n).padStart(width, '0');
const isoDate = (ms) => new Date(ms).toISOString().slice(0, 10);
const isoDateTime = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

// Each column: its core SqlType (serde form), its MariaDB and PostgreSQL DDL, a generator of the
// sheet cell for row `i`, and the cell's wire form (core/src/value.rs).
const text = (max) => ({ kind: 'text', max_chars: max });
const asText = (v) => (v === '' ? null : v);
const COLUMNS = [
  { name: 'id', type: { kind: 'int', bits: 64, unsigned: false }, mysql: 'BIGINT NOT NULL PRIMARY KEY', pg: 'BIGINT NOT NULL PRIMARY KEY', cell: (i) => i + 1, wire: (v) => v },
  { name: 'sku', type: text(32), mysql: 'VARCHAR(32) NOT NULL', pg: 'VARCHAR(32) NOT NULL', cell: (i) => `SKU-${pad(i * 7919 % 1000003, 7)}`, wire: (v) => v },
  { name: 'name', type: text(120), mysql: 'VARCHAR(120) NOT NULL', pg: 'VARCHAR(120) NOT NULL', cell: (i, r) => words(r, 3), wire: (v) => v },
  { name: 'email', type: text(120), mysql: 'VARCHAR(120) NOT NULL', pg: 'VARCHAR(120) NOT NULL', cell: (i, r) => `${pick(r, WORDS)}.${i}@example.org`, wire: (v) => v },
  { name: 'city', type: text(60), mysql: 'VARCHAR(60) NOT NULL', pg: 'VARCHAR(60) NOT NULL', cell: (i, r) => pick(r, CITIES), wire: (v) => v },
  { name: 'country', type: text(2), mysql: 'CHAR(2) NOT NULL', pg: 'VARCHAR(2) NOT NULL', cell: (i, r) => pick(r, COUNTRIES), wire: (v) => v },
  { name: 'qty', type: { kind: 'int', bits: 32, unsigned: false }, mysql: 'INT NOT NULL', pg: 'INTEGER NOT NULL', cell: (i, r) => Math.floor(r() * 10000), wire: (v) => v },
  { name: 'price', type: { kind: 'decimal', precision: 10, scale: 2 }, mysql: 'DECIMAL(10,2) NOT NULL', pg: 'NUMERIC(10,2) NOT NULL', cell: (i, r) => Math.floor(r() * 100000) / 100, wire: (v) => v.toFixed(2) },
  { name: 'weight', type: { kind: 'float', bits: 64 }, mysql: 'DOUBLE NOT NULL', pg: 'DOUBLE PRECISION NOT NULL', cell: (i, r) => Math.round(r() * 1e6) / 1e3, wire: (v) => v },
  { name: 'active', type: { kind: 'bool' }, mysql: 'BOOLEAN NOT NULL', pg: 'BOOLEAN NOT NULL', cell: (i, r) => r() < 0.5, wire: (v) => v },
  { name: 'created_on', type: { kind: 'date' }, mysql: 'DATE NOT NULL', pg: 'DATE NOT NULL', cell: (i, r) => new Date(EPOCH_2020 + Math.floor(r() * 1500) * DAY_MS), wire: (v) => isoDate(v.getTime()) },
  { name: 'updated_at', type: { kind: 'date_time' }, mysql: 'DATETIME NOT NULL', pg: 'TIMESTAMP NOT NULL', cell: (i, r) => new Date(EPOCH_2020 + Math.floor(r() * 1500 * 86400) * 1000), wire: (v) => isoDateTime(v.getTime()) },
  { name: 'note', type: text(200), nullable: true, mysql: 'VARCHAR(200) NULL', pg: 'VARCHAR(200) NULL', cell: (i, r) => (r() < 0.6 ? '' : words(r, 5)), wire: asText },
  { name: 'zip', type: text(10), mysql: 'VARCHAR(10) NOT NULL', pg: 'VARCHAR(10) NOT NULL', cell: (i, r) => pad(Math.floor(r() * 99999), 5), wire: (v) => v },
  { name: 'rating', type: { kind: 'int', bits: 8, unsigned: false }, mysql: 'TINYINT NOT NULL', pg: 'SMALLINT NOT NULL', cell: (i, r) => 1 + Math.floor(r() * 5), wire: (v) => v },
  { name: 'category', type: text(40), mysql: 'VARCHAR(40) NOT NULL', pg: 'VARCHAR(40) NOT NULL', cell: (i, r) => pick(r, CATEGORIES), wire: (v) => v },
  { name: 'phone', type: text(20), mysql: 'VARCHAR(20) NOT NULL', pg: 'VARCHAR(20) NOT NULL', cell: (i, r) => `+49 ${pad(Math.floor(r() * 1e9), 9)}`, wire: (v) => v },
  { name: 'score', type: { kind: 'float', bits: 64 }, mysql: 'DOUBLE NOT NULL', pg: 'DOUBLE PRECISION NOT NULL', cell: (i, r) => Math.round(r() * 1e4) / 100, wire: (v) => v },
  { name: 'flagged', type: { kind: 'bool' }, mysql: 'BOOLEAN NOT NULL', pg: 'BOOLEAN NOT NULL', cell: (i, r) => r() < 0.1, wire: (v) => v },
  { name: 'comment', type: text(250), nullable: true, mysql: 'VARCHAR(250) NULL', pg: 'VARCHAR(250) NULL', cell: (i, r) => (r() < 0.7 ? '' : words(r, 8)), wire: asText },
];

/** The core's TableSchema (core/src/schema.rs) for the benchmark table called `name`. */
function tableSchema(name = 'items') {
  return {
    name,
    writable: true,
    columns: COLUMNS.map((c, i) => ({
      name: c.name,
      sql_type: c.type,
      nullable: Boolean(c.nullable),
      primary_key: i === 0,
      generated: false,
    })),
  };
}

/** `CREATE TABLE` for the benchmark table on `dialect` ('mysql' | 'postgres'). */
function createTableSql(dialect, name = 'items') {
  const q = dialect === 'mysql' ? (s) => `\`${s}\`` : (s) => `"${s}"`;
  const cols = COLUMNS.map((c) => `${q(c.name)} ${dialect === 'mysql' ? c.mysql : c.pg}`);
  return `CREATE TABLE ${q(name)} (${cols.join(', ')})`;
}

/** One data row (no header) for row index `i`, drawn from its own seeded stream. */
function makeRow(i, seed) {
  const r = rng(seed * 2654435761 + i);
  return COLUMNS.map((c) => c.cell(i, r));
}

/**
 * A sheet as `getValues()` returns it: the header row, then `rows` data rows.
 * Every call builds fresh arrays and fresh Date objects, as Apps Script does.
 */
function makeSheet(rows, seed = 1) {
  const values = new Array(rows + 1);
  values[0] = COLUMNS.map((c) => c.name);
  for (let i = 0; i < rows; i += 1) values[i + 1] = makeRow(i, seed);
  return values;
}

/**
 * The same sheet after a person edited `share` of its rows (spread evenly, seeded): each such
 * row gets a new `qty` and a new `name`. Returns the edited copy and the ids it touched.
 */
function editSheet(values, share = 0.01, seed = 7) {
  const copy = values.map((row) => row.map((v) => (v instanceof Date ? new Date(v.getTime()) : v)));
  return { values: copy, ids: editRows(copy, share, seed) };
}

/**
 * The edited sheet of `rows` rows made directly (the same values as editSheet(makeSheet(rows))),
 * with no unedited table left behind as garbage: a benchmark of what an execution holds gets
 * the heap of one getValues() table, not of two.
 */
function editedSheet(rows, share = 0.01, seed = 7) {
  const values = makeSheet(rows);
  return { values, ids: editRows(values, share, seed) };
}

/** Edits `share` of the sheet's rows in place; the ids of the rows edited. */
function editRows(values, share, seed) {
  const r = rng(seed);
  const qty = COLUMNS.findIndex((c) => c.name === 'qty');
  const name = COLUMNS.findIndex((c) => c.name === 'name');
  const rows = values.length - 1;
  const every = Math.max(1, Math.round(1 / share));
  const ids = [];
  for (let i = Math.floor(r() * every); i < rows; i += every) {
    const row = values[i + 1];
    row[qty] = (row[qty] + 1 + Math.floor(r() * 50)) % 100000;
    row[name] = `${row[name]} ${pick(r, WORDS)}`;
    ids.push(row[0]);
  }
  return ids;
}

/** A data row's cells in the wire form, keyed by column name (a push's `cells`). */
function wireCells(row) {
  const cells = {};
  COLUMNS.forEach((c, i) => { cells[c.name] = c.wire(row[i]); });
  return cells;
}

/** A data row's cells in the wire form, in column order (a feed or row page's `cells`). */
function wireRow(row) {
  return COLUMNS.map((c, i) => c.wire(row[i]));
}

/** A data row's SQL bind parameters, in column order (the wire form is what both databases take). */
function sqlParams(row) {
  return wireRow(row);
}

module.exports = {
  TIME_ZONE, COLUMNS, rng, tableSchema, createTableSql, makeRow, makeSheet, editSheet, editedSheet,
  wireCells, wireRow, sqlParams,
};
