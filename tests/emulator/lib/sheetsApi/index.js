'use strict';
// The Sheets API v4 stand-in: see standIn.js and tests/emulator/README.md.

const { SheetsStandIn, createSheetsStandIn } = require('./standIn');
const { signAssertion, createTestServiceAccount, JWT_BEARER, GOOGLE_TOKEN_URI } = require('./oauth');
const { DEFAULT_LIMITS } = require('./quota');

module.exports = { SheetsStandIn, createSheetsStandIn, signAssertion, createTestServiceAccount, JWT_BEARER, GOOGLE_TOKEN_URI, DEFAULT_QUOTA_LIMITS: DEFAULT_LIMITS };
