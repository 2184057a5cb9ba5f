'use strict';
// The Sheets API's per-minute quotas (developers.google.com/sheets/api/limits): read and write
// requests are counted apart, per project and per user per project (a service account is one
// user), and refilled every minute. A request past a budget gets 429 RESOURCE_EXHAUSTED; after
// the minute it goes through again. A benchmark may shorten the minute (`windowMs`) to run
// an hour of Google's quota in minutes; nothing else changes with it. Reads are calls that fetch data (get, batchGet,
// spreadsheets.get); writes are calls that change the spreadsheet.

const { quotaExceeded } = require('./googleErrors');

/** Google's documented defaults; each can be overridden, and null means no limit. */
const DEFAULT_LIMITS = {
  readsPerMinutePerProject: 300,
  readsPerMinutePerUser: 60,
  writesPerMinutePerProject: 300,
  writesPerMinutePerUser: 60,
};

const MINUTE_MS = 60 * 1000;

/** Request counts in the current minute, and the check against the limits. */
class MinuteQuota {
  constructor(limits = {}, now, windowMs = MINUTE_MS) {
    for (const k of Object.keys(limits)) {
      if (!(k in DEFAULT_LIMITS)) throw new Error(`unknown quota ${JSON.stringify(k)}; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new Error(`the quota window must be a whole number of ms ≥ 1, got ${JSON.stringify(windowMs)}`);
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.windowMs = windowMs;
    this.now = now;
    this.minute = null;
    this.counts = new Map();
  }

  /**
   * Counts one `kind` ('read' | 'write') request of `grant`'s user and project, or throws
   * Google's 429 when a budget for this minute is spent (a refused request uses none).
   */
  take(kind, grant) {
    const minute = Math.floor(this.now() / this.windowMs);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts.clear();
    }
    const { account } = grant;
    const Kind = kind === 'read' ? 'Read' : 'Write';
    const checks = [
      { key: `${kind}|project|${account.projectId}`, limit: this.limits[`${kind}sPerMinutePerProject`], name: `${Kind} requests per minute` },
      { key: `${kind}|user|${account.projectId}|${account.email}`, limit: this.limits[`${kind}sPerMinutePerUser`], name: `${Kind} requests per minute per user` },
    ];
    for (const c of checks) {
      if (c.limit !== null && (this.counts.get(c.key) || 0) >= c.limit) {
        throw quotaExceeded({ metric: `${Kind} requests`, limit: c.name, projectNumber: account.projectNumber });
      }
    }
    for (const c of checks) this.counts.set(c.key, (this.counts.get(c.key) || 0) + 1);
  }

  /** What is used of each budget in this minute (for a test or a benchmark to read). */
  snapshot() {
    const minute = Math.floor(this.now() / this.windowMs);
    return { limits: { ...this.limits }, windowMs: this.windowMs, used: minute === this.minute ? Object.fromEntries(this.counts) : {} };
  }
}

module.exports = { MinuteQuota, DEFAULT_LIMITS };
