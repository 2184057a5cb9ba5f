'use strict';
// Throwaway databases for the benchmarks: each benchmark creates its own uniquely named
// database on the local MariaDB or PostgreSQL server, and drops it when done. Everything stays
// on loopback.

const mysql = require('mysql2/promise');
const pg = require('pg');

const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' };

/** A database name no other run uses: `ssbench_<what>_<pid>_<time>`. */
function uniqueName(what) {
  return `ssbench_${what}_${process.pid}_${Date.now().toString(36)}`;
}

/**
 * One benchmark database on `dialect` ('mysql' | 'postgres'): `url` for the server, `connect()`
 * for a new client connection speaking a small common interface, and `drop()`.
 */
async function createDatabase(dialect, what) {
  const name = uniqueName(what);
  if (dialect === 'mysql') {
    const admin = await mysql.createConnection(MYSQL);
    await admin.query(`CREATE DATABASE \`${name}\``);
    await admin.end();
    return {
      dialect,
      name,
      url: `mysql://root@127.0.0.1:3306/${name}`,
      connect: () => connectMysql(name),
      async drop() {
        const c = await mysql.createConnection(MYSQL);
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await c.end();
      },
    };
  }
  const admin = new pg.Client({ ...POSTGRES, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    dialect,
    name,
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    connect: () => connectPostgres(name),
    async drop() {
      const c = new pg.Client({ ...POSTGRES, database: 'postgres' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A MariaDB connection: `query(sql, params)` with `?` placeholders, `close()`. */
async function connectMysql(database) {
  const c = await mysql.createConnection({ ...MYSQL, database, dateStrings: true });
  return {
    placeholder: () => '?',
    query: async (sql, params) => (await c.query(sql, params))[0],
    close: () => c.end(),
  };
}

/** A PostgreSQL connection: `query(sql, params)` with `$n` placeholders, `close()`. */
async function connectPostgres(database) {
  const c = new pg.Client({ ...POSTGRES, database });
  await c.connect();
  return {
    placeholder: (n) => `$${n}`,
    query: async (sql, params) => (await c.query(sql, params)).rows,
    close: () => c.end(),
  };
}

/** Quotes an identifier the benchmark itself chose (never user input). */
function quoteIdent(dialect, name) {
  return dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

/**
 * Inserts `rows` (arrays of SQL parameter values, in `columns` order) into `table` with
 * multi-row INSERT statements of `perStatement` rows each. The caller owns the transaction.
 */
async function insertRows(db, conn, table, columns, rows, perStatement = 1000) {
  const cols = columns.map((c) => quoteIdent(db.dialect, c)).join(', ');
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params = [];
    const tuples = chunk.map((row) => {
      const marks = row.map((v) => { params.push(v); return conn.placeholder(params.length); });
      return `(${marks.join(', ')})`;
    });
    await conn.query(`INSERT INTO ${quoteIdent(db.dialect, table)} (${cols}) VALUES ${tuples.join(', ')}`, params);
  }
}

module.exports = { createDatabase, insertRows, quoteIdent };
