'use strict';
// SpreadsheetApp.Spreadsheet: the file, its sheets, time zone and selection.

const { ScriptException } = require('../errors');
const { splitSheetName, parseRangeRef } = require('../a1');
const { isValidTimeZone } = require('../timezone');
const { createSheet } = require('./sheet');
const { createRange } = require('./range');

/** Creates the Spreadsheet service object for the emulator's one spreadsheet. */
function createSpreadsheet(exec) {
  const ss = exec.emu.spreadsheet;
  const modelOf = (obj, what) => {
    const m = obj && exec.models.get(obj);
    if (!m) throw new ScriptException(`The parameters don't match the method signature for SpreadsheetApp.Spreadsheet.${what}.`);
    return m;
  };
  const rangeFromA1 = (notation) => {
    const { sheetName, ref } = splitSheetName(String(notation));
    const sheet = sheetName === null ? ss.activeSheet : ss.sheetByName(sheetName);
    if (!sheet) throw new ScriptException('Range not found');
    const r = parseRangeRef(ref, sheet.maxRows, sheet.maxCols);
    if (!r) throw new ScriptException('Range not found');
    return createRange(exec, sheet, r.row, r.col, r.numRows, r.numCols);
  };
  const activeRange = () => {
    const a = ss.activeRange;
    if (a && ss.sheets.includes(a.sheet)) return createRange(exec, a.sheet, a.row, a.col, a.numRows, a.numCols);
    return createRange(exec, ss.activeSheet, 1, 1);
  };
  const select = (range) => {
    const m = typeof range === 'string' ? exec.models.get(rangeFromA1(range)) : modelOf(range, 'setActiveRange');
    ss.activeSheet = m.sheet;
    ss.activeRange = { sheet: m.sheet, row: m.row, col: m.col, numRows: m.numRows, numCols: m.numCols };
    return createRange(exec, m.sheet, m.row, m.col, m.numRows, m.numCols);
  };

  const self = exec.service('Spreadsheet', {
    getId: () => ss.id,
    getName: () => ss.name,
    rename(name) {
      ss.name = String(name);
    },
    getUrl: () => `https://docs.google.com/spreadsheets/d/${ss.id}/edit`,
    getSheets: () => exec.toRealm(ss.sheets.map((s) => createSheet(exec, s))),
    getNumSheets: () => ss.sheets.length,
    getSheetByName(name) {
      const s = ss.sheetByName(String(name));
      return s ? createSheet(exec, s) : null;
    },
    getSheetById(id) {
      const s = ss.sheets.find((x) => x.id === Number(id));
      return s ? createSheet(exec, s) : null;
    },
    insertSheet(a, b) {
      let name = typeof a === 'string' ? a : null;
      let index = typeof a === 'number' ? a : typeof b === 'number' ? b : ss.sheets.indexOf(ss.activeSheet) + 1;
      if (name === null) {
        let n = ss.sheets.length + 1;
        while (ss.sheetByName(`Sheet${n}`)) n++;
        name = `Sheet${n}`;
      }
      index = Math.max(0, Math.min(ss.sheets.length, index));
      const model = ss.addSheet(name, index);
      ss.activeSheet = model;
      return createSheet(exec, model);
    },
    deleteSheet(sheet) {
      ss.removeSheet(modelOf(sheet, 'deleteSheet').sheet);
    },
    getSpreadsheetTimeZone: () => ss.timeZone,
    setSpreadsheetTimeZone(tz) {
      if (!isValidTimeZone(tz)) throw new ScriptException(`Invalid argument: timeZone`);
      ss.timeZone = String(tz);
    },
    getSpreadsheetLocale: () => exec.emu.options.locale,
    getActiveSheet: () => createSheet(exec, ss.activeSheet),
    setActiveSheet(sheet) {
      const m = modelOf(sheet, 'setActiveSheet');
      ss.activeSheet = m.sheet;
      return createSheet(exec, m.sheet);
    },
    getActiveRange: activeRange,
    getActiveCell: () => {
      const r = activeRange();
      const m = exec.models.get(r);
      return createRange(exec, m.sheet, m.row, m.col);
    },
    setActiveRange: select,
    setActiveSelection: select,
    getRange: rangeFromA1,
    getRangeByName: () => null,
    toast(msg, title = '', timeout = 5) {
      exec.emu.ui.toasts.push({ message: String(msg), title: String(title), timeoutSeconds: timeout });
    },
  });
  return self;
}

module.exports = { createSpreadsheet };
