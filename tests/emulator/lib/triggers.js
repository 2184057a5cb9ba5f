'use strict';
// Firing triggers: the simple onOpen/onEdit functions and installable
// triggers on edit, change, open and the clock. Script writes never reach
// here; only the simulated person and the clock fire triggers, as in Google.

const { createRange } = require('./services/range');
const { createSpreadsheet } = require('./services/spreadsheet');
const { createUser } = require('./services/session');

/** Runs executions for events and keeps the time-driven schedule. */
class TriggerRunner {
  constructor(emu) {
    this.emu = emu;
  }

  /** Runs one trigger execution; never rejects (Google only records the failure). */
  async outcome(handler, run) {
    try {
      return { handler, status: 'completed', result: await run() };
    } catch (error) {
      return { handler, status: 'failed', error };
    }
  }

  /** Simple trigger `name` (if defined) then installable triggers of `eventType`. */
  async fire(person, simpleName, eventType, eventFor, simpleAuthMode = 'LIMITED') {
    const emu = this.emu;
    const outcomes = [];
    if (simpleName) {
      outcomes.push(await this.outcome(simpleName, () => emu.execute({
        fnName: simpleName, kind: 'simple', user: person, authMode: simpleAuthMode, optional: true,
        timeLimitMs: emu.options.simpleTriggerTimeLimitMs,
        argsFor: (exec) => [exec.toRealm({ authMode: simpleAuthMode, ...eventFor(exec), user: createUser(exec, activeUserEmail(emu, person, emu.options.owner)) })],
      })));
      if (emu.executions.at(-1) && emu.executions.at(-1).status === 'skipped') outcomes.pop();
    }
    for (const t of emu.triggers.filter((x) => x.eventType === eventType)) {
      const owner = emu.person(t.owner);
      outcomes.push(await this.outcome(t.handler, () => emu.execute({
        fnName: t.handler, kind: 'trigger', user: owner, effectiveUser: owner, triggerUid: t.uid,
        argsFor: (exec) => [exec.toRealm({ authMode: 'FULL', ...eventFor(exec), triggerUid: t.uid, user: createUser(exec, activeUserEmail(emu, person, t.owner)) })],
      })));
    }
    return outcomes;
  }

  /** A person's edit of a block: onEdit then onChange(EDIT). */
  async fireEdit(person, { sheet, row, col, numRows, numCols, value, oldValue }) {
    const single = numRows === 1 && numCols === 1;
    const editEvent = (exec) => {
      const e = { range: createRange(exec, sheet, row, col, numRows, numCols), source: createSpreadsheet(exec) };
      if (single && value !== undefined) e.value = value;
      if (single && oldValue !== undefined) e.oldValue = oldValue;
      return e;
    };
    const outcomes = await this.fire(person, 'onEdit', 'ON_EDIT', editEvent);
    return outcomes.concat(await this.fireChange(person, 'EDIT'));
  }

  /** onChange with Google's changeType and no range. */
  fireChange(person, changeType) {
    return this.fire(person, null, 'ON_CHANGE', (exec) => ({ changeType, source: createSpreadsheet(exec) }));
  }

  /** Opening the document: simple onOpen then installable open triggers. */
  fireOpen(person) {
    return this.fire(person, 'onOpen', 'ON_OPEN', (exec) => ({ source: createSpreadsheet(exec) }));
  }

  /** Installing the add-on: onInstall(e) runs with FULL authorization. */
  fireInstall(person) {
    return this.fire(person, 'onInstall', null, (exec) => ({ source: createSpreadsheet(exec) }), 'FULL');
  }

  /** Fires every time-driven trigger due at the clock's current time. */
  async runDue() {
    const emu = this.emu;
    const now = emu.clock.now();
    const outcomes = [];
    for (const t of emu.triggers.filter((x) => x.eventType === 'CLOCK' && !x.done && x.nextRunAt <= now)) {
      if (t.once) t.done = true;
      else while (t.nextRunAt <= now) t.nextRunAt += t.intervalMs;
      const owner = emu.person(t.owner);
      outcomes.push(await this.outcome(t.handler, () => emu.execute({
        fnName: t.handler, kind: 'time', user: owner, effectiveUser: owner, triggerUid: t.uid,
        argsFor: (exec) => [exec.toRealm(clockEvent(now, t.uid))],
      })));
    }
    return outcomes;
  }

  /** Moves the clock forward by `ms`, firing triggers at each due time in order. */
  async advance(ms) {
    const emu = this.emu;
    const target = emu.clock.now() + ms;
    const outcomes = [];
    for (;;) {
      const due = emu.triggers.filter((t) => t.eventType === 'CLOCK' && !t.done && t.nextRunAt <= target).map((t) => t.nextRunAt);
      if (!due.length) break;
      emu.clock.moveTo(Math.min(...due));
      outcomes.push(...(await this.runDue()));
    }
    emu.clock.moveTo(target);
    return outcomes;
  }
}

/**
 * The email an event's `user` (the active user) gives the script run on behalf of
 * `ownerEmail`. Google (developers.google.com/apps-script/reference/base/session#getActiveUser()):
 * the active user's email is not available where a script runs without that user's
 * authorization (a trigger set up by someone else, a simple trigger), unless the user is the
 * one who authorized it or belongs to the same Google Workspace domain; otherwise it is blank.
 * Consumer accounts share no domain, so another person's edit gives "".
 */
function activeUserEmail(emu, person, ownerEmail) {
  const email = person.email || '';
  if (!email || email === ownerEmail) return email;
  const domain = (e) => String(e).split('@')[1] || '';
  const sameWorkspace = emu.options.account === 'workspace' && domain(email) !== '' && domain(email) === domain(ownerEmail);
  return sameWorkspace ? email : '';
}

function clockEvent(now, uid) {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    authMode: 'FULL',
    'day-of-month': d.getUTCDate(),
    'day-of-week': d.getUTCDay() === 0 ? 7 : d.getUTCDay(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    month: d.getUTCMonth() + 1,
    second: d.getUTCSeconds(),
    timezone: 'UTC',
    triggerUid: uid,
    'week-of-year': Math.ceil(((now - start) / 86400000 + new Date(start).getUTCDay() + 1) / 7),
    year: d.getUTCFullYear(),
  };
}

module.exports = { TriggerRunner };
