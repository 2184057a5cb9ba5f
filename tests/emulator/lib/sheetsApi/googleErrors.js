'use strict';
// Google's error bodies. The Sheets API answers every failure with
// `{"error":{"code","message","status"}}` (the google.rpc.Status JSON mapping); the OAuth token
// endpoint answers with `{"error","error_description"}` (RFC 6749 section 5.2). Handlers throw
// these; the HTTP layer turns them into responses, so a handler never writes a status itself.

/** The canonical status name Google pairs with each HTTP code. */
const STATUS_OF_CODE = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** A failed Sheets API call: HTTP `code`, Google's `status` name and `message`. */
class GoogleApiError extends Error {
  constructor(code, message, headers = {}) {
    super(message);
    this.code = code;
    this.status = STATUS_OF_CODE[code];
    if (!this.status) throw new Error(`no Google status name for HTTP ${code}`);
    this.headers = headers;
  }

  body() {
    return { error: { code: this.code, message: this.message, status: this.status } };
  }
}

/** A refused token request: `error` is the RFC 6749 code, `description` Google's text. */
class OAuthError extends Error {
  constructor(error, description, code = 400) {
    super(description);
    this.error = error;
    this.code = code;
    this.headers = {};
  }

  body() {
    return { error: this.error, error_description: this.message };
  }
}

// Google's own texts (seen in its responses; the reference pages give none).
const SIGN_IN_HINT = 'See https://developers.google.com/identity/sign-in/web/devconsole-project.';
const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' };

const invalidArgument = (message) => new GoogleApiError(400, message);

const missingCredentials = () => new GoogleApiError(401,
  `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SIGN_IN_HINT}`,
  WWW_AUTHENTICATE);

const invalidCredentials = () => new GoogleApiError(401,
  `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SIGN_IN_HINT}`,
  WWW_AUTHENTICATE);

const insufficientScopes = () => new GoogleApiError(403, 'Request had insufficient authentication scopes.');

const callerHasNoPermission = () => new GoogleApiError(403, 'The caller does not have permission');

const entityNotFound = () => new GoogleApiError(404, 'Requested entity was not found.');

/** 429 for one exhausted per-minute budget, in the words Google uses. */
const quotaExceeded = ({ metric, limit, projectNumber }) => new GoogleApiError(429,
  `Quota exceeded for quota metric '${metric}' and limit '${limit}' of service 'sheets.googleapis.com' for consumer 'project_number:${projectNumber}'.`);

module.exports = {
  GoogleApiError, OAuthError, invalidArgument, missingCredentials, invalidCredentials,
  insufficientScopes, callerHasNoPermission, entityNotFound, quotaExceeded,
};
