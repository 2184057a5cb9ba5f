'use strict';
// SpreadsheetApp.Filter, FilterCriteria and FilterCriteriaBuilder: a sheet's basic filter.

const { ScriptException } = require('../errors');
const { FilterModel, emptyCriteria } = require('../filter');

/** Range.createFilter(): a filter over the range, unless the sheet has one already. */
function createFilterOn(exec, sheet, row, col, numRows, numCols) {
  if (sheet.filter) throw new ScriptException("You can't create a filter in a sheet that already has a filter.");
  sheet.filter = new FilterModel(row, col, numRows, numCols);
  return createFilter(exec, sheet);
}

/** The Filter service object for `sheet`'s filter as it is now. */
function createFilter(exec, sheet) {
  const model = sheet.filter;
  const ss = exec.emu.spreadsheet;
  const alive = () => {
    if (sheet.filter !== model) throw new ScriptException('This filter has been removed.');
  };
  const column = (position) => {
    alive();
    const c = Number(position);
    if (!Number.isInteger(c) || !model.coversColumn(c)) {
      throw new ScriptException(`The column ${position} is outside the range of this filter.`);
    }
    return c;
  };
  const self = exec.service('Filter', {
    getRange() {
      alive();
      return require('./range').createRange(exec, sheet, model.row, model.col, model.numRows, model.numCols);
    },
    getColumnFilterCriteria(position) {
      const c = model.criteria.get(column(position));
      return c ? createFilterCriteria(exec, c) : null;
    },
    setColumnFilterCriteria(position, criteria) {
      const c = column(position);
      if (criteria === null) {
        model.criteria.delete(c);
        return self;
      }
      const data = criteria && exec.models.get(criteria);
      if (!data || !data.criteria) {
        throw new ScriptException("The parameters (number,Object) don't match the method signature for SpreadsheetApp.Filter.setColumnFilterCriteria.");
      }
      model.criteria.set(c, copyCriteria(data.criteria));
      return self;
    },
    removeColumnFilterCriteria(position) {
      model.criteria.delete(column(position));
      return self;
    },
    remove() {
      alive();
      sheet.filter = null;
    },
    sort(position, ascending = true) {
      const c = column(position);
      if (model.lastRow > model.row) ss.sortRows(sheet, model.row + 1, model.lastRow, c, ascending !== false);
      return self;
    },
  });
  return self;
}

function copyCriteria(c) {
  return {
    hiddenValues: c.hiddenValues ? c.hiddenValues.slice() : null,
    type: c.type,
    values: c.values.slice(),
  };
}

/** A built FilterCriteria: read-only, and copy() gives a builder to change a copy. */
function createFilterCriteria(exec, data) {
  const c = copyCriteria(data);
  const self = exec.service('FilterCriteria', {
    getHiddenValues: () => (c.hiddenValues ? exec.toRealm(c.hiddenValues) : null),
    getCriteriaType: () => c.type,
    getCriteriaValues: () => exec.toRealm(c.values),
    copy: () => createFilterCriteriaBuilder(exec, c),
  });
  exec.models.set(self, { criteria: c });
  return self;
}

/** SpreadsheetApp.newFilterCriteria(): each call changes the builder and returns it. */
function createFilterCriteriaBuilder(exec, start = emptyCriteria()) {
  const c = copyCriteria(start);
  const strings = (values, method) => {
    if (!Array.isArray(values)) {
      throw new ScriptException(`The parameters (${typeof values}) don't match the method signature for SpreadsheetApp.FilterCriteriaBuilder.${method}.`);
    }
    return values.map(String);
  };
  const when = (type, values) => {
    c.type = type;
    c.values = values;
    return self;
  };
  const self = exec.service('FilterCriteriaBuilder', {
    setHiddenValues(values) {
      c.hiddenValues = strings(values, 'setHiddenValues');
      return self;
    },
    whenTextEqualTo: (text) => when('TEXT_EQUAL_TO', [String(text)]),
    whenTextContains: (text) => when('TEXT_CONTAINS', [String(text)]),
    whenCellEmpty: () => when('CELL_EMPTY', []),
    whenCellNotEmpty: () => when('CELL_NOT_EMPTY', []),
    whenNumberGreaterThan: (n) => when('NUMBER_GREATER_THAN', [Number(n)]),
    build: () => createFilterCriteria(exec, c),
  });
  return self;
}

module.exports = { createFilterOn, createFilter, createFilterCriteriaBuilder };
