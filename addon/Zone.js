/**
 * The spreadsheet's time zone as the core reads dates in it: a table of UTC offsets,
 * [[utcMs, offsetSeconds], ...] sorted by instant, each entry in force from its instant until
 * the next. Computed from the runtime's own zone data (Intl), so the WebAssembly module needs
 * no time-zone database, and cached per zone so most executions only read it.
 */

// From the sheet's day zero (time-only cells are dates on 1899-12-30) to 2100: instants
// outside take the nearest entry's offset.
var ZONE_FROM_MS_ = Date.UTC(1899, 11, 1);
var ZONE_TO_MS_ = Date.UTC(2100, 0, 1);
// Offsets are sampled weekly: no zone changes twice within a week and back.
var ZONE_STEP_MS_ = 7 * 86400000;
var ZONE_CACHE_SECONDS_ = 21600;
var ZONE_CACHE_PREFIX_ = 'zoneOffsets:1:';

/** The offset table of the IANA zone `timeZone`, from the script cache when it holds it. */
function zoneOffsets_(timeZone) {
  var cache = CacheService.getScriptCache();
  var key = ZONE_CACHE_PREFIX_ + timeZone;
  var cached = cache.get(key);
  if (cached) {
    try {
      return JSON.parse(cached);
    } catch (e) {
      // A damaged entry is recomputed below and replaced.
    }
  }
  var table = zoneComputeOffsets_(timeZone);
  var text = JSON.stringify(table);
  if (text.length < 100000) cache.put(key, text, ZONE_CACHE_SECONDS_);
  return table;
}

/** Samples the zone's offset weekly and narrows each change to the second. */
function zoneComputeOffsets_(timeZone) {
  var offsetAt = zoneOffsetReader_(timeZone);
  var current = offsetAt(ZONE_FROM_MS_);
  var table = [[ZONE_FROM_MS_, current]];
  for (var at = ZONE_FROM_MS_; at < ZONE_TO_MS_; at += ZONE_STEP_MS_) {
    var next = Math.min(at + ZONE_STEP_MS_, ZONE_TO_MS_);
    var from = at;
    // More than one change may fall in a week: find them one after another.
    while (offsetAt(next) !== current) {
      var lo = from;
      var hi = next;
      while (hi - lo > 1000) {
        var mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offsetAt(mid) === current) lo = mid;
        else hi = mid;
      }
      current = offsetAt(hi);
      table.push([hi, current]);
      from = hi;
    }
  }
  return table;
}

/**
 * A function giving the zone's offset (whole seconds) at an instant (whole seconds, in ms):
 * from Intl, or from Utilities.formatDate (to the minute) where Intl does not know the zone.
 */
function zoneOffsetReader_(timeZone) {
  var format;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch (e) {
    return function (ms) {
      return zoneParseOffset_(Utilities.formatDate(new Date(ms), timeZone, 'Z'));
    };
  }
  return function (ms) {
    var parts = format.formatToParts(new Date(ms));
    var f = {};
    for (var i = 0; i < parts.length; i++) f[parts[i].type] = Number(parts[i].value);
    var wall = Date.UTC(f.year, f.month - 1, f.day, f.hour % 24, f.minute, f.second);
    return Math.round((wall - ms) / 1000);
  };
}

/** Seconds of an offset written `+0530` / `-0800`. */
function zoneParseOffset_(text) {
  var m = /^([+-])(\d\d):?(\d\d)$/.exec(String(text));
  if (!m) throw new Error('Cannot read the time-zone offset ' + JSON.stringify(text));
  var seconds = Number(m[2]) * 3600 + Number(m[3]) * 60;
  return m[1] === '-' ? -seconds : seconds;
}
