'use strict';
// The stand-in for the Google Sheets API v4 and Google's OAuth token endpoint. It serves the
// spreadsheet models of Apps Script emulators, so one emulated spreadsheet is seen through
// SpreadsheetApp and through REST alike: a REST write is what SpreadsheetApp reads next, and a
// person's edit is what REST reads next. REST writes fire no triggers (nothing here calls the
// emulator's trigger runner), as API writes fire none on Google.
//
// `handle(request)` answers one request without a socket; `listen()` serves it over HTTP. Every
// call passes, in order: the request counter, the configured latency, the route table, the
// bearer token (401), injected failures, the per-minute quotas (429), the token's scopes
// (403), the spreadsheet (404), its sharing with the caller (403), then the method.
//
// The same spreadsheets are also files of a Drive API v3 stand-in for push notifications
// (driveChannels.js): `files.watch` and `channels.stop`, checked for a Drive scope, the file
// (404 when missing or not shared, as Drive hides files one cannot see), and counted against
// no Sheets quota.

const fs = require('node:fs');
const http = require('node:http');
const { GoogleApiError, OAuthError, invalidArgument, insufficientScopes, callerHasNoPermission, entityNotFound } = require('./googleErrors');
const { TokenAuthority, scopesAllow } = require('./oauth');
const { MinuteQuota } = require('./quota');
const { DriveChannels } = require('./driveChannels');
const values = require('./valuesMethods');
const spreadsheets = require('./spreadsheetMethods');
const { EditsAfterRead, EditRefused } = require('./editAfterRead');

/** One table of method, path, Google's method name, quota kind and handler. */
const ROUTES = [
  { method: 'POST', path: /^\/token$/, name: 'oauth.token', kind: null, handler: null },
  { method: 'GET', path: /^\/v4\/spreadsheets\/([^/:]+)$/, name: 'spreadsheets.get', kind: 'read', handler: spreadsheets.get },
  { method: 'POST', path: /^\/v4\/spreadsheets\/([^/:]+):batchUpdate$/, name: 'spreadsheets.batchUpdate', kind: 'write', handler: spreadsheets.batchUpdate },
  { method: 'GET', path: /^\/v4\/spreadsheets\/([^/:]+)\/values:batchGet$/, name: 'spreadsheets.values.batchGet', kind: 'read', handler: values.batchGet },
  { method: 'POST', path: /^\/v4\/spreadsheets\/([^/:]+)\/values:batchUpdate$/, name: 'spreadsheets.values.batchUpdate', kind: 'write', handler: values.batchUpdate },
  { method: 'POST', path: /^\/v4\/spreadsheets\/([^/:]+)\/values\/(.+):append$/, name: 'spreadsheets.values.append', kind: 'write', handler: values.append },
  { method: 'GET', path: /^\/v4\/spreadsheets\/([^/:]+)\/values\/(.+)$/, name: 'spreadsheets.values.get', kind: 'read', handler: values.get },
  { method: 'PUT', path: /^\/v4\/spreadsheets\/([^/:]+)\/values\/(.+)$/, name: 'spreadsheets.values.update', kind: 'write', handler: values.update },
  { method: 'POST', path: /^\/drive\/v3\/files\/([^/:]+)\/watch$/, name: 'drive.files.watch', kind: 'drive', handler: null },
  { method: 'POST', path: /^\/drive\/v3\/channels\/stop$/, name: 'drive.channels.stop', kind: 'drive', handler: null },
];

/** What a handler returns for Google's empty 204 answer (channels.stop). */
const NO_CONTENT = Symbol('no content');

/**
 * Not Google's: the request counter and quota use for a benchmark in another process
 * (in process, read `standIn.stats`). Not counted itself.
 */
const STATS_PATH = '/__standin/stats';

/**
 * Not Google's: `POST` arms a person's edit applied right after a later read (see
 * `editAfterRead`), `GET` says how many wait and how many were applied. Not counted.
 */
const EDIT_AFTER_READ_PATH = '/__standin/edit-after-read';

/** Query parameters as an object; a repeated parameter (`ranges`) becomes an array. */
function queryObject(searchParams) {
  const out = {};
  for (const [k, v] of searchParams) {
    if (k in out) out[k] = [].concat(out[k], v);
    else out[k] = v;
  }
  return out;
}

/** A decoded path segment; a broken %-escape is the caller's error (`refusal()`), not ours. */
function pathSegment(text, refusal) {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    throw refusal();
  }
}

function jsonBody(text) {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalidArgument(`Invalid JSON payload received. ${e.message}`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stand-in: see the file comment and tests/emulator/README.md for its options. */
class SheetsStandIn {
  constructor({ serviceAccounts = [], quota = {}, quotaWindowMs = 60 * 1000, latencyMs = 0, tokenLifetimeSeconds = 3599, now = Date.now } = {}) {
    this.now = now;
    this.latencyMs = latencyMs;
    this.spreadsheets = new Map();
    this.url = null;
    this.server = null;
    this.injected = [];
    this.editsAfterRead = new EditsAfterRead();
    this.auth = new TokenAuthority({ accounts: serviceAccounts, now, tokenLifetimeSeconds, tokenUri: () => this.tokenUri });
    this.quota = new MinuteQuota(quota, now, quotaWindowMs);
    this.drive = new DriveChannels({ now, apiUrl: () => this.url || 'https://www.googleapis.com' });
    this.resetStats();
  }

  /** Where clients ask for tokens (the key file's token_uri). */
  get tokenUri() {
    return this.url ? `${this.url}/token` : null;
  }

  /** Registers a service account ({ email, publicKey, projectId?, projectNumber? }). */
  addServiceAccount(account) {
    this.auth.addAccount(account);
  }

  /**
   * Serves a spreadsheet: `target` is an Emulator (its spreadsheet) or a SpreadsheetModel;
   * `sharedWith` lists the emails (service accounts) that may open it.
   */
  addSpreadsheet(target, { sharedWith = [] } = {}) {
    const ss = target && target.spreadsheet ? target.spreadsheet : target;
    if (!ss || typeof ss.id !== 'string' || !Array.isArray(ss.sheets)) throw new Error('addSpreadsheet takes an Emulator or a SpreadsheetModel');
    this.spreadsheets.set(ss.id, { ss, sharedWith: new Set(sharedWith) });
    return ss.id;
  }

  /** Shares a served spreadsheet with `email`, as the Share dialog does. */
  share(spreadsheetId, email) {
    this.entry(spreadsheetId).sharedWith.add(email);
  }

  /**
   * Writes `account`'s JSON key file (from createTestServiceAccount) to `path`, its token_uri
   * this stand-in's token endpoint, readable by its owner only (0600) as a key file should be.
   * Call after `listen()`.
   */
  writeKeyFile(path, account) {
    if (!this.tokenUri) throw new Error('writeKeyFile needs the stand-in listening (its token_uri is its own URL)');
    fs.writeFileSync(path, JSON.stringify(account.keyFile(this.tokenUri), null, 2), { mode: 0o600 });
    fs.chmodSync(path, 0o600);
  }

  /** Takes `email`'s access away. */
  unshare(spreadsheetId, email) {
    this.entry(spreadsheetId).sharedWith.delete(email);
  }

  entry(spreadsheetId) {
    const e = this.spreadsheets.get(spreadsheetId);
    if (!e) throw new Error(`the stand-in serves no spreadsheet ${JSON.stringify(spreadsheetId)}`);
    return e;
  }

  /**
   * Makes the next `count` API calls (not token requests) fail with `code` (429, 500, 503…)
   * before they reach the quota or the method, as Google's servers sometimes do.
   */
  failNext({ count = 1, code = 503, message = 'The service is currently unavailable.' } = {}) {
    const failure = new GoogleApiError(code, message); // refuses a code Google has no status name for, now
    for (let i = 0; i < count; i++) this.injected.push(failure);
  }

  /**
   * Arms a person's edit `{ spreadsheetId, range, values, afterReads = 1, valueInputOption =
   * 'USER_ENTERED' }`, applied right after the spreadsheet's `afterReads`-th values.get or
   * values.batchGet from now is answered, before the next call is served: a deterministic
   * "a person edited between a client's read and its write". Throws `EditRefused` saying
   * which field is wrong.
   */
  editAfterRead(edit = {}) {
    this.editsAfterRead.arm(this.spreadsheets.get(edit.spreadsheetId), edit);
    return this.editsAfterRead.state();
  }

  /** Clears the request counter. */
  resetStats() {
    this.stats = { requests: 0, byMethod: {}, byStatus: {}, bySpreadsheet: {} };
  }

  /** Latency of one call: the option is a number of ms or a function of the method name. */
  latencyFor(name) {
    return typeof this.latencyMs === 'function' ? this.latencyMs(name) : this.latencyMs;
  }

  /**
   * Answers one request: `{ method, url, headers, body }` (url: path and query; body: text)
   * → `{ status, headers, body }` (body: an object sent as JSON).
   */
  async handle({ method, url, headers = {}, body }) {
    const parsed = new URL(url, 'http://standin.invalid');
    const lowerHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const route = ROUTES.find((r) => r.method === method && r.path.test(parsed.pathname));
    const name = route ? route.name : 'unknown';
    this.stats.requests++;
    this.stats.byMethod[name] = (this.stats.byMethod[name] || 0) + 1;
    const delay = this.latencyFor(name);
    if (delay > 0) await sleep(delay);
    let answer;
    const reached = {};
    try {
      const result = this.dispatch(route, parsed, lowerHeaders, body, reached);
      answer = result === NO_CONTENT ? { status: 204, headers: {}, body: undefined } : { status: 200, headers: {}, body: result };
      this.editsAfterRead.answered(name, reached.ss);
    } catch (e) {
      if (!(e instanceof GoogleApiError) && !(e instanceof OAuthError)) throw e;
      answer = { status: e.code, headers: e.headers, body: e.body() };
    }
    this.stats.byStatus[answer.status] = (this.stats.byStatus[answer.status] || 0) + 1;
    return answer;
  }

  dispatch(route, parsed, headers, bodyText, reached = {}) {
    if (!route) throw new GoogleApiError(404, `Method not found: ${parsed.pathname}`);
    if (route.name === 'oauth.token') return this.auth.exchange(Object.fromEntries(new URLSearchParams(bodyText || '')));
    const grant = this.auth.caller(headers.authorization);
    const injected = this.injected.shift();
    if (injected) throw injected;
    if (route.kind === 'drive') return this.dispatchDrive(route, parsed, grant, bodyText);
    this.quota.take(route.kind, grant);
    if (!scopesAllow(grant, route.kind === 'write')) throw insufficientScopes();
    const [, idText, rangeText] = route.path.exec(parsed.pathname);
    const entry = this.spreadsheets.get(pathSegment(idText, entityNotFound));
    if (!entry) throw entityNotFound();
    this.stats.bySpreadsheet[entry.ss.id] = (this.stats.bySpreadsheet[entry.ss.id] || 0) + 1;
    if (!entry.sharedWith.has(grant.account.email)) throw callerHasNoPermission();
    reached.ss = entry.ss;
    return route.handler({
      ss: entry.ss,
      rangeText: pathSegment(rangeText, () => invalidArgument(`Unable to parse range: ${rangeText}`)),
      query: queryObject(parsed.searchParams),
      body: jsonBody(bodyText),
    });
  }

  /** files.watch and channels.stop (see the file comment). */
  dispatchDrive(route, parsed, grant, bodyText) {
    if (!DriveChannels.scopesAllow(grant)) throw insufficientScopes();
    const body = jsonBody(bodyText);
    if (route.name === 'drive.channels.stop') {
      this.drive.stop(body);
      return NO_CONTENT;
    }
    const [, idText] = route.path.exec(parsed.pathname);
    const fileId = pathSegment(idText, entityNotFound);
    const entry = this.spreadsheets.get(fileId);
    if (!entry || !entry.sharedWith.has(grant.account.email)) throw new GoogleApiError(404, `File not found: ${fileId}.`);
    this.stats.bySpreadsheet[entry.ss.id] = (this.stats.bySpreadsheet[entry.ss.id] || 0) + 1;
    return this.drive.watch(entry.ss, body);
  }

  /** Serves over HTTP on `host:port` (port 0: a free one); resolves to the base URL. */
  listen({ port = 0, host = '127.0.0.1' } = {}) {
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (req.url === EDIT_AFTER_READ_PATH) {
          this.serveEditAfterRead(req.method, Buffer.concat(chunks).toString('utf8'), res);
          return;
        }
        if (req.method === 'GET' && req.url === STATS_PATH) {
          res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
          res.end(JSON.stringify({ ...this.stats, quota: this.quota.snapshot() }));
          return;
        }
        this.handle({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
          .then((answer) => {
            if (answer.body === undefined) {
              res.writeHead(answer.status, answer.headers);
              res.end();
              return;
            }
            res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=UTF-8', ...answer.headers });
            res.end(JSON.stringify(answer.body));
          })
          .catch((e) => {
            // A defect of the stand-in itself: say so plainly rather than pass as Google.
            res.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8' });
            res.end(`Sheets API stand-in failed: ${e && e.stack ? e.stack : e}`);
          });
      });
    });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const { address, port: bound } = this.server.address();
        this.url = `http://${address}:${bound}`;
        resolve(this.url);
      });
    });
  }

  serveEditAfterRead(method, text, res) {
    const send = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    };
    if (method === 'GET') return send(200, this.editsAfterRead.state());
    if (method !== 'POST') return send(405, { error: `${EDIT_AFTER_READ_PATH} takes GET or POST, not ${method}` });
    let edit;
    try {
      edit = JSON.parse(text);
    } catch (e) {
      return send(400, { error: `the body is not JSON: ${e.message}` });
    }
    try {
      return send(200, this.editAfterRead(edit));
    } catch (e) {
      if (e instanceof EditRefused) return send(400, { error: e.message });
      throw e;
    }
  }

  /** Stops serving. */
  close() {
    this.drive.closeAll();
    if (!this.server) return Promise.resolve();
    const server = this.server;
    this.server = null;
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/** Creates a stand-in; see tests/emulator/README.md for the options. */
function createSheetsStandIn(options) {
  return new SheetsStandIn(options);
}

module.exports = { SheetsStandIn, createSheetsStandIn, ROUTES, STATS_PATH, EDIT_AFTER_READ_PATH };
