'use strict';
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

module.exports = { median, percentile, nowMs, timeRuns, peakRssMiB, fmt, log };
