'use strict';
// The add-on's cost against Google's daily quotas, counted by the Apps Script emulator's ledger
// (tests/emulator/lib/quota.js): UrlFetch calls, property reads and writes, executions and
// trigger runtime, per install mode (a script bound to the sheet: timer every minute; a
// published add-on: hourly, with its timer given the document or not, as Google may run it
// without), in four situations with automatic sync on and the sidebar closed:
// an idle hour, one single-cell edit, a 500-row paste, and a day of 1,000 edits. The add-on
// runs against the stand-in server (tests/e2e/support/fakeServer.js), so only the add-on's
// own costs are measured. Trigger runtime is the emulator's wall time for those executions on
// this machine: a lower bound for Apps Script, where each execution also loads the project.
//
// Usage: node quota.js [--quick]   → a Markdown table on stdout, JSON on stderr's last line.

const { spawn } = require('node:child_process');
const path = require('node:path');
const { createEmulator } = require('../tests/emulator');
const { DAILY_QUOTAS } = require('../tests/emulator/lib/quota');
const { addonFiles } = require('../tests/e2e/harness/addon');

const TESTS = path.join(__dirname, '..', 'tests');
const ROWS = 500;
const quick = process.argv.includes('--quick');
const DAY_EDITS = quick ? 50 : 1000;

async function startFakeServer() {
  const child = spawn(process.execPath, [path.join(TESTS, 'e2e', 'support', 'fakeServer.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  const base = `http://127.0.0.1:${port}`;
  const control = async (p, body) => (await fetch(base + p, body ? { method: 'POST', body: JSON.stringify(body) } : {})).json();
  return { base, control, stop: () => child.kill() };
}

/** A synced sheet of ROWS rows with automatic sync on, and the ledger's totals so far. */
async function setUp(server, { mode, addonTimerHasDocument = true }) {
  await server.control('/test/reset', {});
  for (let i = 1; i <= ROWS; i++) await server.control('/test/write', { id: i, name: `item ${i}`, qty: i });
  const emu = createEmulator({ files: addonFiles(), projectDir: path.join(__dirname, '..', 'addon'), timeZone: 'Europe/Berlin', mode, addonTimerHasDocument, now: Date.now() });
  await emu.run('saveConnection', server.base, 't0ken');
  await emu.run('bindTable', 'people');
  await emu.run('syncNow', {});
  await emu.run('setAutoSync', true);
  return emu;
}

/** What `action` cost, from the ledger's totals before and after. */
async function cost(emu, action) {
  const before = emu.quota.snapshot().total;
  await action();
  const after = emu.quota.snapshot().total;
  const executions = Object.values(after.executions).reduce((a, b) => a + b, 0) -
    Object.values(before.executions).reduce((a, b) => a + b, 0);
  return {
    urlFetchCalls: after.urlFetchCalls - before.urlFetchCalls,
    propertyCalls: after.propertyCalls - before.propertyCalls,
    executions,
    triggerSeconds: (after.triggerRuntimeMs - before.triggerRuntimeMs) / 1000,
  };
}

const SITUATIONS = {
  'an idle hour': (emu) => emu.clock.advance(60 * 60 * 1000),
  'one single-cell edit': (emu) => emu.user.editCell('Sheet1', 'C2', 99),
  [`a ${ROWS}-row paste`]: (emu) => emu.user.pasteBlock('Sheet1', 'A2',
    Array.from({ length: ROWS }, (_, i) => [i + 1, `item ${i + 1}`, (i + 1) * 10])),
  [`a day of ${DAY_EDITS} edits`]: async (emu) => {
    const step = Math.floor(24 * 60 * 60 * 1000 / DAY_EDITS);
    for (let i = 0; i < DAY_EDITS; i++) {
      await emu.user.editCell('Sheet1', `C${2 + (i % ROWS)}`, i);
      await emu.clock.advance(step);
    }
  },
};

/** The install modes measured; the last is a published add-on whose timer runs without its document. */
const INSTALLS = [
  { label: 'container-bound', mode: 'container-bound' },
  { label: 'addon', mode: 'addon' },
  { label: 'addon, timer without document', mode: 'addon', addonTimerHasDocument: false },
];

async function main() {
  const server = await startFakeServer();
  const results = [];
  try {
    for (const { label: mode, ...install } of INSTALLS) {
      for (const [name, act] of Object.entries(SITUATIONS)) {
        const emu = await setUp(server, install);
        results.push({ mode, situation: name, ...(await cost(emu, () => act(emu))) });
        process.stderr.write(`quota: ${mode}, ${name} done\n`);
      }
    }
  } finally {
    server.stop();
  }
  const limits = DAILY_QUOTAS.consumer;
  const share = (v, limit) => `${(100 * v / limit).toFixed(1)} %`;
  const lines = [
    '| mode | situation | UrlFetch calls | property calls | executions | trigger s (emulator) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(`| ${r.mode} | ${r.situation} | ${r.urlFetchCalls} | ${r.propertyCalls} | ${r.executions} | ${r.triggerSeconds.toFixed(1)} |`);
  }
  lines.push('', '| mode | a day (idle timer all day + the edits) | UrlFetch | properties | trigger runtime |', '| --- | --- | ---: | ---: | ---: |');
  for (const { label: mode } of INSTALLS) {
    const idle = results.find((r) => r.mode === mode && r.situation === 'an idle hour');
    const day = results.find((r) => r.mode === mode && r.situation.startsWith('a day'));
    // The day of edits already ran the timer all day; the idle hour shows the timer alone.
    lines.push(`| ${mode} | share of the consumer quota | ${share(day.urlFetchCalls, limits.urlFetchCalls)} | ${share(day.propertyCalls, limits.propertyCalls)} | ${share(day.triggerSeconds * 1000, limits.triggerRuntimeMs)} |`);
    lines.push(`| ${mode} | idle all day (24 × idle hour) | ${share(24 * idle.urlFetchCalls, limits.urlFetchCalls)} | ${share(24 * idle.propertyCalls, limits.propertyCalls)} | ${share(24 * idle.triggerSeconds * 1000, limits.triggerRuntimeMs)} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  process.stderr.write(JSON.stringify(results) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
