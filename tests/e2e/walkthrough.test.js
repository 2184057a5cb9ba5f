'use strict';
// scripts/walkthrough runs the commands the docs give, so the docs cannot promise what does
// not work. These checks keep the two in step: every line the script marks `# docs` is a
// line of a shell block in README.md or docs/install.md, and every sheetsync-server command
// of the quick starts it walks through (README's, docs/install.md's steps 2 and 3) is run by
// the script.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The command of a script line: without the script's own plumbing (pipes, redirections, `&`, the comment). */
function commandOf(line) {
  const words = line.replace(/\s+#\s*docs\s*$/, '').trim().split(/\s+/);
  const end = words.findIndex((w) => w === '|' || w === '&' || /^\d?>/.test(w));
  return (end < 0 ? words : words.slice(0, end)).join(' ');
}

/** The lines of the ```sh blocks of `markdown`, with their section heading, comments stripped. */
function shellLines(markdown) {
  const out = [];
  let heading = '';
  let inBlock = false;
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    if (!inBlock && /^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    if (line.startsWith('```')) {
      inBlock = !inBlock && line === '```sh';
      continue;
    }
    if (inBlock && line) out.push({ heading, command: line.replace(/\s+#.*$/, '').trim() });
  }
  return out;
}

const script = read('scripts/walkthrough');
const scriptCommands = script.split('\n').filter((l) => /#\s*docs\s*$/.test(l)).map(commandOf);
const docs = [...shellLines(read('README.md')), ...shellLines(read('docs/install.md'))];

test('the walk-through marks the commands it takes from the docs', () => {
  assert.ok(scriptCommands.length >= 2, `marked lines: ${JSON.stringify(scriptCommands)}`);
  assert.equal(commandOf('sheetsync-server serve 2>serve.log & # docs'), 'sheetsync-server serve');
  assert.equal(commandOf('sheetsync-server init --demo | tee init.out # docs'), 'sheetsync-server init --demo');
});

test('every command the walk-through takes from the docs is in README.md or docs/install.md', () => {
  const documented = new Set(docs.map((d) => d.command));
  for (const command of scriptCommands) {
    assert.ok(documented.has(command), `"${command}" is run by scripts/walkthrough but no shell block of the docs gives it`);
  }
});

test('every sheetsync-server command of the quick starts is run by the walk-through', () => {
  const quickStarts = docs.filter((d) => /^Five-minute quick start|^2\. |^3\. /.test(d.heading) && d.command.startsWith('sheetsync-server'));
  assert.ok(quickStarts.length >= 3, `quick-start commands found: ${JSON.stringify(quickStarts)}`);
  for (const { heading, command } of quickStarts) {
    assert.ok(scriptCommands.includes(command), `"${command}" (${heading}) is not run by scripts/walkthrough`);
  }
});
