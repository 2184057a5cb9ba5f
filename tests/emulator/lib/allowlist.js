'use strict';
// The manifest's urlFetchWhitelist, as developers.google.com/apps-script/manifest/allowlist-url
// states it. A prefix must be a valid URL, use https://, have a full domain and a non-empty
// path ("https://www.google.com/" is valid, "https://www.google.com" is not); a wildcard may
// only match subdomains, as a leading "*.". A URL matches a prefix when it equals it or lies
// below it (path matching is case-sensitive): "https://example.com/foo" matches /foo, /foo/,
// /foo/bar and /foo?bar.

/** The reasons `prefix` is not a valid allowlist entry (empty when it is). */
function prefixProblems(prefix) {
  const text = String(prefix);
  const m = /^([a-z]+):\/\/([^/?#]*)(.*)$/i.exec(text);
  if (!m) return [`"${text}" is not a valid URL`];
  const problems = [];
  const [, scheme, host, rest] = m;
  if (scheme !== 'https') problems.push(`"${text}" must use https://`);
  const bare = host.startsWith('*.') ? host.slice(2) : host;
  if (bare.includes('*')) problems.push(`"${text}" may use a wildcard only as a leading "*." of the domain`);
  if (!/^([a-z0-9-]+\.)+[a-z0-9-]+(:\d+)?$/i.test(bare.replace(/\*/g, 'x'))) problems.push(`"${text}" must have a full domain`);
  if (!rest.startsWith('/')) problems.push(`"${text}" must have a non-empty path (end the domain with "/")`);
  return problems;
}

/** Whether `url` is covered by `prefix` (a valid allowlist entry). */
function prefixMatches(prefix, url) {
  const p = /^https:\/\/([^/?#]*)(.*)$/i.exec(prefix);
  const u = /^https:\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!p || !u) return false;
  const [, pHost, pPath] = p;
  const [, uHost, uPath] = u;
  const hostOk = pHost.startsWith('*.')
    ? uHost.toLowerCase().endsWith(pHost.slice(1).toLowerCase())
    : uHost.toLowerCase() === pHost.toLowerCase();
  if (!hostOk) return false;
  if (uPath === pPath) return true;
  if (!uPath.startsWith(pPath)) return false;
  return pPath.endsWith('/') || ['/', '?', '#'].includes(uPath[pPath.length]);
}

module.exports = { prefixProblems, prefixMatches };
