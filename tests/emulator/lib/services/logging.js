'use strict';
// Logger and console: every line is kept on `emu.logs` with its execution id.

const util = require('node:util');

/** Creates { Logger, console } for one execution. */
function createLogging(exec) {
  const lines = [];
  // Logger.getLog shows Logger lines only; console goes to the execution log.
  const record = (level, message, viaLogger = false) => {
    if (viaLogger) lines.push(message);
    exec.emu.logs.push({ execution: exec.id, level, message });
    if (exec.emu.options.echoLogs) process.stderr.write(`[apps-script ${level}] ${message}\n`);
  };
  const Logger = exec.service('Logger', {
    log(format, ...args) {
      const text = typeof format === 'string' && args.length ? format.replace(/%s/g, () => String(args.shift())) : util.format(format, ...args);
      record('INFO', text, true);
      return Logger;
    },
    getLog: () => lines.map((l) => l + '\n').join(''),
    clear() {
      lines.length = 0;
    },
  });
  const level = (name) => (...args) => record(name, util.format(...args));
  const console = {
    log: level('INFO'),
    info: level('INFO'),
    warn: level('WARNING'),
    error: level('ERROR'),
    debug: level('DEBUG'),
    time() {},
    timeEnd() {},
  };
  return { Logger, console };
}

module.exports = { createLogging };
