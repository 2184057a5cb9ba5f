'use strict';
// How a cell's stored content becomes what scripts read, and how typed text
// becomes a stored value. Locale is en_US (dates typed as M/d/yyyy or ISO).

const { DAY_MS, wallMsOfSerial } = require('./timezone');

const GENERAL = 'General';
const PLAIN_TEXT = '@';

/** True when a number format makes a number read as a Date (it has date/time tokens). */
function isDateFormat(nf) {
  if (!nf || nf === GENERAL || nf === PLAIN_TEXT) return false;
  const bare = nf.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '').replace(/\\./g, '');
  return /[yYdDhHsS]/.test(bare) || /am\/pm/i.test(bare);
}

const NUMBER = /^([+-])?\$?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(e[+-]?\d+)?(%)?$/i;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function serialOfWall(y, mo, d, h = 0, mi = 0, s = 0, ms = 0) {
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  return (Date.UTC(y, mo - 1, d, h, mi, s, ms) - Date.UTC(1899, 11, 30)) / DAY_MS;
}

/**
 * Converts text as if a person typed it into a cell whose format is `nf`.
 * Returns { value, format } where format is the number format Sheets would
 * apply automatically (undefined when the cell's format is kept).
 */
function parseTypedText(text, nf) {
  if (nf === PLAIN_TEXT) return { value: text };
  if (text.startsWith("'")) return { value: text.slice(1) };
  const t = text.trim();
  if (t === '') return { value: text };
  if (/^(true|false)$/i.test(t)) return { value: t.toUpperCase() === 'TRUE' };
  const n = NUMBER.exec(t);
  if (n) {
    let num = Number((n[1] || '') + n[2].replace(/,/g, '') + (n[3] || ''));
    if (Number.isFinite(num)) {
      let format;
      if (n[4]) {
        num /= 100;
        format = n[2].includes('.') ? '0.00%' : '0%';
      } else if (t.includes('$')) format = '"$"#,##0.00';
      return { value: num, format: isAutomatic(nf) ? format : undefined };
    }
  }
  let m = ISO_DATE.exec(t);
  if (m) {
    const serial = serialOfWall(+m[1], +m[2], +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0), +((m[7] || '0').padEnd(3, '0')));
    if (serial !== null) return dated(serial, nf, m[4] ? 'yyyy-mm-dd h:mm:ss' : 'yyyy-mm-dd');
  }
  m = US_DATE.exec(t);
  if (m) {
    const serial = serialOfWall(+m[3], +m[1], +m[2], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
    if (serial !== null) return dated(serial, nf, m[4] ? 'm/d/yyyy h:mm:ss' : 'm/d/yyyy');
  }
  m = TIME.exec(t);
  if (m && +m[1] < 24 && +m[2] < 60 && +(m[3] || 0) < 60) {
    return dated((+m[1] * 3600 + +m[2] * 60 + +(m[3] || 0)) / 86400, nf, 'h:mm:ss');
  }
  return { value: text };
}

/**
 * The cell content typing `text` into a cell whose format is `nf` gives, as a patch
 * `{ v, f[, nf] }`: a formula when it starts with `=` (unless the cell is plain text), else
 * `parseTypedText`'s value and the format Sheets would apply. Shared by a person typing,
 * `Range.setValues` and the Sheets API's USER_ENTERED input, which all follow the UI's rules.
 */
function enteredText(text, nf) {
  if (text.length > 1 && text.startsWith('=') && nf !== PLAIN_TEXT) return { v: undefined, f: text };
  const parsed = parseTypedText(text, nf);
  return { v: parsed.value, f: undefined, ...(parsed.format ? { nf: parsed.format } : {}) };
}

function isAutomatic(nf) {
  return !nf || nf === GENERAL;
}

function dated(serial, nf, format) {
  return { value: serial, format: isDateFormat(nf) ? undefined : format };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Formats a serial with a Sheets date/time pattern (yyyy, mm, dd, h, mm, ss, am/pm, .000). */
function formatSerial(serial, nf) {
  const d = new Date(wallMsOfSerial(serial));
  const tokens = nf.match(/"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|HH|H|ss|s|am\/pm|AM\/PM|\.0{1,3}|./g) || [];
  const has12h = tokens.some((x) => /am\/pm/i.test(x));
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const prev = tokens.slice(0, i).reverse().find((x) => /^[hHsmd]/.test(x) || /^y/.test(x));
    const next = tokens.slice(i + 1).find((x) => /^[hHsmdy]/.test(x));
    const minuteContext = (prev && /^[hH]/.test(prev)) || (next && /^s/.test(next));
    let hour = d.getUTCHours();
    if (has12h) hour = hour % 12 === 0 ? 12 : hour % 12;
    switch (tok) {
      case 'yyyy': out += String(d.getUTCFullYear()).padStart(4, '0'); break;
      case 'yy': out += String(d.getUTCFullYear() % 100).padStart(2, '0'); break;
      case 'mmmm': out += MONTHS[d.getUTCMonth()]; break;
      case 'mmm': out += MONTHS[d.getUTCMonth()].slice(0, 3); break;
      case 'mm': out += minuteContext ? pad(d.getUTCMinutes()) : pad(d.getUTCMonth() + 1); break;
      case 'm': out += minuteContext ? d.getUTCMinutes() : d.getUTCMonth() + 1; break;
      case 'dddd': out += DAYS[d.getUTCDay()]; break;
      case 'ddd': out += DAYS[d.getUTCDay()].slice(0, 3); break;
      case 'dd': out += pad(d.getUTCDate()); break;
      case 'd': out += d.getUTCDate(); break;
      case 'hh': case 'HH': out += pad(hour); break;
      case 'h': case 'H': out += hour; break;
      case 'ss': out += pad(d.getUTCSeconds()); break;
      case 's': out += d.getUTCSeconds(); break;
      case 'am/pm': out += d.getUTCHours() < 12 ? 'am' : 'pm'; break;
      case 'AM/PM': out += d.getUTCHours() < 12 ? 'AM' : 'PM'; break;
      default:
        if (/^\.0+$/.test(tok)) out += '.' + String(d.getUTCMilliseconds()).padStart(3, '0').slice(0, tok.length - 1);
        else if (tok.startsWith('"')) out += tok.slice(1, -1);
        else if (tok.startsWith('\\')) out += tok.slice(1);
        else out += tok;
    }
  }
  return out;
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** Formats a number with General or a simple numeric pattern ("0", "0.00", "#,##0.00", "0%", "$"...). */
function formatNumber(n, nf) {
  if (isAutomatic(nf)) {
    if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
    return String(Number(n.toPrecision(10)));
  }
  const body = nf.split(';')[0];
  const percent = body.includes('%');
  const value = percent ? n * 100 : n;
  const decimalsMatch = /\.([0#]+)/.exec(body);
  const decimals = decimalsMatch ? decimalsMatch[1].length : 0;
  let digits = Math.abs(value).toFixed(decimals);
  if (body.includes(',')) {
    const [int, frac] = digits.split('.');
    digits = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac !== undefined ? '.' + frac : '');
  }
  const prefix = (/^"([^"]*)"/.exec(body) || [])[1] || (body.startsWith('$') ? '$' : '');
  return (value < 0 ? '-' : '') + prefix + digits + (percent ? '%' : '');
}

/** The text a cell shows (getDisplayValue). */
function displayOf(value, nf) {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return value;
  if (isDateFormat(nf)) return formatSerial(value, nf);
  if (nf === PLAIN_TEXT) return formatNumber(value, GENERAL);
  return formatNumber(value, nf);
}

module.exports = { GENERAL, PLAIN_TEXT, isDateFormat, parseTypedText, enteredText, formatSerial, formatNumber, displayOf };
