'use strict';
// Utilities: dates, base64, digests, blobs, UUIDs and sleep.

const crypto = require('node:crypto');
const { ScriptException } = require('../errors');
const { isDate, timeOf } = require('../execution');
const { wallFields, offsetAt, isValidTimeZone } = require('../timezone');
const { createBlob, signedBytes, bufferOf } = require('./blob');

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DIGESTS = { MD5: 'md5', SHA_1: 'sha1', SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' };
const MACS = { HMAC_MD5: 'md5', HMAC_SHA_1: 'sha1', HMAC_SHA_256: 'sha256', HMAC_SHA_384: 'sha384', HMAC_SHA_512: 'sha512' };

function offsetText(ms, colon, zForZero) {
  if (zForZero && ms === 0) return 'Z';
  const m = Math.round(Math.abs(ms) / 60000);
  const hh = String(Math.floor(m / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return (ms < 0 ? '-' : '+') + hh + (colon ? ':' : '') + mm;
}

/** Java SimpleDateFormat subset: y M d H h k K m s S E a Z X z u D and 'quoted' text. */
function formatDate(instant, timeZone, pattern) {
  const w = wallFields(instant, timeZone);
  const offset = offsetAt(instant, timeZone);
  let out = '';
  const re = /'([^']*)'|([A-Za-z])\2*|[^A-Za-z']+/g;
  let m;
  while ((m = re.exec(pattern))) {
    if (m[1] !== undefined) {
      out += m[1] === '' ? "'" : m[1];
      continue;
    }
    if (!m[2]) {
      out += m[0];
      continue;
    }
    const n = m[0].length;
    const num = (v) => String(v).padStart(n, '0');
    switch (m[2]) {
      case 'y': out += n === 2 ? String(w.year % 100).padStart(2, '0') : num(w.year); break;
      case 'M': out += n >= 4 ? MONTHS[w.month - 1] : n === 3 ? MONTHS[w.month - 1].slice(0, 3) : num(w.month); break;
      case 'd': out += num(w.day); break;
      case 'H': out += num(w.hour); break;
      case 'k': out += num(w.hour === 0 ? 24 : w.hour); break;
      case 'h': out += num(w.hour % 12 === 0 ? 12 : w.hour % 12); break;
      case 'K': out += num(w.hour % 12); break;
      case 'm': out += num(w.minute); break;
      case 's': out += num(w.second); break;
      case 'S': out += num(w.ms); break;
      case 'E': out += n >= 4 ? DAYS[w.weekday] : DAYS[w.weekday].slice(0, 3); break;
      case 'u': out += num(w.weekday === 0 ? 7 : w.weekday); break;
      case 'a': out += w.hour < 12 ? 'AM' : 'PM'; break;
      case 'Z': out += offsetText(offset, false, false); break;
      case 'X': out += n === 1 ? offsetText(offset, false, true).slice(0, 3) : offsetText(offset, n >= 3, true); break;
      case 'z': out += new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName').value; break;
      case 'D': {
        const start = Date.UTC(w.year, 0, 1);
        out += num(Math.floor((Date.UTC(w.year, w.month - 1, w.day) - start) / 86400000) + 1);
        break;
      }
      default: throw new ScriptException(`Invalid argument: ${pattern}`);
    }
  }
  return out;
}

/** Creates the Utilities global for one execution. */
function createUtilities(exec) {
  const bytesOut = (buf) => signedBytes(exec, buf);
  const textOrBytes = (v, charset) => (typeof v === 'string' && String(charset || '').toUpperCase() === 'US_ASCII' ? Buffer.from(v, 'latin1') : bufferOf(v));
  return exec.service('Utilities', {
    Charset: { US_ASCII: 'US_ASCII', UTF_8: 'UTF_8' },
    DigestAlgorithm: Object.fromEntries(Object.keys(DIGESTS).map((k) => [k, k])),
    MacAlgorithm: Object.fromEntries(Object.keys(MACS).map((k) => [k, k])),
    formatDate(date, timeZone, pattern) {
      if (!isDate(date)) throw new ScriptException("The parameters don't match the method signature for Utilities.formatDate.");
      const tz = isValidTimeZone(timeZone) ? String(timeZone) : 'UTC';
      return formatDate(timeOf(date), tz, String(pattern));
    },
    formatString: (template, ...args) => {
      let i = 0;
      return String(template).replace(/%([sdif%])/g, (all, t) => (t === '%' ? '%' : t === 's' ? String(args[i++]) : String(Math.trunc(Number(args[i++])))));
    },
    base64Encode: (data, charset) => textOrBytes(data, charset).toString('base64'),
    base64EncodeWebSafe: (data, charset) => textOrBytes(data, charset).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
    base64Decode: (s) => bytesOut(Buffer.from(String(s), 'base64')),
    base64DecodeWebSafe: (s) => bytesOut(Buffer.from(String(s).replace(/-/g, '+').replace(/_/g, '/'), 'base64')),
    newBlob: (data, contentType = null, name = null) => createBlob(exec, bufferOf(data), contentType, name),
    getUuid: () => crypto.randomUUID(),
    sleep(ms) {
      const n = Number(ms);
      if (!(n >= 0) || n > 300000) throw new ScriptException('Invalid argument: milliseconds');
      exec.sleep(n);
    },
    computeDigest(algorithm, value, charset) {
      const alg = DIGESTS[String(algorithm)];
      if (!alg) throw new ScriptException('Invalid argument: algorithm');
      return bytesOut(crypto.createHash(alg).update(textOrBytes(value, charset)).digest());
    },
    computeHmacSha256Signature: (value, key) => bytesOut(crypto.createHmac('sha256', bufferOf(key)).update(bufferOf(value)).digest()),
    computeHmacSignature(algorithm, value, key) {
      const alg = MACS[String(algorithm)];
      if (!alg) throw new ScriptException('Invalid argument: algorithm');
      return bytesOut(crypto.createHmac(alg, bufferOf(key)).update(bufferOf(value)).digest());
    },
  });
}

module.exports = { createUtilities, formatDate };
