'use strict';
// One throwaway database per test file, on MariaDB, PostgreSQL or SQLite, and a small SQL
// client for writing to it "as another application". Statements use `?` placeholders on
// every backend (rewritten to `$n` for PostgreSQL); values always travel as parameters,
// except on SQLite, where the sqlite3 command line gets them as quoted literals.

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');

const MARIADB = { host: process.env.SHEETSYNC_E2E_MYSQL_HOST || '127.0.0.1', port: Number(process.env.SHEETSYNC_E2E_MYSQL_PORT || 3306), user: 'root', password: '' };
const POSTGRES = { host: process.env.SHEETSYNC_E2E_PG_HOST || '127.0.0.1', port: Number(process.env.SHEETSYNC_E2E_PG_PORT || 5432), user: 'postgres' };

/** The backends the core scenarios run on; SHEETSYNC_E2E_BACKENDS=mariadb,sqlite narrows it. */
function backends() {
  const all = ['mariadb', 'postgres', 'sqlite'];
  const wanted = (process.env.SHEETSYNC_E2E_BACKENDS || '').split(',').map((s) => s.trim()).filter(Boolean);
  return wanted.length ? all.filter((b) => wanted.includes(b)) : all;
}

function freshName(label) {
  const clean = String(label || 'e2e').toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 24);
  return `sheetsync_e2e_${clean}_${crypto.randomBytes(4).toString('hex')}`;
}

/** Replaces each `?` placeholder outside quotes with `fill(index)`. */
function replacePlaceholders(sql, fill) {
  let n = 0;
  let quote = null;
  let out = '';
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += fill(n++);
    } else {
      out += ch;
    }
  }
  return out;
}

/** Rewrites `?` placeholders to PostgreSQL's `$1, $2, …`. */
function numberedPlaceholders(sql) {
  return replacePlaceholders(sql, (i) => `$${i + 1}`);
}

/**
 * The rows of the last statement that returned any, from `sqlite3 -json` output (one JSON
 * array per result set, each starting on a line of its own; JSON strings hold no raw newline).
 */
function lastResultSet(stdout) {
  const text = stdout.trim();
  if (!text) return [];
  const start = text.lastIndexOf('\n[');
  return JSON.parse(start >= 0 ? text.slice(start + 1) : text);
}

/** Runs `text` with the sqlite3 command line (fed on stdin: statements can be long). */
function sqlite3(file, text) {
  return new Promise((resolve, reject) => {
    const child = execFile('sqlite3', ['-json', '-bail', '-cmd', '.timeout 10000', file], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err || stderr.trim()) reject(new Error(`sqlite3: ${stderr || err.message}\n${text.slice(0, 500)}`));
      else resolve(lastResultSet(stdout));
    });
    child.stdin.end(text.trim().endsWith(';') ? text : `${text};`);
  });
}

/** A value as an SQLite literal, for the sqlite3 command line. */
function sqliteLiteral(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

function inlineParams(sql, params) {
  return replacePlaceholders(sql, (i) => {
    if (i >= params.length) throw new Error(`too few parameters for: ${sql}`);
    return sqliteLiteral(params[i]);
  });
}

async function mariadbDatabase(label) {
  const mysql = require('mysql2/promise');
  const name = freshName(label);
  const admin = await mysql.createConnection(MARIADB);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const conn = await mysql.createConnection({
    ...MARIADB, database: name, multipleStatements: true, dateStrings: true,
    supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: false, timezone: 'Z',
  });
  return {
    backend: 'mariadb',
    name,
    url: `mysql://${MARIADB.user}@${MARIADB.host}:${MARIADB.port}/${name}`,
    async sql(text, params = []) {
      const [rows] = await conn.query(text, params);
      return Array.isArray(rows) ? rows : [];
    },
    async drop() {
      await conn.end().catch(() => {});
      const a = await mysql.createConnection(MARIADB);
      await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.end();
    },
  };
}

async function postgresDatabase(label) {
  const pg = require('pg');
  const name = freshName(label);
  const admin = new pg.Client({ ...POSTGRES, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  // Dates, times and decimals come back as the text PostgreSQL sends, never through JS Dates.
  const asText = (v) => v;
  const types = { getTypeParser: (oid, format) => ([1082, 1083, 1114, 1184, 1700, 20].includes(oid) ? asText : pg.types.getTypeParser(oid, format)) };
  const client = new pg.Client({ ...POSTGRES, database: name, types });
  await client.connect();
  return {
    backend: 'postgres',
    name,
    url: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${name}`,
    async sql(text, params = []) {
      // Several statements only go through the simple protocol, which takes no parameters.
      const res = params.length ? await client.query(numberedPlaceholders(text), params) : await client.query(text);
      const last = Array.isArray(res) ? res[res.length - 1] : res;
      return last && last.rows ? last.rows : [];
    },
    async drop() {
      await client.end().catch(() => {});
      const a = new pg.Client({ ...POSTGRES, database: 'postgres' });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

async function sqliteDatabase(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sheetsync-e2e-'));
  const file = path.join(dir, `${freshName(label)}.sqlite`);
  const run = (text) => sqlite3(file, text);
  await run('PRAGMA journal_mode=WAL;');
  return {
    backend: 'sqlite',
    name: file,
    url: `sqlite://${file}?mode=rwc`,
    async sql(text, params = []) {
      return run(params.length ? inlineParams(text, params) : text);
    },
    async drop() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Connects to an existing database by its server URL (mysql://, mariadb://, postgres://,
 * sqlite://); resolves to { backend, sql, close }.
 */
async function connectDatabase(url) {
  const u = new URL(url);
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme === 'mysql' || scheme === 'mariadb') {
    const mysql = require('mysql2/promise');
    const conn = await mysql.createConnection({
      host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password || ''), database: u.pathname.slice(1), multipleStatements: true,
      dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: false,
    });
    return { backend: 'mariadb', sql: async (text, params = []) => { const [rows] = await conn.query(text, params); return Array.isArray(rows) ? rows : []; }, close: () => conn.end() };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const pg = require('pg');
    const asText = (v) => v;
    const types = { getTypeParser: (oid, format) => ([1082, 1083, 1114, 1184, 1700, 20].includes(oid) ? asText : pg.types.getTypeParser(oid, format)) };
    const client = new pg.Client({ connectionString: url, types });
    await client.connect();
    return {
      backend: 'postgres',
      async sql(text, params = []) {
        const res = params.length ? await client.query(numberedPlaceholders(text), params) : await client.query(text);
        const last = Array.isArray(res) ? res[res.length - 1] : res;
        return last && last.rows ? last.rows : [];
      },
      close: () => client.end(),
    };
  }
  if (scheme === 'sqlite') {
    const file = decodeURIComponent(u.pathname.replace(/^\/\/?/, '/')) || u.hostname;
    const run = (text) => sqlite3(file, text);
    return { backend: 'sqlite', sql: (text, params = []) => run(params.length ? inlineParams(text, params) : text), close: async () => {} };
  }
  throw new Error(`unsupported database URL ${JSON.stringify(url)}: expected mysql://, postgres:// or sqlite://`);
}

/** Creates an empty database on `backend`; resolves to { backend, name, url, sql, drop }. */
function createDatabase(backend, label) {
  if (backend === 'mariadb') return mariadbDatabase(label);
  if (backend === 'postgres') return postgresDatabase(label);
  if (backend === 'sqlite') return sqliteDatabase(label);
  throw new Error(`unknown backend ${JSON.stringify(backend)}: expected mariadb, postgres or sqlite`);
}

module.exports = { createDatabase, connectDatabase, backends, numberedPlaceholders };
