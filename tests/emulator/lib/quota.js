'use strict';
// Daily quotas, counted as Google's quotas page states them, per account type: UrlFetch calls
// (each request of a fetchAll counts), property reads and writes (each call on any store),
// total runtime of trigger executions, and executions by kind. Counters start again each day
// of the emulator's clock (Google's own window is rolling 24 hours; a day boundary is the
// close, testable stand-in). Past a quota, the call fails with Google's text.

const { ScriptException } = require('./errors');

const DAY_MS = 24 * 60 * 60 * 1000;

/** developers.google.com/apps-script/guides/services/quotas, "Current quotas". */
const DAILY_QUOTAS = {
  consumer: { urlFetchCalls: 20000, propertyCalls: 50000, triggerRuntimeMs: 90 * 60 * 1000 },
  workspace: { urlFetchCalls: 100000, propertyCalls: 500000, triggerRuntimeMs: 6 * 60 * 60 * 1000 },
};

const SERVICE_OF = { urlFetchCalls: 'urlfetch', propertyCalls: 'properties' };

class QuotaLedger {
  constructor(emu) {
    this.emu = emu;
    if (!DAILY_QUOTAS[emu.options.account]) throw new Error(`account must be 'consumer' or 'workspace', got ${JSON.stringify(emu.options.account)}`);
    this.limits = { ...DAILY_QUOTAS[emu.options.account] };
    if (emu.options.urlFetchDailyQuota !== null) this.limits.urlFetchCalls = emu.options.urlFetchDailyQuota;
    Object.assign(this.limits, emu.options.quotaLimits || {});
    this.dayIndex = null;
    this.today = null;
    this.total = fresh();
  }

  /** Today's counters (starting them afresh on a new day). */
  day() {
    const index = Math.floor(this.emu.clock.now() / DAY_MS);
    if (index !== this.dayIndex) {
      this.dayIndex = index;
      this.today = fresh();
    }
    return this.today;
  }

  /** Counts `n` uses of a counted service; throws Google's text past the day's quota. */
  use(counter, n = 1) {
    const today = this.day();
    for (let i = 0; i < n; i++) {
      if (today[counter] >= this.limits[counter]) {
        throw new ScriptException(`Service invoked too many times for one day: ${SERVICE_OF[counter]}.`);
      }
      today[counter]++;
      this.total[counter]++;
    }
  }

  /** Records a finished execution: its kind and, for triggers, its runtime. */
  executed(kind, ms) {
    for (const c of [this.day(), this.total]) {
      c.executions[kind] = (c.executions[kind] || 0) + 1;
      if (kind === 'trigger' || kind === 'time') c.triggerRuntimeMs += ms;
    }
  }

  /** Whether a trigger may still start today (Google stops them once the runtime quota is spent). */
  triggerAllowed() {
    return this.day().triggerRuntimeMs < this.limits.triggerRuntimeMs;
  }

  /** { today, total, limits } as plain data. */
  snapshot() {
    const copy = (c) => ({ ...c, executions: { ...c.executions } });
    return { today: copy(this.day()), total: copy(this.total), limits: { ...this.limits } };
  }
}

function fresh() {
  return { urlFetchCalls: 0, propertyCalls: 0, triggerRuntimeMs: 0, executions: {} };
}

module.exports = { QuotaLedger, DAILY_QUOTAS };
