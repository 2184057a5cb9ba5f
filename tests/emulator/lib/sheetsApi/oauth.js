'use strict';
// Google's OAuth 2.0 token endpoint for service accounts, and the bearer check of API calls.
// A service account signs a JWT (RS256) whose claims name itself (iss), the scopes it asks
// for (scope), the token endpoint (aud), and when it was issued and expires (iat, exp; at most
// one hour apart). It posts it as `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and
// `assertion=<jwt>`, and gets `{access_token, expires_in, token_type: "Bearer"}` back. The
// stand-in knows each service account by its email and public key, as Google knows the key
// it issued, and verifies the signature against it.

const crypto = require('node:crypto');
const { OAuthError, missingCredentials, invalidCredentials } = require('./googleErrors');

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** The audience Google documents for the assertion. */
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const MAX_ASSERTION_LIFETIME_S = 3600;
/** How far iat may lie in the future (clock skew between the caller and the stand-in). */
const CLOCK_SKEW_S = 300;

function decodePart(part, what) {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new OAuthError('invalid_grant', `Invalid JWT: the ${what} is not base64url JSON`);
  }
}

/** Service accounts, the tokens issued to them, and the checks on both. */
class TokenAuthority {
  /**
   * `accounts`: [{ email, projectId, projectNumber, publicKey (PEM or KeyObject) }];
   * `now()`: milliseconds (the stand-in's clock); `tokenLifetimeSeconds`: what
   * `expires_in` says and how long a token is honoured; `tokenUri()`: the stand-in's own token
   * URL, accepted as the assertion's audience besides Google's.
   */
  constructor({ accounts = [], now, tokenLifetimeSeconds = 3599, tokenUri }) {
    this.accounts = new Map();
    for (const a of accounts) this.addAccount(a);
    this.now = now;
    this.tokenLifetimeSeconds = tokenLifetimeSeconds;
    this.tokenUri = tokenUri;
    this.tokens = new Map();
  }

  /** Registers a service account the stand-in will issue tokens to. */
  addAccount({ email, projectId = 'standin-project', projectNumber = '100000000001', publicKey }) {
    if (!email || !publicKey) throw new Error('a service account needs an email and a public key');
    const key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
    this.accounts.set(email, { email, projectId, projectNumber: String(projectNumber), publicKey: key });
  }

  /** Answers a token request (`form`: the decoded form fields). */
  exchange(form) {
    if (form.grant_type !== JWT_BEARER) {
      throw new OAuthError('unsupported_grant_type', `Invalid grant_type: ${form.grant_type ?? ''}`);
    }
    const assertion = form.assertion;
    const parts = typeof assertion === 'string' ? assertion.split('.') : [];
    if (parts.length !== 3) throw new OAuthError('invalid_request', 'Invalid JWT: the assertion must have three dot-separated parts');
    const header = decodePart(parts[0], 'header');
    const claims = decodePart(parts[1], 'claim set');
    if (header.alg !== 'RS256') throw new OAuthError('invalid_grant', `Invalid JWT: alg must be RS256, got ${header.alg}`);
    const account = this.accounts.get(claims.iss);
    if (!account) throw new OAuthError('invalid_grant', 'Invalid grant: account not found');
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2], 'base64url');
    if (!crypto.verify('RSA-SHA256', signed, account.publicKey, signature)) {
      throw new OAuthError('invalid_grant', 'Invalid JWT Signature.');
    }
    if (claims.aud !== GOOGLE_TOKEN_URI && claims.aud !== this.tokenUri()) {
      throw new OAuthError('invalid_grant', `Invalid JWT: Failed audience check. The right audience is ${this.tokenUri()}`);
    }
    const nowS = Math.floor(this.now() / 1000);
    const { iat, exp } = claims;
    if (!Number.isInteger(iat) || !Number.isInteger(exp) || exp <= iat || exp - iat > MAX_ASSERTION_LIFETIME_S
      || iat > nowS + CLOCK_SKEW_S || exp < nowS) {
      throw new OAuthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    if (claims.sub !== undefined) {
      throw new OAuthError('unauthorized_client', 'The Sheets API stand-in does not model domain-wide delegation (the sub claim)');
    }
    if (typeof claims.scope !== 'string' || claims.scope.trim() === '') {
      throw new OAuthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    const token = `ya29.standin-${crypto.randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, {
      account,
      scopes: new Set(claims.scope.split(/\s+/).filter(Boolean)),
      expiresAt: this.now() + this.tokenLifetimeSeconds * 1000,
    });
    return { access_token: token, expires_in: this.tokenLifetimeSeconds, token_type: 'Bearer' };
  }

  /** The grant behind an API call's `Authorization` header, or Google's 401. */
  caller(authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization || '');
    if (!m) throw missingCredentials();
    const grant = this.tokens.get(m[1]);
    if (!grant || grant.expiresAt <= this.now()) throw invalidCredentials();
    return grant;
  }
}

/** Scopes that let a caller read, and write, spreadsheets (the Sheets API reference lists them per method). */
const READ_SCOPES = [
  'https://www.googleapis.com/auth/spreadsheets', 'https://www.googleapis.com/auth/spreadsheets.readonly',
  'https://www.googleapis.com/auth/drive', 'https://www.googleapis.com/auth/drive.readonly',
  'https://www.googleapis.com/auth/drive.file',
];
const WRITE_SCOPES = [
  'https://www.googleapis.com/auth/spreadsheets', 'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/drive.file',
];

/** True when the grant's scopes allow a read (`write` false) or a write. */
function scopesAllow(grant, write) {
  return (write ? WRITE_SCOPES : READ_SCOPES).some((s) => grant.scopes.has(s));
}

/**
 * Signs a service-account assertion the way a Google client library does (for tests and
 * for clients written in JavaScript). `privateKey`: PEM; `aud` defaults to Google's token URI.
 */
function signAssertion({ email, privateKey, scope, aud = GOOGLE_TOKEN_URI, iat, lifetimeSeconds = 3600, extraClaims = {} }) {
  const issued = iat === undefined ? Math.floor(Date.now() / 1000) : iat;
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = enc({ alg: 'RS256', typ: 'JWT' });
  const body = enc({ iss: email, scope, aud, iat: issued, exp: issued + lifetimeSeconds, ...extraClaims });
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/**
 * A fresh service account for tests: an RSA key pair and the fields of the JSON key file
 * Google hands out (`keyFile(tokenUri)` fills token_uri with the stand-in's endpoint).
 */
function createTestServiceAccount({ email = 'sheetsync@standin-project.iam.gserviceaccount.com', projectId = 'standin-project', projectNumber = '100000000001' } = {}) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const keyId = crypto.randomBytes(20).toString('hex');
  return {
    email,
    projectId,
    projectNumber,
    privateKeyPem,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }),
    keyFile: (tokenUri) => ({
      type: 'service_account',
      project_id: projectId,
      private_key_id: keyId,
      private_key: privateKeyPem,
      client_email: email,
      client_id: projectNumber,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: tokenUri,
    }),
  };
}

module.exports = { TokenAuthority, scopesAllow, signAssertion, createTestServiceAccount, JWT_BEARER, GOOGLE_TOKEN_URI };
