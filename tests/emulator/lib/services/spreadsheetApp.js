'use strict';
// SpreadsheetApp: the entry point to the container spreadsheet.

const { ScriptException } = require('../errors');
const { createSpreadsheet } = require('./spreadsheet');
const { createSheet } = require('./sheet');
const { createUi } = require('./ui');
const { createFilterCriteriaBuilder } = require('./filter');

/** The scope openById needs: `spreadsheets.currentonly` covers only the file a script runs in. */
const SPREADSHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

/**
 * Whether the project may open a spreadsheet by id. A manifest that lists `oauthScopes` gets
 * exactly those; one without the field has its scopes detected from the code, which finds
 * openById and asks for the full scope (developers.google.com/apps-script/concepts/scopes).
 */
function mayOpenById(manifest) {
  const scopes = manifest && manifest.oauthScopes;
  return !Array.isArray(scopes) || scopes.includes(SPREADSHEETS_SCOPE);
}

/** Creates the SpreadsheetApp global for one execution. */
function createSpreadsheetApp(exec) {
  const ss = exec.emu.spreadsheet;
  const open = () => createSpreadsheet(exec);
  const active = () => (exec.hasDocument ? open() : null);
  return exec.service('SpreadsheetApp', {
    getActiveSpreadsheet: active,
    getActive: active,
    getActiveSheet: () => (exec.hasDocument ? createSheet(exec, ss.activeSheet) : null),
    getActiveRange: () => (exec.hasDocument ? open().getActiveRange() : null),
    openById(id) {
      if (!mayOpenById(exec.emu.manifest)) {
        throw new ScriptException(`You do not have permission to call SpreadsheetApp.openById. Required permissions: ${SPREADSHEETS_SCOPE}`);
      }
      if (String(id) !== ss.id) throw new ScriptException('Unexpected error while getting the method or property openById on object SpreadsheetApp.');
      return open();
    },
    getUi: () => createUi(exec),
    newFilterCriteria: () => createFilterCriteriaBuilder(exec),
    flush() {},
  });
}

module.exports = { createSpreadsheetApp, SPREADSHEETS_SCOPE };
