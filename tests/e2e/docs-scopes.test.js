'use strict';
// The consent screen a person meets lists the manifest's scopes; docs/install.md (which walks
// them through it) and docs/addon.md each explain every scope. Both tables must name exactly
// the scopes the manifest declares, so a scope change cannot leave the docs explaining another.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const PREFIX = 'https://www.googleapis.com/auth/';

/** The short scope names (`spreadsheets`, `script.scriptapp`) in the manifest. */
function manifestScopes() {
  const manifest = JSON.parse(read('addon/appsscript.json'));
  return manifest.oauthScopes.map((scope) => {
    assert.ok(scope.startsWith(PREFIX), `a scope outside ${PREFIX}: ${scope}`);
    return scope.slice(PREFIX.length);
  });
}

/** The scope named in column `column` of each row of the table under `heading` in `file`. */
function documentedScopes(file, heading, column) {
  const lines = read(file).split('\n');
  const start = lines.findIndex((line) => line.replace(/^#+ /, '').startsWith(heading));
  assert.ok(start >= 0, `${file} has no section "${heading}"`);
  const rows = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) {
      inTable = true;
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
      const scope = /^`([^`]+)`$/.exec(cells[column]);
      if (scope) rows.push(scope[1]);
    } else if (inTable) {
      break;
    }
  }
  assert.ok(rows.length > 0, `${file} "${heading}" has no table of scopes`);
  return rows;
}

test('docs/install.md explains exactly the scopes the manifest declares', () => {
  const scopes = documentedScopes('docs/install.md', '8. The first run', 1);
  assert.deepEqual([...scopes].sort(), [...manifestScopes()].sort());
});

test('docs/addon.md explains exactly the scopes the manifest declares', () => {
  const scopes = documentedScopes('docs/addon.md', 'Scopes', 0);
  assert.deepEqual([...scopes].sort(), [...manifestScopes()].sort());
});
