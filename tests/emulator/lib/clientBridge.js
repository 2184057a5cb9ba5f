'use strict';
// google.script.run for a real browser page (the sidebar under Chromium).
// `googleScriptClientSource()` is script text to inject into the page: it
// defines google.script.run / google.script.host on top of two page bindings
// (e.g. Playwright's page.exposeFunction) that `createClientBridge(emu)`
// implements with the emulator. Argument checks happen in the page, as
// Google's client does; the server side runs through emu.scriptRun.

/** Page script defining google.script.run and google.script.host over the bindings. */
function googleScriptClientSource({ runBinding = '__appsScriptRun', hostBinding = '__appsScriptHost' } = {}) {
  return `(() => {
  const RUN = ${JSON.stringify(runBinding)};
  const HOST = ${JSON.stringify(hostBinding)};
  function illegal(where) { return new Error('Failed due to illegal value in property: ' + where); }
  function check(value, where, stack) {
    if (value === null || value === undefined) return;
    if (typeof value === 'function' || value instanceof Date) throw illegal(where);
    if (typeof value !== 'object') return;
    if (typeof Node !== 'undefined' && value instanceof Node && !(value instanceof HTMLFormElement)) throw illegal(where);
    if (stack.has(value)) throw illegal(where);
    stack.add(value);
    for (const key of Object.keys(value)) check(value[key], Array.isArray(value) ? where + '.' + key : key, stack);
    stack.delete(value);
  }
  function formToObject(form) {
    const out = {};
    for (const el of form.elements) if (el.name && !(el.type === 'checkbox' && !el.checked)) out[el.name] = el.value;
    return out;
  }
  function runner(success, failure, userObject) {
    return new Proxy({}, {
      get(_, name) {
        if (name === 'withSuccessHandler') return (fn) => runner(fn, failure, userObject);
        if (name === 'withFailureHandler') return (fn) => runner(success, fn, userObject);
        if (name === 'withUserObject') return (obj) => runner(success, failure, obj);
        if (typeof name !== 'string') return undefined;
        return (...args) => {
          args.forEach((a, i) => check(a, String(i), new Set()));
          const sent = args.map((a) => (typeof HTMLFormElement !== 'undefined' && a instanceof HTMLFormElement ? formToObject(a) : a));
          const copies = sent.map((a) => (a === undefined ? null : JSON.parse(JSON.stringify(a))));
          window[RUN](name, copies).then((answer) => {
            if (answer.ok) {
              if (success) success(answer.value, userObject);
              return;
            }
            const err = new Error(answer.message);
            err.name = answer.name || 'ScriptError';
            if (failure) failure(err, userObject);
            else console.error(err);
          });
        };
      },
    });
  }
  window.google = window.google || {};
  window.google.script = window.google.script || {};
  window.google.script.run = runner(null, null, undefined);
  window.google.script.host = {
    origin: location.origin,
    close: () => window[HOST] && window[HOST]('close', null),
    setHeight: (h) => window[HOST] && window[HOST]('setHeight', h),
    setWidth: (w) => window[HOST] && window[HOST]('setWidth', w),
    editor: { focus: () => window[HOST] && window[HOST]('focusEditor', null) },
  };
})();`;
}

/**
 * Host side of the page bindings. `run(name, args)` answers
 * { ok: true, value } or { ok: false, name, message }; `host(action, arg)`
 * records google.script.host calls on emu.ui.hostCalls.
 */
function createClientBridge(emu, { user } = {}) {
  emu.ui.hostCalls = emu.ui.hostCalls || [];
  return {
    async run(name, args) {
      try {
        return { ok: true, value: await emu.scriptRun(String(name), args || [], { user }) };
      } catch (e) {
        return { ok: false, name: e.name || 'Error', message: e.message };
      }
    },
    async host(action, arg) {
      emu.ui.hostCalls.push({ action, arg });
    },
  };
}

module.exports = { googleScriptClientSource, createClientBridge };
