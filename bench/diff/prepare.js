'use strict';
// Writes the diff benchmark's input files for ROWS rows into DIR:
//   node diff/prepare.js ROWS DIR before   → DIR/before.json: the table as last synced (no base)
//   node diff/prepare.js ROWS DIR after    → DIR/after.json: the edited sheet with DIR/base.json
// (DIR/base.json comes from `sheetsync-bench-native base DIR/before.json`.)

const fs = require('node:fs');
const path = require('node:path');
const { makeSheet, editSheet } = require('../lib/table');
const { syncInput } = require('./input');

/** Streams a large JSON value to a file row by row, so 10M cells never become one string. */
function writeInput(file, input) {
  const fd = fs.openSync(file, 'w');
  const { sheet, ...rest } = input;
  const head = JSON.stringify({ ...rest, sheet: { headers: sheet.headers, firstRow: sheet.firstRow } });
  fs.writeSync(fd, `${head.slice(0, -2)},"rows":[`);
  const parts = [];
  sheet.rows.forEach((row, i) => {
    parts.push((i ? ',' : '') + JSON.stringify(row));
    if (parts.length === 5000) { fs.writeSync(fd, parts.join('')); parts.length = 0; }
  });
  fs.writeSync(fd, `${parts.join('')}]}}`);
  fs.closeSync(fd);
}

function main() {
  const [rows, dir, which] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
  fs.mkdirSync(dir, { recursive: true });
  const before = makeSheet(rows);
  const file = path.join(dir, `${which}.json`);
  if (which === 'before') {
    writeInput(file, syncInput(before, null));
  } else {
    const { values } = editSheet(before);
    const base = JSON.parse(fs.readFileSync(path.join(dir, 'base.json'), 'utf8'));
    writeInput(file, syncInput(values, base));
  }
  process.stdout.write(`${JSON.stringify({ wrote: file, bytes: fs.statSync(file).size })}\n`);
}

main();
