'use strict';
// Errors the emulated services raise. They are host objects until an
// execution rethrows them as the script realm's Error named "Exception",
// so `String(e)` reads "Exception: <Google's text>" exactly as in Apps Script.

/** An error Apps Script would report to the script with this message. */
class ScriptException extends Error {
  constructor(message) {
    super(message);
    this.name = 'Exception';
  }
}

/** The execution is over (deadline, or killed by a test hook); nothing else may run in it. */
class ExecutionTerminated extends Error {
  constructor(message) {
    super(message);
    this.name = 'Exception';
  }
}

module.exports = { ScriptException, ExecutionTerminated };
