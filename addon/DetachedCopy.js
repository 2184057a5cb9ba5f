/**
 * The trigger owner's copy of a document's settings, for a clock trigger that Google runs
 * without the document (DetachedTimer.js says when and why). It lives in the owner's user
 * properties, keyed by spreadsheet id (`sheetsync.copy.<spreadsheetId>`), as one value when it
 * fits in 9 KB and in chunks otherwise, measured in UTF-8 bytes as Google measures them.
 * Reports are left out: a tick without the document keeps its own.
 */

/** A user's properties hold at most 500 KB in all (Google's quotas page). */
var DETACHED_USER_STORE_BYTES_ = 500 * 1024;
/** Characters per chunk of the copy: at most 3 UTF-8 bytes each, so a chunk stays under 9 KB. */
var DETACHED_CHUNK_CHARS_ = 3000;

/**
 * The settings a sync must agree on with the document, as the document properties hold
 * them: connection, origin, bindings and the triggers record. Cursors, progress and
 * reports move with every sync and are not part of it.
 */
function detachedIsStableKey_(key) {
  return key === STORE_PREFIX_ + 'connection' || key === STORE_PREFIX_ + 'origin' ||
    key === STORE_PREFIX_ + 'triggers' || key.indexOf(STORE_PREFIX_ + 'binding.') === 0;
}

/** A digest of the stable settings of `settings` ({key: text}). */
function detachedHash_(settings) {
  var pairs = Object.keys(settings).filter(detachedIsStableKey_).sort()
    .map(function (k) { return [k, settings[k]]; });
  var digest = Utilities.computeDigest(Utilities.DigestAlgorithm.SHA_256, JSON.stringify(pairs),
    Utilities.Charset.UTF_8);
  return Utilities.base64Encode(digest);
}

/** The uid of the document's current clock trigger, or null when automatic sync is off. */
function detachedTimerUid_() {
  var record = triggersRecord_();
  return record && record.uids ? String(record.uids[2]) : null;
}

function detachedCopyKey_(spreadsheetId) {
  return STORE_PREFIX_ + 'copy.' + spreadsheetId;
}

/** The copy for `spreadsheetId` from `props` ({key: text}): {hash, settings}, {problem}, or null. */
function detachedReadCopy_(props, spreadsheetId) {
  var head = props[detachedCopyKey_(spreadsheetId)];
  if (!head) return null;
  var parsed = JSON.parse(head);
  if (!parsed.chunks) return parsed;
  var parts = [];
  for (var i = 0; i < parsed.chunks; i++) {
    var part = props[detachedCopyKey_(spreadsheetId) + '.' + i];
    if (part === undefined || part === null) return null; // cut off while written: no copy
    parts.push(part);
  }
  return JSON.parse(parts.join(''));
}

/**
 * The copy as user properties: one value when it fits in 9 KB, else a head {chunks: n} and
 * n chunks, each measured in bytes as Google measures them.
 */
function detachedCopyEntries_(spreadsheetId, copy) {
  var key = detachedCopyKey_(spreadsheetId);
  var text = JSON.stringify(copy);
  var entries = {};
  if (storeUtf8Bytes_(text) <= STORE_PROPERTY_BYTES_) {
    entries[key] = text;
    return entries;
  }
  var n = 0;
  for (var i = 0; i < text.length; i += DETACHED_CHUNK_CHARS_) entries[key + '.' + n++] = text.slice(i, i + DETACHED_CHUNK_CHARS_);
  entries[key] = JSON.stringify({ chunks: n });
  return entries;
}

/** Bytes `props` ({key: text}) take in a property store. */
function detachedStoreBytes_(props) {
  return Object.keys(props).reduce(function (n, k) {
    return n + storeUtf8Bytes_(k) + storeUtf8Bytes_(String(props[k]));
  }, 0);
}

/** The entries of `props` ({key: text}) that hold the copy for `spreadsheetId`. */
function detachedCopyOf_(props, spreadsheetId) {
  var key = detachedCopyKey_(spreadsheetId);
  var out = {};
  Object.keys(props).forEach(function (k) {
    if (k === key || k.indexOf(key + '.') === 0) out[k] = props[k];
  });
  return out;
}

/**
 * Replaces the copy for `spreadsheetId` in the running person's user properties (`mine`,
 * their current contents) with `copy`, unless it is unchanged. A copy that would take the
 * store past 500 KB is not written: a note of why takes its place, which a tick without the
 * document reports.
 */
function detachedWriteCopy_(user, mine, spreadsheetId, copy) {
  var old = detachedCopyOf_(mine, spreadsheetId);
  var entries = detachedCopyEntries_(spreadsheetId, copy);
  var others = detachedStoreBytes_(mine) - detachedStoreBytes_(old);
  if (others + detachedStoreBytes_(entries) > DETACHED_USER_STORE_BYTES_) {
    var size = detachedStoreBytes_(entries);
    entries = {};
    entries[detachedCopyKey_(spreadsheetId)] = JSON.stringify({
      problem: 'the copy of its settings takes ' + size + ' bytes, and with this person\'s other add-on ' +
        'settings it would pass the ' + DETACHED_USER_STORE_BYTES_ + ' bytes their user properties hold',
    });
  }
  var stale = Object.keys(old).filter(function (k) { return entries[k] === undefined; });
  var changed = stale.length > 0 || Object.keys(entries).some(function (k) { return old[k] !== entries[k]; });
  if (!changed) return;
  // Old chunks go first, so the store never holds both copies at once.
  stale.forEach(function (k) { user.deleteProperty(k); });
  user.setProperties(entries);
}

/** Forgets the running person's copy for `spreadsheetId` (their timer for it is gone). */
function detachedForgetCopy_(user, mine, spreadsheetId) {
  Object.keys(detachedCopyOf_(mine, spreadsheetId)).forEach(function (k) { user.deleteProperty(k); });
}

/**
 * Refreshes the copy (with the document) when the running person owns the document's
 * current clock trigger: the settings as the document holds them, reports left out.
 */
function detachedRefreshCopy_() {
  var timerUid = detachedTimerUid_();
  if (timerUid === null) return;
  var ss = storeSpreadsheet_();
  var user = PropertiesService.getUserProperties();
  var mine = user.getProperties() || {};
  if (mine[triggersTimerKey_(ss)] !== timerUid) return;
  // The origin is made on a document's first push; a tick without the document cannot make
  // it (it is a setting the document must agree on), so it is made here if still missing.
  storeOrigin_();
  var all = storeSettings_();
  var settings = {};
  Object.keys(all).forEach(function (k) {
    if (k.indexOf(STORE_PREFIX_ + 'report.') !== 0) settings[k] = all[k];
  });
  detachedWriteCopy_(user, mine, ss.getId(), { spreadsheetId: ss.getId(), hash: detachedHash_(settings), settings: settings });
}

/** A properties store over a copy's settings, for a tick without the document. */
function detachedProperties_(settings) {
  var self = {
    getProperties: function () { return settings; },
    getProperty: function (k) { return settings[k] === undefined ? null : settings[k]; },
    setProperty: function (k, v) {
      detachedRefuseStable_(k);
      settings[k] = String(v);
      return self;
    },
    deleteProperty: function (k) {
      detachedRefuseStable_(k);
      delete settings[k];
      return self;
    },
  };
  return self;
}

function detachedRefuseStable_(key) {
  if (!detachedIsStableKey_(key)) return;
  throw new Error('sheetsync: the setting "' + key.slice(STORE_PREFIX_.length) + '" can only change with the ' +
    'spreadsheet open, and this run of automatic sync has no document; open the sheetsync sidebar once');
}
