#!/usr/bin/env node
'use strict';
// Runs the Sheets API v4 stand-in as its own process, for a server (or a benchmark) that
// talks to "Google" over HTTP: `node emulator/sheets-standin.js --help`. Prints one JSON
// line once listening ({ url, tokenUri, spreadsheetIds, keyFile }) and serves until killed.

const fs = require('node:fs');
const crypto = require('node:crypto');
const { parseArgs } = require('node:util');
const { SpreadsheetModel } = require('./lib/grid');
const { isValidTimeZone } = require('./lib/timezone');
const { createSheetsStandIn, createTestServiceAccount } = require('./lib/sheetsApi');

const HELP = `Usage: node emulator/sheets-standin.js [options]

  --port N                      port to listen on (default 0: a free one)
  --host H                      address to listen on (default 127.0.0.1)
  --key-file PATH               a service account's JSON key file; its public key signs in (repeatable)
  --write-key-file PATH         make a test service account and write its key file (token_uri: this stand-in)
  --unshared                    do not share the spreadsheets with the service accounts
  --spreadsheet-id ID           serve a spreadsheet with this id (repeatable)
  --spreadsheet-count N         serve N spreadsheets with ids sheet-1 … sheet-N
  --title T                     spreadsheet title (default "Untitled spreadsheet")
  --time-zone Z                 spreadsheet time zone (default America/New_York)
  --sheet NAME                  a sheet of each spreadsheet (repeatable; default Sheet1)
  --latency-ms N                answer every call N ms late
  --token-lifetime-seconds N    expires_in of issued tokens (default 3599)
  --reads-per-minute-per-project N, --reads-per-minute-per-user N,
  --writes-per-minute-per-project N, --writes-per-minute-per-user N
                                quotas (defaults: Google's 300 and 60; 0 = none left)
  --quota-window-ms N           the quotas' "minute", in ms (default 60000); shorter runs a
                                benchmark's hours of quota in minutes (not Google's)
`;

const QUOTA_FLAGS = {
  'reads-per-minute-per-project': 'readsPerMinutePerProject',
  'reads-per-minute-per-user': 'readsPerMinutePerUser',
  'writes-per-minute-per-project': 'writesPerMinutePerProject',
  'writes-per-minute-per-user': 'writesPerMinutePerUser',
};

function fail(message) {
  process.stderr.write(`sheets-standin: ${message}\n`);
  process.exit(2);
}

function count(flag, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) fail(`--${flag} must be a whole number, got ${JSON.stringify(text)}`);
  return n;
}

/** The service account a Google JSON key file describes (its public key comes from the private one). */
function accountFromKeyFile(file) {
  let key;
  try {
    key = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`cannot read the key file ${file}: ${e.message}`);
  }
  for (const field of ['client_email', 'private_key']) {
    if (typeof key[field] !== 'string') fail(`the key file ${file} has no ${field}`);
  }
  return {
    email: key.client_email,
    projectId: key.project_id || 'standin-project',
    projectNumber: key.client_id || '100000000001',
    publicKey: crypto.createPublicKey(key.private_key),
  };
}

async function main() {
  const string = { type: 'string' };
  const { values: o } = parseArgs({
    options: {
      help: { type: 'boolean' }, port: string, host: string,
      'key-file': { type: 'string', multiple: true }, 'write-key-file': string, unshared: { type: 'boolean' },
      'spreadsheet-id': { type: 'string', multiple: true }, 'spreadsheet-count': string,
      title: string, 'time-zone': string, sheet: { type: 'string', multiple: true },
      'latency-ms': string, 'token-lifetime-seconds': string, 'quota-window-ms': string,
      ...Object.fromEntries(Object.keys(QUOTA_FLAGS).map((k) => [k, string])),
    },
  });
  if (o.help) {
    process.stdout.write(HELP);
    return;
  }
  const timeZone = o['time-zone'] || 'America/New_York';
  if (!isValidTimeZone(timeZone)) fail(`unknown time zone ${JSON.stringify(timeZone)}`);
  const quota = {};
  for (const [flag, name] of Object.entries(QUOTA_FLAGS)) if (o[flag] !== undefined) quota[name] = count(flag, o[flag]);
  if (o['quota-window-ms'] !== undefined && count('quota-window-ms', o['quota-window-ms']) < 1) fail('--quota-window-ms must be at least 1');
  const accounts = (o['key-file'] || []).map(accountFromKeyFile);
  const made = o['write-key-file'] ? createTestServiceAccount() : null;
  if (made) accounts.push(made);
  const standIn = createSheetsStandIn({
    serviceAccounts: accounts,
    quota,
    quotaWindowMs: o['quota-window-ms'] === undefined ? 60 * 1000 : count('quota-window-ms', o['quota-window-ms']),
    latencyMs: o['latency-ms'] === undefined ? 0 : count('latency-ms', o['latency-ms']),
    tokenLifetimeSeconds: o['token-lifetime-seconds'] === undefined ? 3599 : count('token-lifetime-seconds', o['token-lifetime-seconds']),
  });
  const ids = [...(o['spreadsheet-id'] || [])];
  const n = o['spreadsheet-count'] === undefined ? 0 : count('spreadsheet-count', o['spreadsheet-count']);
  for (let i = 1; i <= n; i++) ids.push(`sheet-${i}`);
  if (ids.length === 0) ids.push(crypto.randomBytes(22).toString('base64url'));
  const sharedWith = o.unshared ? [] : accounts.map((a) => a.email);
  for (const id of ids) {
    const ss = new SpreadsheetModel({ id, name: o.title || 'Untitled spreadsheet', timeZone });
    for (const name of o.sheet || ['Sheet1']) ss.addSheet(name);
    standIn.addSpreadsheet(ss, { sharedWith });
  }
  const url = await standIn.listen({ port: o.port === undefined ? 0 : count('port', o.port), host: o.host || '127.0.0.1' });
  if (made) standIn.writeKeyFile(o['write-key-file'], made);
  process.stdout.write(`${JSON.stringify({ url, tokenUri: standIn.tokenUri, spreadsheetIds: ids, keyFile: o['write-key-file'] || null })}\n`);
  const stop = () => standIn.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
