'use strict';
// UrlFetchApp: real, synchronous HTTP as Apps Script does it.

const { ScriptException } = require('../errors');
const { prefixMatches } = require('../allowlist');
const { requestSync } = require('../syncHttp');
const { createBlob, signedBytes, bufferOf } = require('./blob');

const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 60000;
const TRUNCATE_AT = 100;
const MAX_URL_CHARS = 2 * 1024;
const MAX_POST_BYTES = 50 * 1024 * 1024;
const MAX_HEADERS = 100;

function formEncode(obj) {
  return Object.entries(obj).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
}

/** Builds the worker's request from Google's (url, params). */
/**
 * A versioned deployment fetches only URLs its manifest's urlFetchWhitelist covers (and has to
 * declare one: Google refuses to create the deployment without it).
 */
function checkAllowlist(emu, url) {
  if (emu.options.deployment !== 'versioned') return;
  const prefixes = (emu.manifest && emu.manifest.urlFetchWhitelist) || [];
  if (!prefixes.some((p) => prefixMatches(p, url))) {
    throw new ScriptException(`UrlFetch calls to ${url} are not permitted by your admin or the script's urlFetchWhitelist`);
  }
}

function buildRequest(exec, url, params = {}) {
  const text = String(url);
  if (!/^https?:\/\//i.test(text)) throw new ScriptException(`Invalid argument: ${text}`);
  if (text.length > MAX_URL_CHARS) throw new ScriptException('Limit Exceeded: URLFetch URL Length.');
  checkAllowlist(exec.emu, text);
  const method = String(params.method || 'get').toUpperCase();
  const headers = { 'User-Agent': `Mozilla/5.0 (compatible; Google-Apps-Script; beanserver; +https://script.google.com; id: ${exec.emu.scriptId})` };
  for (const [k, v] of Object.entries(params.headers || {})) headers[k] = String(v);
  let body = null;
  if (params.payload !== undefined && params.payload !== null) {
    const p = params.payload;
    if (typeof p === 'string') body = Buffer.from(p, 'utf8');
    else if (Array.isArray(p)) body = bufferOf(p);
    else if (p && typeof p.getBytes === 'function') body = bufferOf(p.getBytes());
    else body = Buffer.from(formEncode(p), 'utf8');
  }
  if (body && body.length > MAX_POST_BYTES) throw new ScriptException('Limit Exceeded: URLFetch POST Size.');
  if (Object.keys(headers).length > MAX_HEADERS) throw new ScriptException('Limit Exceeded: URLFetch headers.');
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (params.contentType) headers['Content-Type'] = String(params.contentType);
  else if (body && !hasType) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return {
    url: text,
    method,
    headers,
    payloadBase64: body ? body.toString('base64') : null,
    followRedirects: params.followRedirects !== false,
    validateHttpsCertificates: params.validateHttpsCertificates !== false,
    timeoutMs: FETCH_TIMEOUT_MS,
    maxBytes: MAX_RESPONSE_BYTES,
    mute: params.muteHttpExceptions === true,
  };
}

function failureText(error, url) {
  if (error === 'ENOTFOUND' || error === 'EAI_AGAIN') return `DNS error: ${url}`;
  if (error === 'timeout') return `Timeout: ${url}`;
  if (error === 'too-large') return `Response too large (more than 50 MB): ${url}`;
  if (error === 'invalid-url') return `Invalid argument: ${url}`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(error)) return `SSL error: ${url}`;
  return `Address unavailable: ${url}`;
}

/** The charset parameter of a Content-Type header, or null. */
function headerCharset(contentType) {
  const m = /;\s*charset="?([^";\s]+)"?/i.exec(contentType || '');
  return m ? m[1] : null;
}

/** Decodes a body in the charsets this emulator knows (UTF-8 and the single-byte Latin ones). */
function decodeBody(body, charset) {
  const name = String(charset).toUpperCase();
  if (name === 'UTF-8' || name === 'UTF8') return body.toString('utf8');
  if (['ISO-8859-1', 'LATIN1', 'US-ASCII', 'WINDOWS-1252'].includes(name)) return body.toString('latin1');
  throw new ScriptException(`Unsupported charset: ${charset}`);
}

function createResponse(exec, result) {
  const body = Buffer.from(result.bodyBase64, 'base64');
  const raw = result.rawHeaders;
  const contentType = () => {
    for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'content-type') return raw[i + 1];
    return null;
  };
  return exec.service('HTTPResponse', {
    getResponseCode: () => result.code,
    getContentText: (charset) => decodeBody(body, charset || headerCharset(contentType()) || exec.emu.options.defaultResponseCharset),
    getContent: () => signedBytes(exec, body),
    getHeaders() {
      const out = {};
      for (let i = 0; i < raw.length; i += 2) out[raw[i]] = raw[i + 1];
      return exec.toRealm(out);
    },
    getAllHeaders() {
      const out = {};
      for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i];
        if (out[k] === undefined) out[k] = raw[i + 1];
        else out[k] = [].concat(out[k], raw[i + 1]);
      }
      return exec.toRealm(out);
    },
    getBlob: () => createBlob(exec, body, contentType(), null),
    getAs: () => createBlob(exec, body, contentType(), null),
  });
}

/** Creates the UrlFetchApp global for one execution. */
function createUrlFetchApp(exec) {
  const emu = exec.emu;
  const perform = (requests) => {
    if (exec.authMode !== 'FULL') {
      throw new ScriptException('You do not have permission to call UrlFetchApp.fetch. Required permissions: https://www.googleapis.com/auth/script.external_request');
    }
    for (let i = 0; i < requests.length; i++) {
      emu.stats.urlFetchCalls++;
      emu.quota.use('urlFetchCalls');
    }
    const wait = Math.min(FETCH_TIMEOUT_MS + 1000, exec.remainingMs());
    const results = requestSync(requests, wait);
    if (!results) throw exec.terminate('Exceeded maximum execution time');
    return results.map((result, i) => {
      const req = requests[i];
      emu.stats.requests.push({ url: req.url, method: req.method, code: result.code ?? null });
      if (result.error) throw new ScriptException(failureText(result.error, req.url));
      if (result.code >= 400 && !req.mute) {
        const text = Buffer.from(result.bodyBase64, 'base64').toString('utf8');
        const shown = text.length > TRUNCATE_AT ? `${text.slice(0, TRUNCATE_AT)}...` : text;
        throw new ScriptException(`Request failed for ${req.url} returned code ${result.code}. Truncated server response: ${shown} (use muteHttpExceptions option to examine full response)`);
      }
      return createResponse(exec, result);
    });
  };
  return exec.service('UrlFetchApp', {
    fetch: (url, params) => perform([buildRequest(exec, url, params || {})])[0],
    fetchAll(requests) {
      const built = Array.from(requests, (r) => (typeof r === 'string' ? buildRequest(exec, r, {}) : buildRequest(exec, r.url, r)));
      return exec.toRealm(perform(built));
    },
    getRequest: (url, params) => {
      const r = buildRequest(exec, url, params || {});
      return exec.toRealm({ url: r.url, method: r.method.toLowerCase(), headers: r.headers, payload: r.payloadBase64 ? Buffer.from(r.payloadBase64, 'base64').toString('utf8') : '', followRedirects: r.followRedirects, validateHttpsCertificates: r.validateHttpsCertificates, muteHttpExceptions: r.mute });
    },
  });
}

module.exports = { createUrlFetchApp };
