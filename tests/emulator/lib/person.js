'use strict';
// A simulated collaborator working in the Sheets UI. Each action changes the
// sheet as the UI would (typed text converted like typed input) and then
// fires the triggers Google fires for that action, awaiting their executions.
// Every action resolves to the trigger outcomes [{ handler, status, result | error }].

const { parseRangeRef } = require('./a1');
const { enteredText, isDateFormat } = require('./cellValues');
const { serialOfInstant } = require('./timezone');
const { MAX_CELL_CHARS } = require('./grid');
const { isDate, timeOf } = require('./execution');

/** One person editing the spreadsheet. */
class Person {
  constructor(emu, email) {
    this.emu = emu;
    this.email = email;
  }

  sheet(name) {
    const s = this.emu.spreadsheet.sheetByName(name);
    if (!s) throw new Error(`no sheet named ${JSON.stringify(name)}`);
    return s;
  }

  block(sheet, a1) {
    const r = parseRangeRef(a1, sheet.maxRows, sheet.maxCols);
    if (!r) throw new Error(`not A1 notation: ${JSON.stringify(a1)}`);
    return r;
  }

  /** Stores what typing `input` into a cell gives; returns the cell's e.value text. */
  type(sheet, row, col, input) {
    const old = sheet.cell(row, col) || {};
    let cell;
    if (input === null || input === undefined || input === '') cell = { ...old, v: undefined, f: undefined };
    else if (isDate(input)) {
      const nf = isDateFormat(old.nf) ? old.nf : 'm/d/yyyy h:mm:ss';
      cell = { ...old, v: serialOfInstant(timeOf(input), this.emu.spreadsheet.timeZone), f: undefined, nf };
    } else if (typeof input === 'number' || typeof input === 'boolean') cell = { ...old, v: input, f: undefined };
    else {
      const text = String(input);
      if (text.length > MAX_CELL_CHARS) throw new Error(`Your input contains more than the maximum of ${MAX_CELL_CHARS} characters in a single cell.`);
      cell = { ...old, ...enteredText(text, old.nf) };
    }
    sheet.putCell(row, col, cell);
    return cell.f ? undefined : eventText(cell.v);
  }

  /** Types one value into one cell (Enter). */
  async editCell(sheetName, a1, value) {
    const sheet = this.sheet(sheetName);
    const { row, col } = this.block(sheet, a1);
    const oldValue = eventText((sheet.cell(row, col) || {}).v);
    const newValue = this.type(sheet, row, col, value);
    return this.emu.triggerRunner.fireEdit(this, { sheet, row, col, numRows: 1, numCols: 1, value: newValue, oldValue });
  }

  /** Types a formula into one cell. */
  async typeFormula(sheetName, a1, formula) {
    return this.editCell(sheetName, a1, formula.startsWith('=') ? formula : `=${formula}`);
  }

  /** Pastes a block of values with its top-left at `a1`; the grid grows to fit, as a paste does. */
  async pasteBlock(sheetName, a1, values) {
    const sheet = this.sheet(sheetName);
    const { row, col } = this.block(sheet, a1);
    const numRows = values.length;
    const numCols = Math.max(...values.map((l) => l.length));
    const ss = this.emu.spreadsheet;
    if (row + numRows - 1 > sheet.maxRows) ss.insertRows(sheet, sheet.maxRows + 1, row + numRows - 1 - sheet.maxRows);
    if (col + numCols - 1 > sheet.maxCols) ss.insertColumns(sheet, sheet.maxCols + 1, col + numCols - 1 - sheet.maxCols);
    const oldValue = eventText((sheet.cell(row, col) || {}).v);
    let single;
    values.forEach((line, i) => line.forEach((v, j) => {
      single = this.type(sheet, row + i, col + j, v);
    }));
    return this.emu.triggerRunner.fireEdit(this, { sheet, row, col, numRows, numCols, value: single, oldValue });
  }

  /** Presses Delete on a block: contents go, formats stay. */
  async clearCells(sheetName, a1) {
    const sheet = this.sheet(sheetName);
    const r = this.block(sheet, a1);
    const oldValue = eventText((sheet.cell(r.row, r.col) || {}).v);
    for (let i = 0; i < r.numRows; i++) for (let j = 0; j < r.numCols; j++) this.type(sheet, r.row + i, r.col + j, '');
    return this.emu.triggerRunner.fireEdit(this, { ...r, sheet, value: undefined, oldValue });
  }

  /** Inserts `n` rows above row `before` (right-click → Insert rows above). */
  async insertRows(sheetName, before, n = 1) {
    this.emu.spreadsheet.insertRows(this.sheet(sheetName), before, n);
    return this.emu.triggerRunner.fireChange(this, 'INSERT_ROW');
  }

  /** Deletes `n` rows from row `row`. */
  async deleteRows(sheetName, row, n = 1) {
    this.emu.spreadsheet.deleteRows(this.sheet(sheetName), row, n);
    return this.emu.triggerRunner.fireChange(this, 'REMOVE_ROW');
  }

  /** Inserts `n` columns before column `before`. */
  async insertColumns(sheetName, before, n = 1) {
    this.emu.spreadsheet.insertColumns(this.sheet(sheetName), before, n);
    return this.emu.triggerRunner.fireChange(this, 'INSERT_COLUMN');
  }

  /** Deletes `n` columns from column `col`. */
  async deleteColumns(sheetName, col, n = 1) {
    this.emu.spreadsheet.deleteColumns(this.sheet(sheetName), col, n);
    return this.emu.triggerRunner.fireChange(this, 'REMOVE_COLUMN');
  }

  /** Data → Sort sheet by a column (rows below the frozen ones). Fires onEdit over the sorted rows and onChange OTHER. */
  async sortSheet(sheetName, col, ascending = true) {
    const sheet = this.sheet(sheetName);
    const last = sheet.lastRow();
    const first = sheet.frozenRows + 1;
    if (last >= first) this.emu.spreadsheet.sortRows(sheet, first, last, col, ascending);
    const runner = this.emu.triggerRunner;
    const numRows = Math.max(1, last - first + 1);
    const edits = await runner.fire(this, 'onEdit', 'ON_EDIT', (exec) => ({
      range: require('./services/range').createRange(exec, sheet, first, 1, numRows, Math.max(1, sheet.lastColumn())),
      source: require('./services/spreadsheet').createSpreadsheet(exec),
    }));
    return edits.concat(await runner.fireChange(this, 'OTHER'));
  }

  /** Adds a sheet (the + button). */
  async insertSheet(name) {
    this.emu.spreadsheet.addSheet(name);
    return this.emu.triggerRunner.fireChange(this, 'INSERT_GRID');
  }

  /** Deletes a sheet. */
  async deleteSheet(name) {
    this.emu.spreadsheet.removeSheet(this.sheet(name));
    return this.emu.triggerRunner.fireChange(this, 'REMOVE_GRID');
  }

  /** Changes a block's number format (Format → Number). */
  async setNumberFormat(sheetName, a1, format) {
    const sheet = this.sheet(sheetName);
    const r = this.block(sheet, a1);
    for (let i = 0; i < r.numRows; i++) for (let j = 0; j < r.numCols; j++) {
      sheet.putCell(r.row + i, r.col + j, { ...(sheet.cell(r.row + i, r.col + j) || {}), nf: format });
    }
    return this.emu.triggerRunner.fireChange(this, 'FORMAT');
  }

  /** Opens the spreadsheet (simple onOpen and open triggers). */
  async open() {
    return this.emu.open(this);
  }

  /**
   * Clicks an item of a menu the script added (`caption` as shown): its function runs as a
   * manual execution by this person. Rejects when no menu has such an item.
   */
  async chooseMenuItem(caption) {
    const items = this.emu.ui.menus.flatMap((m) => m.items);
    const item = items.find((i) => i.caption === caption);
    if (!item) throw new Error(`no menu item ${JSON.stringify(caption)}; the menus hold ${JSON.stringify(items.map((i) => i.caption))}`);
    return this.emu.runAs(this, item.functionName);
  }
}

/** e.value / e.oldValue text of a stored value (undefined for an empty cell). */
function eventText(v) {
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

module.exports = { Person };
