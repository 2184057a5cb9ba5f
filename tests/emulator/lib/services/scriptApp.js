'use strict';
// ScriptApp: installable triggers, enums, the OAuth token and the script id.

const { ScriptException } = require('../errors');

const EventType = { CLOCK: 'CLOCK', ON_OPEN: 'ON_OPEN', ON_EDIT: 'ON_EDIT', ON_FORM_SUBMIT: 'ON_FORM_SUBMIT', ON_CHANGE: 'ON_CHANGE', ON_EVENT_UPDATED: 'ON_EVENT_UPDATED' };
const TriggerSource = { SPREADSHEETS: 'SPREADSHEETS', CLOCK: 'CLOCK', FORMS: 'FORMS', DOCUMENTS: 'DOCUMENTS', CALENDAR: 'CALENDAR' };
const InstallationSource = { APPS_MARKETPLACE_DOMAIN_ADD_ON: 'APPS_MARKETPLACE_DOMAIN_ADD_ON', NONE: 'NONE', WEB_STORE_ADD_ON: 'WEB_STORE_ADD_ON' };
const AuthMode = { NONE: 'NONE', CUSTOM_FUNCTION: 'CUSTOM_FUNCTION', LIMITED: 'LIMITED', FULL: 'FULL' };

const VALID_MINUTES = [1, 5, 10, 15, 30];
const VALID_HOURS = [1, 2, 4, 6, 8, 12];
const MAX_TRIGGERS_PER_USER = 20;
const HOUR_MS = 3600000;

let uidCounter = 0;

/** Registers a trigger after Google's checks; returns the stored record. */
function install(exec, spec) {
  const emu = exec.emu;
  const owner = exec.user.email;
  if (emu.options.mode === 'test-deployment') {
    throw new ScriptException('Installable triggers are not supported in test deployments of add-ons.');
  }
  const mine = emu.triggers.filter((t) => t.owner === owner);
  if (mine.length >= MAX_TRIGGERS_PER_USER) {
    throw new ScriptException('This script has too many triggers. Triggers must be deleted from the script before more can be added.');
  }
  if (emu.options.mode === 'addon') {
    if (spec.eventType === EventType.CLOCK && spec.intervalMs !== null && spec.intervalMs < HOUR_MS) {
      throw new ScriptException('Add-ons may not create time-based triggers to run more frequently than once per hour.');
    }
    if (mine.some((t) => t.eventType === spec.eventType)) {
      const kind = spec.eventType === EventType.CLOCK ? 'time-based' : spec.eventType === EventType.ON_EDIT ? 'edit' : spec.eventType === EventType.ON_CHANGE ? 'change' : 'open';
      throw new ScriptException(`This add-on has created too many ${kind} triggers in this document for this Google user account. Try deleting the ${kind} triggers and try again.`);
    }
  }
  const record = { uid: String(Date.now() % 1e9 * 1000 + ++uidCounter), owner, ...spec };
  emu.triggers.push(record);
  return record;
}

function createTrigger(exec, record) {
  return exec.service('Trigger', {
    getUniqueId: () => record.uid,
    getHandlerFunction: () => record.handler,
    getEventType: () => record.eventType,
    getTriggerSource: () => record.source,
    getTriggerSourceId: () => (record.source === TriggerSource.SPREADSHEETS ? exec.emu.spreadsheet.id : null),
  });
}

function spreadsheetBuilder(exec, handler) {
  const make = (eventType) => exec.service('SpreadsheetTriggerBuilder', {
    create: () => createTrigger(exec, install(exec, { handler, eventType, source: TriggerSource.SPREADSHEETS, intervalMs: null, nextRunAt: null })),
  });
  return exec.service('SpreadsheetTriggerBuilder', {
    onEdit: () => make(EventType.ON_EDIT),
    onChange: () => make(EventType.ON_CHANGE),
    onOpen: () => make(EventType.ON_OPEN),
    onFormSubmit: () => make(EventType.ON_FORM_SUBMIT),
  });
}

function clockBuilder(exec, handler) {
  const spec = { handler, eventType: EventType.CLOCK, source: TriggerSource.CLOCK, intervalMs: null, nextRunAt: null, once: false };
  const self = exec.service('ClockTriggerBuilder', {
    everyMinutes(n) {
      if (!VALID_MINUTES.includes(Number(n))) throw new ScriptException('The value you passed to everyMinutes was invalid. Valid values are 1, 5, 10, 15 or 30.');
      spec.intervalMs = Number(n) * 60000;
      return self;
    },
    everyHours(n) {
      if (!VALID_HOURS.includes(Number(n))) throw new ScriptException('The value you passed to everyHours was invalid. Valid values are 1, 2, 4, 6, 8 or 12.');
      spec.intervalMs = Number(n) * HOUR_MS;
      return self;
    },
    everyDays(n) {
      spec.intervalMs = Number(n) * 24 * HOUR_MS;
      return self;
    },
    everyWeeks(n) {
      spec.intervalMs = Number(n) * 7 * 24 * HOUR_MS;
      return self;
    },
    after(ms) {
      spec.once = true;
      spec.intervalMs = null;
      spec.nextRunAt = exec.emu.clock.now() + Number(ms);
      return self;
    },
    at(date) {
      spec.once = true;
      spec.intervalMs = null;
      spec.nextRunAt = Date.prototype.getTime.call(date);
      return self;
    },
    atHour: () => self,
    nearMinute: () => self,
    onWeekDay: () => self,
    inTimezone: () => self,
    create() {
      if (spec.intervalMs === null && spec.nextRunAt === null) {
        throw new ScriptException('The trigger has no schedule. Call a method such as everyMinutes() before create().');
      }
      if (spec.intervalMs !== null) spec.nextRunAt = exec.emu.clock.now() + spec.intervalMs;
      return createTrigger(exec, install(exec, { ...spec }));
    },
  });
  return self;
}

/** Creates the ScriptApp global for one execution. */
function createScriptApp(exec) {
  const emu = exec.emu;
  const needFull = (what) => {
    if (exec.authMode !== AuthMode.FULL) {
      throw new ScriptException(`You do not have permission to call ${what}. Required permissions: https://www.googleapis.com/auth/script.scriptapp`);
    }
  };
  const mine = () => emu.triggers.filter((t) => t.owner === exec.user.email);
  return exec.service('ScriptApp', {
    EventType,
    TriggerSource,
    AuthMode,
    InstallationSource,
    getInstallationSource: () => (emu.options.mode === 'container-bound' ? InstallationSource.NONE : InstallationSource.WEB_STORE_ADD_ON),
    newTrigger(functionName) {
      needFull('ScriptApp.newTrigger');
      const handler = String(functionName);
      return exec.service('TriggerBuilder', {
        forSpreadsheet: () => spreadsheetBuilder(exec, handler),
        timeBased: () => clockBuilder(exec, handler),
      });
    },
    getProjectTriggers: () => (needFull('ScriptApp.getProjectTriggers'), exec.toRealm(mine().map((t) => createTrigger(exec, t)))),
    getUserTriggers: () => (needFull('ScriptApp.getUserTriggers'), exec.toRealm(mine().filter((t) => t.source === TriggerSource.SPREADSHEETS).map((t) => createTrigger(exec, t)))),
    deleteTrigger(trigger) {
      needFull('ScriptApp.deleteTrigger');
      const uid = trigger && trigger.getUniqueId ? trigger.getUniqueId() : null;
      emu.triggers = emu.triggers.filter((t) => t.uid !== uid);
    },
    getOAuthToken: () => `ya29.emulated-${emu.scriptId}-${Buffer.from(exec.user.email).toString('hex')}`,
    getScriptId: () => emu.scriptId,
    getAuthorizationInfo: () => exec.service('AuthorizationInfo', { getAuthorizationStatus: () => 'NOT_REQUIRED', getAuthorizationUrl: () => null }),
  });
}

module.exports = { createScriptApp, EventType, TriggerSource, AuthMode };
