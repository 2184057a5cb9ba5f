'use strict';
// Apps Script emulator for sheetsync's end-to-end tests: see README.md.

const { createEmulator, Emulator, ExecutionError } = require('./lib/emulator');
const { ABSENT_GLOBALS } = require('./lib/context');
const { googleScriptClientSource, createClientBridge } = require('./lib/clientBridge');
const { createSheetsStandIn, SheetsStandIn, signAssertion, createTestServiceAccount } = require('./lib/sheetsApi');

module.exports = {
  createEmulator, Emulator, ExecutionError, ABSENT_GLOBALS, googleScriptClientSource, createClientBridge,
  createSheetsStandIn, SheetsStandIn, signAssertion, createTestServiceAccount,
};
