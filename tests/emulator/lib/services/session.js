'use strict';
// Session: who runs the execution, and the script's time zone.

const crypto = require('node:crypto');

function createUser(exec, email) {
  return exec.service('User', { getEmail: () => email || '', toString: () => email || '' });
}

/** Creates the Session global for one execution. */
function createSession(exec) {
  return exec.service('Session', {
    getScriptTimeZone: () => exec.emu.options.scriptTimeZone,
    getActiveUser: () => createUser(exec, exec.user.email),
    getEffectiveUser: () => createUser(exec, exec.effectiveUser ? exec.effectiveUser.email : exec.user.email),
    getTemporaryActiveUserKey: () => crypto.createHash('sha256').update(`${exec.emu.scriptId}/${exec.user.email}`).digest('base64url').slice(0, 43),
    getActiveUserLocale: () => exec.emu.options.locale.split('_')[0],
  });
}

module.exports = { createSession, createUser };
