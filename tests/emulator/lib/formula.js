'use strict';
// A deliberately tiny formula evaluator. Supported: numbers, "strings", cell
// references on the same sheet (A1, $B$2), the operators + - * / & and unary
// minus, parentheses, and SUM/AVERAGE/MIN/MAX/COUNT over ranges or values.
// Anything else evaluates to the placeholder "#ERROR!" (the formula itself is
// always stored and returned unchanged by getFormulas).

const { lettersToColumn } = require('./a1');

const UNSUPPORTED = '#ERROR!';

class Unsupported extends Error {}

function tokenize(src) {
  const re = /\s*(?:(\d+(?:\.\d*)?(?:e[+-]?\d+)?)|("(?:[^"]|"")*")|(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)\s*\(|([-+*/&(),]))/gy;
  const out = [];
  let m;
  let pos = 0;
  while (pos < src.length) {
    re.lastIndex = pos;
    m = re.exec(src);
    if (!m) {
      if (/^\s*$/.test(src.slice(pos))) break;
      throw new Unsupported(src.slice(pos));
    }
    pos = re.lastIndex;
    if (m[1]) out.push({ t: 'num', v: Number(m[1]) });
    else if (m[2]) out.push({ t: 'str', v: m[2].slice(1, -1).replace(/""/g, '"') });
    else if (m[3]) out.push({ t: 'ref', v: m[3] });
    else if (m[4]) out.push({ t: 'fn', v: m[4].toUpperCase() });
    else out.push({ t: 'op', v: m[5] });
  }
  return out;
}

function parseRef(text) {
  const [a, b = a] = text.replace(/\$/g, '').split(':');
  const cell = (s) => {
    const m = /^([A-Za-z]+)(\d+)$/.exec(s);
    return { row: Number(m[2]), col: lettersToColumn(m[1]) };
  };
  const p = cell(a);
  const q = cell(b);
  return { r1: Math.min(p.row, q.row), r2: Math.max(p.row, q.row), c1: Math.min(p.col, q.col), c2: Math.max(p.col, q.col) };
}

/**
 * Evaluates `formula` (with its leading "=") using `read(row, col)` for cell
 * values. Returns a number, string or boolean, or "#ERROR!" when unsupported.
 */
function evaluateFormula(formula, read) {
  try {
    const tokens = tokenize(formula.slice(1));
    let i = 0;
    const peek = () => tokens[i];
    const take = () => tokens[i++];
    const expect = (v) => {
      const t = take();
      if (!t || t.v !== v) throw new Unsupported(v);
    };
    const scalar = (v) => (v === '' || v === undefined ? 0 : v);
    const num = (v) => {
      const x = scalar(v);
      if (typeof x === 'boolean') return x ? 1 : 0;
      if (typeof x === 'number') return x;
      const n = Number(x);
      if (x.trim() === '' || Number.isNaN(n)) throw new Unsupported('#VALUE!');
      return n;
    };
    const text = (v) => (v === undefined ? '' : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v));
    function concat() {
      let left = additive();
      while (peek() && peek().v === '&') {
        take();
        left = text(left) + text(additive());
      }
      return left;
    }
    function additive() {
      let left = term();
      while (peek() && (peek().v === '+' || peek().v === '-')) {
        const op = take().v;
        const right = term();
        left = op === '+' ? num(left) + num(right) : num(left) - num(right);
      }
      return left;
    }
    function term() {
      let left = unary();
      while (peek() && (peek().v === '*' || peek().v === '/')) {
        const op = take().v;
        const right = unary();
        if (op === '/' && num(right) === 0) throw new Unsupported('#DIV/0!');
        left = op === '*' ? num(left) * num(right) : num(left) / num(right);
      }
      return left;
    }
    function unary() {
      if (peek() && peek().v === '-') {
        take();
        return -num(unary());
      }
      if (peek() && peek().v === '+') take();
      return primary();
    }
    function primary() {
      const t = take();
      if (!t) throw new Unsupported('end');
      if (t.t === 'num' || t.t === 'str') return t.v;
      if (t.t === 'ref') {
        const r = parseRef(t.v);
        if (r.r1 !== r.r2 || r.c1 !== r.c2) throw new Unsupported('range outside a function');
        const v = read(r.r1, r.c1);
        return v === undefined ? '' : v;
      }
      if (t.t === 'op' && t.v === '(') {
        const v = concat();
        expect(')');
        return v;
      }
      if (t.t === 'fn') return call(t.v);
      throw new Unsupported(String(t.v));
    }
    function call(name) {
      const values = [];
      if (peek() && peek().v !== ')') {
        for (;;) {
          const t = peek();
          const next = tokens[i + 1];
          if (t && t.t === 'ref' && t.v.includes(':') && (!next || next.v === ',' || next.v === ')')) {
            take();
            const r = parseRef(t.v);
            for (let row = r.r1; row <= r.r2; row++) for (let col = r.c1; col <= r.c2; col++) values.push({ v: read(row, col), fromRange: true });
          } else values.push({ v: concat(), fromRange: false });
          if (peek() && peek().v === ',') take();
          else break;
        }
      }
      expect(')');
      const nums = values.filter((x) => (x.fromRange ? typeof x.v === 'number' : true)).map((x) => num(x.v));
      switch (name) {
        case 'SUM': return nums.reduce((a, b) => a + b, 0);
        case 'AVERAGE': if (!nums.length) throw new Unsupported('#DIV/0!'); return nums.reduce((a, b) => a + b, 0) / nums.length;
        case 'MIN': return nums.length ? Math.min(...nums) : 0;
        case 'MAX': return nums.length ? Math.max(...nums) : 0;
        case 'COUNT': return values.filter((x) => typeof x.v === 'number').length;
        default: throw new Unsupported(name);
      }
    }
    const result = concat();
    if (i !== tokens.length) throw new Unsupported('trailing');
    return result;
  } catch (e) {
    if (e instanceof Unsupported || e instanceof RangeError) return UNSUPPORTED;
    throw e;
  }
}

module.exports = { evaluateFormula, UNSUPPORTED };
