'use strict';
// A test file's whole stack: a fresh database on one backend, its tables, and the real
// server over it. `useStack` wires creation into node:test's before/after hooks, so the
// database is dropped and the server stopped even when a test fails.

const { before, after } = require('node:test');
const { createDatabase } = require('./databases');
const { startServer } = require('./server');

/**
 * Opens a stack. `tables` maps a table name to its CREATE TABLE statement, or to a function
 * of the backend answering one; `serveArgs` are more arguments of `serve` (server mode's
 * `--google-key`, say). Resolves to { backend, db, server, url, token, sql, close }.
 */
async function openStack(backend, { label = 'e2e', tables = {}, corsOrigins = [], serveArgs = [] } = {}) {
  const db = await createDatabase(backend, label);
  let server = null;
  try {
    for (const [name, ddl] of Object.entries(tables)) {
      const text = typeof ddl === 'function' ? ddl(backend) : ddl;
      if (!text) throw new Error(`table ${name} has no definition for ${backend}`);
      await db.sql(text);
    }
    server = await startServer(db, { tables: Object.keys(tables), corsOrigins, label: `${label}-${backend}`, extraArgs: serveArgs });
  } catch (e) {
    await db.drop().catch(() => {});
    throw e;
  }
  return {
    backend,
    db,
    server,
    url: server.url,
    token: server.token,
    sql: (text, params) => db.sql(text, params),
    async close() {
      await server.stop().catch(() => {});
      await db.drop();
    },
  };
}

/**
 * Registers before/after hooks for a stack and answers an object whose fields are filled in
 * once `before` ran (use it inside tests only).
 */
function useStack(backend, options) {
  const holder = {};
  before(async () => {
    Object.assign(holder, await openStack(backend, options));
  });
  after(async () => {
    if (holder.close) await holder.close();
  });
  return holder;
}

/** Table definitions per backend for the usual shapes. */
const ddl = {
  /** An auto-increment integer key column, named `id`. */
  autoKey(backend) {
    if (backend === 'mariadb') return 'id INT AUTO_INCREMENT PRIMARY KEY';
    if (backend === 'postgres') return 'id SERIAL PRIMARY KEY';
    return 'id INTEGER PRIMARY KEY AUTOINCREMENT';
  },
  /** CREATE TABLE name (auto key, …columns). */
  table(name, columns) {
    return (backend) => `CREATE TABLE ${name} (${ddl.autoKey(backend)}, ${columns.join(', ')})`;
  },
};

module.exports = { openStack, useStack, ddl };
