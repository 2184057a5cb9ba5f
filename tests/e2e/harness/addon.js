'use strict';
// The add-on's own files, unchanged, in the Apps Script emulator, plus helpers that read
// the sheet as a script sees it and wait for the add-on's state.

const fs = require('node:fs');
const path = require('node:path');
const { createEmulator } = require('../../emulator');

const ADDON = path.resolve(__dirname, '..', '..', '..', 'addon');
const PROBE = path.join(__dirname, 'project', 'E2eProbe.js');

/** The add-on's script files in the order clasp pushes them: the bundle first, then by name. */
function addonFiles() {
  const names = fs.readdirSync(ADDON).filter((f) => f.endsWith('.js'));
  const ordered = names.filter((f) => f === 'WasmBundle.js').concat(names.filter((f) => f !== 'WasmBundle.js').sort());
  return ordered.map((f) => path.join(ADDON, f));
}

/**
 * The install mode the suite runs the add-on in: a script bound to the sheet by default,
 * SHEETSYNC_E2E_MODE=addon for a published editor add-on (hourly timers, one trigger of each
 * kind per person and document).
 */
const MODE = process.env.SHEETSYNC_E2E_MODE || 'container-bound';
if (!['container-bound', 'addon'].includes(MODE)) {
  throw new Error(`SHEETSYNC_E2E_MODE must be container-bound or addon, not ${JSON.stringify(MODE)}`);
}

/** How far the clock must move for the add-on's time-driven trigger to fire once. */
function timerTickMs(emu) {
  return emu.options.mode === 'addon' ? 60 * 60 * 1000 : 60 * 1000;
}

/**
 * A spreadsheet with the add-on. `extraFiles` load after the add-on's own (a later
 * top-level function replaces an earlier one of the same name, as in Apps Script).
 * The virtual clock starts at the real now, so edit times compare with the database's.
 */
function addonEmulator({ extraFiles = [], timeZone = 'Europe/Berlin', ...options } = {}) {
  return createEmulator({
    files: [...addonFiles(), PROBE, ...extraFiles],
    projectDir: ADDON,
    timeZone,
    now: Date.now(),
    mode: MODE,
    ...options,
  });
}

/** Connects the add-on to `stack`'s server and binds `sheetName` (active) to `table`. */
async function connectAndBind(emu, stack, table, { policy = null } = {}) {
  await emu.run('saveConnection', stack.url, stack.token);
  await emu.run('bindTable', table);
  if (policy) await emu.run('setPolicy', policy);
}

/** The sheet as a script reads it: { values, formulas }, dates as { date: 'yyyy-MM-dd HH:mm:ss' }. */
function readSheet(emu, name = 'Sheet1') {
  return emu.run('e2eReadSheet', name);
}

/** The sheet's data rows as objects keyed by header, with `_row` the sheet row number. */
async function sheetRecords(emu, name = 'Sheet1') {
  const { values } = await readSheet(emu, name);
  if (!values.length) return [];
  const headers = values[0].map(String);
  return values.slice(1)
    .map((row, i) => {
      const o = { _row: i + 2 };
      headers.forEach((h, c) => {
        if (h) o[h] = row[c];
      });
      return o;
    })
    .filter((o) => headers.some((h) => h && o[h] !== ''));
}

/** Records sorted by the `key` column, numbers before text. */
function byKey(records, key = 'id') {
  return records.slice().sort((a, b) => String(a[key]).localeCompare(String(b[key]), 'en', { numeric: true }));
}

/** The records without their `_row`. */
function plain(records) {
  return records.map(({ _row, ...rest }) => rest);
}

/** The outcomes of trigger executions an action fired, throwing if any failed. */
function assertTriggersOk(outcomes) {
  const failed = (outcomes || []).filter((o) => o.status === 'failed');
  if (failed.length) throw new Error(`trigger failed: ${failed.map((o) => `${o.handler}: ${o.error && o.error.message ? o.error.message : o.error}`).join('; ')}`);
  return outcomes;
}

/** The pushes (POST …/push) the add-on made since `from` requests. */
function pushesSince(emu, from = 0) {
  return emu.stats.requests.slice(from).filter((r) => /\/push$/.test(String(r.url || '')) && String(r.method || '').toLowerCase() === 'post');
}

module.exports = { MODE, timerTickMs, addonEmulator, addonFiles, connectAndBind, readSheet, sheetRecords, byKey, plain, assertTriggersOk, pushesSince };
