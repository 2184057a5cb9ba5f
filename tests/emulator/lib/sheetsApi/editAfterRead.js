'use strict';
// Not Google's: a person's edit that lands right after a read, to make "a person edits while a
// client is between its read and its write" happen every time instead of by chance. An armed
// edit waits for its spreadsheet's `afterReads`-th values.get or values.batchGet answered from
// now on and is applied right after that read's answer is made (before the next call is
// served), as values.batchUpdate would apply it.

const { parseApiRange } = require('./ranges');
const values = require('./valuesMethods');

const READS = new Set(['spreadsheets.values.get', 'spreadsheets.values.batchGet']);

/** Why an edit cannot be armed: the field and what is wrong with it. */
class EditRefused extends Error {}

class EditsAfterRead {
  constructor() {
    this.armed = [];
    this.applied = 0;
    this.failed = [];
  }

  /**
   * Arms `{ spreadsheetId, range, values, afterReads = 1, valueInputOption = 'USER_ENTERED' }`
   * against `entry` (the served spreadsheet); refuses what it could not apply, saying why.
   */
  arm(entry, { spreadsheetId, range, values: rows, afterReads = 1, valueInputOption = 'USER_ENTERED' } = {}) {
    if (!entry) throw new EditRefused(`spreadsheetId: the stand-in serves no spreadsheet ${JSON.stringify(spreadsheetId)}`);
    if (!Number.isInteger(afterReads) || afterReads < 1) throw new EditRefused(`afterReads must be a whole number from 1, got ${JSON.stringify(afterReads)}`);
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) throw new EditRefused('values must be an array of rows (arrays of cell values)');
    if (!['RAW', 'USER_ENTERED'].includes(valueInputOption)) throw new EditRefused(`valueInputOption must be RAW or USER_ENTERED, got ${JSON.stringify(valueInputOption)}`);
    try {
      parseApiRange(entry.ss, range);
    } catch (e) {
      throw new EditRefused(`range: ${e.message}`);
    }
    this.armed.push({ ss: entry.ss, left: afterReads, body: { valueInputOption, data: [{ range, values: rows }] } });
  }

  /** Counts a call answered (`name`, Google's method name) on `ss`, and applies the edits due. */
  answered(name, ss) {
    if (!READS.has(name) || !ss) return;
    const due = [];
    for (const edit of this.armed) {
      if (edit.ss === ss && --edit.left === 0) due.push(edit);
    }
    this.armed = this.armed.filter((e) => e.left > 0);
    for (const edit of due) {
      // The read was answered already: an edit that cannot be applied is reported, not thrown.
      try {
        values.batchUpdate({ ss: edit.ss, body: edit.body });
        this.applied++;
      } catch (e) {
        this.failed.push(`${edit.body.data[0].range}: ${e.message}`);
      }
    }
  }

  /** How many edits wait and how many were applied, and why any could not be. */
  state() {
    return { waiting: this.armed.length, applied: this.applied, failed: [...this.failed] };
  }
}

module.exports = { EditsAfterRead, EditRefused };
