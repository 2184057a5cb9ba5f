'use strict';
// The google.script.run bridge: a sidebar's call becomes a new execution.
// Arguments and results cross as Google documents: primitives, plain objects
// and arrays only. A Date, function or DOM node among the arguments, or a
// cycle, fails the call; undefined inside arrays becomes null. A result that
// holds a Date or function arrives as null (Google's observed behaviour).

/** Throws Google's client-side failure text when `value` cannot be sent. */
function checkSendable(value, where, seen) {
  if (value === null || value === undefined) return;
  const t = typeof value;
  if (t === 'function' || Object.prototype.toString.call(value) === '[object Date]') {
    throw new Error(`Failed due to illegal value in property: ${where}`);
  }
  if (t !== 'object') return;
  if (typeof value.nodeType === 'number' && typeof value.nodeName === 'string' && value.nodeName !== 'FORM') {
    throw new Error(`Failed due to illegal value in property: ${where}`);
  }
  if (seen.has(value)) throw new Error(`Failed due to illegal value in property: ${where}`);
  seen.add(value);
  for (const k of Object.keys(value)) checkSendable(value[k], Array.isArray(value) ? `${where}.${k}` : k, seen);
  seen.delete(value);
}

/** JSON-like copy: undefined in arrays → null, undefined fields dropped. */
function copyPlain(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** True when a result holds something Google turns the whole result into null for. */
function hasUnreturnable(value, seen = new Set()) {
  if (value === null || typeof value !== 'object') return typeof value === 'function';
  if (Object.prototype.toString.call(value) === '[object Date]') return true;
  if (seen.has(value)) return false;
  seen.add(value);
  return Object.keys(value).some((k) => hasUnreturnable(value[k], seen));
}

function hasCycle(value, stack = new Set()) {
  if (value === null || typeof value !== 'object') return false;
  if (stack.has(value)) return true;
  stack.add(value);
  const found = Object.keys(value).some((k) => hasCycle(value[k], stack));
  stack.delete(value);
  return found;
}

/**
 * Runs server function `fnName` with `args` as `person`, like
 * google.script.run.withSuccessHandler(resolve).withFailureHandler(reject)[fnName](...args).
 */
async function scriptRun(emu, fnName, args, person) {
  const list = Array.from(args);
  list.forEach((a, i) => checkSendable(a, String(i), new Set()));
  const copies = list.map(copyPlain);
  const result = await emu.execute({
    fnName, kind: 'scriptRun', user: person,
    argsFor: (exec) => copies.map((c) => (c === undefined ? undefined : exec.realm.JSON.parse(JSON.stringify(c)))),
  });
  if (hasCycle(result)) throw new Error('Failed due to illegal value in property: return value');
  if (hasUnreturnable(result)) return null;
  return copyPlain(result) ?? null;
}

module.exports = { scriptRun, checkSendable };
