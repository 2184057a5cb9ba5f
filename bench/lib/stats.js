'use strict';

const fs = require('node:fs');
// Small statistics and timing functions shared by the benchmarks.

/** The median of a list of numbers. */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The p-th percentile (0..100) by the nearest-rank method. */
function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(s.length, rank) - 1];
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs `fn` `runs` times (awaiting it) and returns the wall time of each run in ms. */
async function timeRuns(runs, fn) {
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = nowMs();
    await fn(i);
    times.push(nowMs() - t0);
  }
  return times;
}

/** The peak resident set size of this process so far, in MiB (Linux VmHWM). */
function peakRssMiB() {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Starts a new peak-RSS window: collects the garbage when the process runs with --expose-gc
 * (what an earlier run left behind is not the next run's), then resets Linux's VmHWM to the
 * current RSS. Answers false when the peak cannot be reset (not Linux), in which case
 * windowPeakRssMiB() gives the process's peak so far.
 */
function resetPeakRss() {
  if (typeof global.gc === 'function') global.gc();
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The peak RSS since resetPeakRss(), in MiB (Linux VmHWM; the process's peak elsewhere). */
function windowPeakRssMiB() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: the process's own peak below
  }
  return peakRssMiB();
}

/** Rounds for display: 3 significant figures, never in exponent form. */
function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Writes a progress line to stderr (stdout carries the results). */
function log(...parts) {
  process.stderr.write(`${parts.join(' ')}\n`);
}

module.exports = { median, percentile, nowMs, timeRuns, peakRssMiB, resetPeakRss, windowPeakRssMiB, fmt, log };
