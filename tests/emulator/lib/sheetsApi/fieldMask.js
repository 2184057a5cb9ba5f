'use strict';
// The `fields` system parameter: a response holds only the fields the mask names. A mask
// is a comma-separated list of paths (`properties.timeZone`), where a path may end in a
// parenthesised sub-mask (`sheets(properties(sheetId,title))`); a mask on an array applies to
// each element, and `*` keeps everything.

const { invalidArgument } = require('./googleErrors');

/** Parses a mask into a tree: Map name → subtree, or null for "the whole field". */
function parseFieldMask(text) {
  let pos = 0;
  const fail = () => invalidArgument(`Invalid field selection ${text}`);
  function list() {
    const tree = new Map();
    for (;;) {
      const m = /^\s*([A-Za-z_*][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*/.exec(text.slice(pos));
      if (!m) throw fail();
      pos += m[0].length;
      let sub = null;
      if (text[pos] === '(') {
        pos++;
        sub = list();
        if (text[pos] !== ')') throw fail();
        pos++;
      }
      const names = m[1].split('.');
      let node = tree;
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (i === names.length - 1) {
          node.set(name, merge(node.get(name), sub));
          break;
        }
        const existing = node.get(name);
        if (existing === null) break; // the whole field is already kept
        const next = existing || new Map();
        node.set(name, next);
        node = next;
      }
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      return tree;
    }
  }
  const tree = list();
  if (pos !== text.length) throw fail();
  return tree;
}

function merge(a, b) {
  if (a === null || b === null) return null;
  if (a === undefined) return b;
  for (const [k, v] of b) a.set(k, merge(a.get(k), v));
  return a;
}

/** `value` narrowed to `tree` (see parseFieldMask). */
function applyTree(value, tree) {
  if (tree === null || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => applyTree(v, tree));
  if (tree.has('*')) return value;
  const out = {};
  for (const [name, sub] of tree) if (value[name] !== undefined) out[name] = applyTree(value[name], sub);
  return out;
}

/** The response narrowed to the `fields` query parameter (unchanged when absent). */
function applyFieldMask(response, fields) {
  if (fields === undefined || fields === '') return response;
  return applyTree(response, parseFieldMask(String(fields)));
}

module.exports = { applyFieldMask, parseFieldMask };
