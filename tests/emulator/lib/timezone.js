'use strict';
// Time-zone arithmetic. A sheet stores dates as wall-clock serial numbers
// (days since 1899-12-30, in the spreadsheet's zone); scripts see JS Dates
// (instants). These helpers convert between the two without any library.

const DAY_MS = 86400000;
const SERIAL_EPOCH = Date.UTC(1899, 11, 30);
const formatters = new Map();

function formatterFor(timeZone) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone id the host knows. */
function isValidTimeZone(timeZone) {
  try {
    formatterFor(String(timeZone));
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of an instant in a zone: { year, month (1-12), day, hour, minute, second, ms, weekday (0=Sun) }. */
function wallFields(instantMs, timeZone) {
  const parts = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instantMs))) parts[p.type] = p.value;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second),
    ms: ((instantMs % 1000) + 1000) % 1000, weekday: days.indexOf(parts.weekday),
  };
}

// Offsets change only at quarter-hour-aligned instants in every current zone,
// so one Intl lookup per zone and quarter hour serves all instants in it.
// (Intl formatting is slow; a sheet of dates would otherwise spend seconds here.)
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const offsetCache = new Map();

/** Offset of the zone from UTC at an instant, in ms (Berlin in winter: +3600000). */
function offsetAt(instantMs, timeZone) {
  const bucket = Math.floor(instantMs / QUARTER_HOUR_MS);
  const key = `${timeZone}|${bucket}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const start = bucket * QUARTER_HOUR_MS;
    const w = wallFields(start, timeZone);
    offset = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - start;
    if (offsetCache.size > 200000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** The wall clock of an instant, coded as if it were a UTC instant. */
function wallMsOf(instantMs, timeZone) {
  return instantMs + offsetAt(instantMs, timeZone);
}

/** The instant at which the zone's wall clock shows `wallMs` (UTC-coded). */
function instantOfWall(wallMs, timeZone) {
  let guess = wallMs - offsetAt(wallMs, timeZone);
  guess = wallMs - offsetAt(guess, timeZone);
  return guess;
}

/** Sheet serial number of an instant, in the spreadsheet's zone. */
function serialOfInstant(instantMs, timeZone) {
  return (wallMsOf(instantMs, timeZone) - SERIAL_EPOCH) / DAY_MS;
}

/** Instant of a sheet serial number read in the spreadsheet's zone. */
function instantOfSerial(serial, timeZone) {
  const wall = Math.round(SERIAL_EPOCH + serial * DAY_MS);
  return instantOfWall(wall, timeZone);
}

/** UTC-coded wall clock of a serial (for formatting without a zone). */
function wallMsOfSerial(serial) {
  return Math.round(SERIAL_EPOCH + serial * DAY_MS);
}

module.exports = {
  DAY_MS, SERIAL_EPOCH, isValidTimeZone, wallFields, wallMsOf, offsetAt, instantOfWall,
  serialOfInstant, instantOfSerial, wallMsOfSerial,
};
