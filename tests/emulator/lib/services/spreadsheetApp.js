'use strict';
// SpreadsheetApp: the entry point to the container spreadsheet.

const { ScriptException } = require('../errors');
const { createSpreadsheet } = require('./spreadsheet');
const { createSheet } = require('./sheet');
const { createUi } = require('./ui');
const { createFilterCriteriaBuilder } = require('./filter');

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
      if (String(id) !== ss.id) throw new ScriptException('Unexpected error while getting the method or property openById on object SpreadsheetApp.');
      return open();
    },
    getUi: () => createUi(exec),
    newFilterCriteria: () => createFilterCriteriaBuilder(exec),
    flush() {},
  });
}

module.exports = { createSpreadsheetApp };
