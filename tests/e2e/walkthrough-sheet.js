#!/usr/bin/env node
// The last step of scripts/walkthrough: what a person does in the playground, done by the
// add-on's own code in the emulator the end-to-end tests use. It connects to the server with
// the token `init` printed, binds the sheet to `people`, syncs, checks the demo rows arrived,
// then edits a cell (a person's edit, with its onEdit trigger) and syncs again.
//   node tests/e2e/walkthrough-sheet.js SERVER_URL TOKEN
'use strict';

const { addonEmulator, sheetRecords, byKey, plain, assertTriggersOk } = require('./harness/addon');

async function main() {
  const [url, token] = process.argv.slice(2);
  if (!url || !token) throw new Error('usage: walkthrough-sheet.js SERVER_URL TOKEN');
  const emu = addonEmulator();
  await emu.run('saveConnection', url, token);
  await emu.run('bindTable', 'people');
  await emu.run('syncNow', {});
  const rows = plain(byKey(await sheetRecords(emu)));
  if (rows.length !== 5) throw new Error(`the sheet has ${rows.length} rows after the first sync, not 5: ${JSON.stringify(rows)}`);
  process.stdout.write(`the sheet has the ${rows.length} demo rows: ${rows.map((r) => r.name).join(', ')}\n`);
  const { values } = await emu.run('e2eReadSheet', 'Sheet1');
  const nameColumn = values[0].indexOf('name');
  const ada = byKey(await sheetRecords(emu)).find((r) => r.id === 1);
  const cell = `${String.fromCharCode(65 + nameColumn)}${ada._row}`;
  assertTriggersOk(await emu.user.editCell('Sheet1', cell, 'Ada King'));
  await emu.run('syncNow', {});
  process.stdout.write(`edited ${cell} in the sheet to "Ada King" and synced\n`);
}

main().catch((e) => {
  process.stderr.write(`walkthrough-sheet: ${e.stack || e.message}\n`);
  process.exit(1);
});
