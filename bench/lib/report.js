'use strict';
// Turns the suite's results into the one table scripts/bench prints (Markdown, so BENCHMARKS.md
// can carry it unchanged). A result that is missing or failed reads "not measured (reason)".

const { fmt, median } = require('./stats');

const notMeasured = (r) => `not measured (${(r && r.error) || 'not run'})`;
const failed = (r) => !r || r.error;
const verdict = (ok) => (ok ? 'met' : 'missed');
const ms = (x) => `${fmt(x)} ms`;
const kib = (b) => `${fmt(b / 1024)} KiB`;
const cellsLabel = (cells) => (cells >= 1e6 ? `${cells / 1e6}M` : `${cells / 1e3}k`);
const dialectName = (d) => ({
  mysql: 'MariaDB', postgres: 'PostgreSQL', 'postgres-analyzed': 'PostgreSQL with ANALYZE every 10 pushes',
}[d] || d);

// The diff's baselines, fastest first once measured: every engine's figure is set against the
// fastest of them, and its targets against the two the targets name.
const BASELINES = [
  ['daffView', 'daff 1.4.2 TableView (Dates to ms first), keyed on id'],
  ['plain', 'plain-JavaScript keyed diff (Map of key → row text)'],
  ['daff', 'daff 1.4.2 SimpleTable, keyed on id'],
];
const SHORT = { daffView: 'daff TableView', plain: 'plain JS', daff: 'daff SimpleTable' };

/** The fastest measured baseline of one size: [key, result], or null when none was measured. */
function fastestBaseline(d) {
  const measured = BASELINES.map(([k]) => [k, d[k]]).filter(([, r]) => !failed(r));
  if (!measured.length) return null;
  return measured.reduce((a, b) => (b[1].medianMs < a[1].medianMs ? b : a));
}

function diffRows(diff) {
  const rows = [];
  for (const d of diff || []) {
    const size = `${d.rows / 1000}k rows × 20 (${cellsLabel(d.cells)} cells), 1% changed`;
    const tenM = d.cells >= 1e7;
    const fastest = fastestBaseline(d);
    // targets: [[baseline key, at least this many times faster], ...]
    const against = (r, targets, extra = '') => {
      const wanted = targets.map(([k, x]) => `${SHORT[k]} ÷ this ≥ ${x}×`).join('; ');
      if (failed(r)) return [notMeasured(r), wanted, ''];
      let fig = `${ms(r.medianMs)} (median of ${r.runs})${extra}`;
      if (fastest) fig += `; fastest baseline (${SHORT[fastest[0]]}) ÷ this = ${fmt(fastest[1].medianMs / r.medianMs)}×`;
      const verdicts = targets.map(([k, x]) => {
        if (failed(d[k])) return `${SHORT[k]} not measured`;
        const ratio = d[k].medianMs / r.medianMs;
        if (k !== (fastest && fastest[0])) fig += `; ${SHORT[k]} ÷ this = ${fmt(ratio)}×`;
        return verdict(ratio >= x);
      });
      return [fig, wanted, verdicts.join('; ')];
    };
    rows.push(['1a', `diff ${size}: core native (planner)`, ...against(d.native, [['daffView', 15]],
      failed(d.native) ? '' : `, diff alone ${ms(d.native.diffMedianMs)}`)]);
    for (const [key, label] of [['wasmJson', 'planSyncJson, JSON text'], ['wasm', 'planSync, rows as flat arrays']]) {
      const r = d[key];
      const rss = failed(r) ? '' : `; peak RSS ${fmt(planPeakRss(r))} MiB${r.runPeakWindowed ? ' while planning' : ''}`;
      const [fig, target, met] = against(r, [['daffView', 4], ['plain', 3]], rss);
      if (tenM) {
        const fast = !failed(r) && r.medianMs <= 2000;
        const small = !failed(r) && planPeakRss(r) <= 1024;
        rows.push(['1b', `diff ${size}: wasm (${label}) from getValues()`, fig, `${target}; ≤ 2 s; peak RSS ≤ 1 GiB`,
          failed(r) ? '' : `${met}; ${fast ? '≤ 2 s met' : '≤ 2 s missed'}; ${small ? 'RSS met' : 'RSS missed'}`]);
      } else {
        rows.push(['1b', `diff ${size}: wasm (${label}) from getValues()`, fig, target, met]);
      }
    }
    for (const [key, label] of BASELINES) {
      const r = d[key];
      const mark = fastest && fastest[0] === key ? ' (fastest baseline)' : '';
      rows.push(['1c', `diff ${size}: ${label}${mark}`,
        failed(r) ? notMeasured(r) : `${ms(r.medianMs)} (median of ${r.runs}); peak RSS ${fmt(r.peakRssMiB)} MiB`, '', '']);
    }
  }
  return rows;
}

/**
 * A wasm run's peak RSS: the highest of its runs' own peaks (each the sheet it planned and what
 * planning held) where the peak could be reset per run, else the process's peak.
 */
function planPeakRss(r) {
  return r.runPeakWindowed && r.runPeakRssMiB.length ? Math.max(...r.runPeakRssMiB) : r.peakRssMiB;
}

function pushRows(push) {
  return Object.entries(push || {}).flatMap(([dialect, r]) => {
    const db = dialectName(dialect);
    if (failed(r)) return [['2', `push 100k rows × 20 through the server, ${db}`, notMeasured(r), '≥ 0.6 of direct', '']];
    const label = `${Math.round(r.rows / 1000)}k rows × 20`;
    return [
      ['2', `push ${label} through the server (HTTP, ${r.batch} rows/push), ${db}`, `${fmt(r.pushRowsPerSec)} rows/s (median of ${r.runs})`, '', ''],
      ['2', `direct multi-row INSERTs, one transaction, same triggers, ${db}`, `${fmt(r.directRowsPerSec)} rows/s (median of ${r.runs})`, '', ''],
      ['2', `server ÷ direct, ${db}`, `${fmt(r.ratio)}`, '≥ 0.6', verdict(r.ratio >= 0.6)],
      ...(r.analyzeEvery > 0
        ? [['2', `the same, the ANALYZEs' own time (median ${fmt(median(r.analyzeMs))} ms a run) counted as the server's`, `${fmt(r.ratioCountingAnalyze)}`, '', '']]
        : []),
    ];
  });
}

function feedRows(feed) {
  return Object.entries(feed || {}).flatMap(([dialect, r]) => {
    const db = dialectName(dialect);
    if (failed(r)) return [['3', `feed latency, commit → long-poll client, ${db}`, notMeasured(r), 'p50 ≤ 100 ms, p99 ≤ 300 ms', '']];
    const rows = r.levels.map((l) => {
      const at500 = l.clients >= 500;
      const missed = l.missed ? `; ${l.missed} deliveries missed` : '';
      return ['3', `feed latency, ${l.clients} waiting client${l.clients > 1 ? 's' : ''}, ${db}`,
        `p50 ${ms(l.p50Ms)}, p99 ${ms(l.p99Ms)} (${l.samples} samples, ${l.trials} commits; `
          + `per commit, first client ${ms(l.firstDeliveryMs)}, last ${ms(l.lastDeliveryMs)}, medians)${missed}`,
        at500 ? 'p50 ≤ 100 ms, p99 ≤ 300 ms' : '',
        at500 ? verdict(l.p50Ms <= 100 && l.p99Ms <= 300 && !l.missed) : ''];
    });
    rows.push(['3', `server peak RSS under that load, ${db}`, `${fmt(r.serverPeakRssMiB)} MiB`, '≤ 150 MB', verdict(r.serverPeakRssMiB * 1.048576 <= 150)]);
    return rows;
  });
}

function incrementalRows(incremental) {
  return Object.entries(incremental || {}).flatMap(([dialect, r]) => {
    const db = dialectName(dialect);
    if (failed(r)) return [['4', `one-cell sync in a 1M-cell sheet, ${db}`, notMeasured(r), '≤ 2 KB each way', '']];
    return [
      ['4', `one-cell sync in a 1M-cell sheet (push + poll): bytes sent, ${db}`,
        `${r.sentBytes} B on the wire (bodies ${r.push.bodyBytesOut + r.poll.bodyBytesOut} B)`, '≤ 2 KB', verdict(r.sentBytes <= 2048)],
      ['4', `… bytes received, ${db}`,
        `${r.receivedBytes} B on the wire (bodies ${r.push.bodyBytesIn + r.poll.bodyBytesIn} B, gzip accepted)`, '≤ 2 KB', verdict(r.receivedBytes <= 2048)],
      ['4', `… server time, ${db}`, `${ms(r.serverMs)} (push ${ms(r.push.ms)} + poll ${ms(r.poll.ms)}, median of ${r.runs})`
        + (r.snapshotRows !== r.rows ? `; NB the row pages delivered only ${r.snapshotRows} of ${r.rows} rows` : ''), '', ''],
    ];
  });
}

function syncRows(sync) {
  return Object.entries(sync || {}).flatMap(([dialect, r]) => {
    const db = dialectName(dialect);
    if (failed(r)) return [['6', `one incremental sync in the emulator, ${db}`, notMeasured(r), '', '']];
    return [['6', `one incremental sync of a ${r.rows / 1000}k × ${r.columns} sheet in the emulator (1 cell edited, 1 row changed in the database), ${db}`,
      `${ms(r.totalMs)}: read ${ms(r.readMs)}, script (conversion, core, plan) ${ms(r.scriptMs)}, write ${ms(r.writeMs)}, `
        + `HTTP ${ms(r.httpMs)}, other services ${ms(r.otherServicesMs)} (medians of ${r.runs})`, '', '']];
  });
}

function serverQuotaRows(q) {
  if (!q) return [];
  const what = 'server mode: bindings one service account keeps fresh within its Sheets API quota';
  if (failed(q)) return [['7', what, notMeasured(q), 'p99 lag ≤ 60 s', '']];
  const s = (x) => `${fmt(x)} s`;
  const lag = (f) => (f.samples ? `p50 ${s(f.p50S)}, p99 ${s(f.p99S)}` : 'none arrived')
    + (f.lost ? `, ${f.lost} of ${f.samples + f.lost} lost` : '');
  const rows = q.levels.map((l) => ['7', `server mode, ${l.bindings} bindings, ${q.changesPerHour} SQL changes and ${q.changesPerHour} poked sheet edits per binding per hour (lags in real-time equivalent, time ×${q.speedup})`,
    `commit → sheet ${lag(l.dbToSheet)}; poke → table ${lag(l.pokeToDb)}; ${fmt(l.readsPerMinute)} reads and ${fmt(l.writesPerMinute)} writes a minute; ${l.quota429} answers 429`,
    `p99 ≤ ${q.freshS} s, none lost`, verdict(l.fresh)]);
  rows.push(['7', 'server mode: most bindings kept fresh by one service account (of those run)',
    q.largestFresh === null ? 'none of those run' : String(q.largestFresh), '', '']);
  return rows;
}

function bundleRows(b) {
  if (!b) return [];
  if (failed(b)) return [['5', 'wasm bundle', notMeasured(b), '', '']];
  return [
    ['5', 'wasm module size (raw / gzip)', `${kib(b.wasmBytes)} / ${kib(b.wasmGzipBytes)}`, '', ''],
    ['5', 'addon/WasmBundle.js (base64-embedded) size (raw / gzip)', `${kib(b.bundleBytes)} / ${kib(b.bundleGzipBytes)}`, '', ''],
    ['5', 'cold start in Node: evaluate + instantiate', `${ms(b.totalMs)} (instantiate ${ms(b.instantiateMs)}, median of ${b.runs} fresh processes)`, '', ''],
  ];
}

/** The Markdown table of every figure, with its target and whether it was met. */
function renderTable(results) {
  const rows = [
    ...diffRows(results.diff), ...pushRows(results.push), ...feedRows(results.feed),
    ...incrementalRows(results.incremental), ...syncRows(results.sync), ...serverQuotaRows(results.serverQuota),
    ...bundleRows(results.bundle),
  ];
  const head = ['#', 'Measure', 'Figure', 'Target', 'Result'];
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const m = results.machine || {};
  const caption = `Measured ${results.startedAt || ''} on ${m.nproc} cores (${m.cpu}), ${m.memoryGiB} GiB, `
    + `Node ${m.node}, ${m.rustc}, commit ${m.commit}; load average ${(m.loadAverage || []).join('/')} at start, `
    + `${(results.loadAverageAtEnd || []).join('/')} at end${results.quick ? ' — QUICK MODE, not comparable' : ''}`;
  return [caption, '', line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

module.exports = { renderTable };
