'use strict';
// Shared set-up for the Sheets API stand-in's tests: one emulated spreadsheet served over
// HTTP, a service account it is shared with, and a small client that signs in and calls it.

const { emulatorWith } = require('./helpers');
const { createSheetsStandIn, createTestServiceAccount, signAssertion } = require('../index');

const SPREADSHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

/** Apps Script side of the tests: read and write through SpreadsheetApp. */
const APPS_SCRIPT = `
function readValues(sheet, a1) { return SpreadsheetApp.getActive().getSheetByName(sheet).getRange(a1).getValues(); }
function readFormulas(sheet, a1) { return SpreadsheetApp.getActive().getSheetByName(sheet).getRange(a1).getFormulas(); }
function writeValues(sheet, a1, rows) { SpreadsheetApp.getActive().getSheetByName(sheet).getRange(a1).setValues(rows); }
function maxRows(sheet) { return SpreadsheetApp.getActive().getSheetByName(sheet).getMaxRows(); }
function onEdit(e) { PropertiesService.getDocumentProperties().setProperty('edited', e.range.getA1Notation()); }
function edited() { return PropertiesService.getDocumentProperties().getProperty('edited'); }
`;

/** One service account the tests sign in as (key generation is slow: made once per process). */
let sharedAccount = null;
function testAccount() {
  if (!sharedAccount) sharedAccount = createTestServiceAccount();
  return sharedAccount;
}

/**
 * Starts a stand-in serving one emulator's spreadsheet, shared with the test account.
 * Resolves to { emu, standIn, account, api, token, close }.
 */
async function startStandIn({ emulator = {}, standIn = {}, shared = true } = {}) {
  const emu = emulatorWith(APPS_SCRIPT, { spreadsheetId: 'sheet-under-test', ...emulator });
  const account = testAccount();
  const server = createSheetsStandIn({ serviceAccounts: [account], ...standIn });
  server.addSpreadsheet(emu, { sharedWith: shared ? [account.email] : [] });
  const base = await server.listen();
  let cached = null;
  const token = async (scope = SPREADSHEETS_SCOPE) => {
    if (cached && cached.scope === scope) return cached.token;
    const res = await requestToken(server, account, { scope });
    if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
    cached = { scope, token: res.body.access_token };
    return cached.token;
  };
  /** Calls `method path` (path below /v4/spreadsheets/<id>, e.g. '/values/A1'); resolves to { status, body, headers }. */
  const api = async (method, path, body, { scope, auth } = {}) => {
    const headers = { 'Content-Type': 'application/json' };
    const bearer = auth === undefined ? await token(scope) : auth;
    if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
    const res = await fetch(`${base}/v4/spreadsheets/${emu.spreadsheet.id}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  };
  return { emu, standIn: server, account, api, token, close: () => server.close() };
}

/** Posts a signed assertion to the stand-in's token endpoint; `claims` overrides the assertion's fields. */
async function requestToken(server, account, { scope = SPREADSHEETS_SCOPE, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer', privateKey = account.privateKeyPem, ...claims } = {}) {
  const assertion = signAssertion({ email: account.email, privateKey, scope, aud: server.tokenUri, ...claims });
  const res = await fetch(server.tokenUri, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grantType, assertion }).toString(),
  });
  return { status: res.status, body: await res.json() };
}

/** `Sheet1!A1:B2` as a path segment. */
const enc = (range) => encodeURIComponent(range);

module.exports = { startStandIn, requestToken, testAccount, enc, SPREADSHEETS_SCOPE };
