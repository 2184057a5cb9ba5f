/**
 * What the sidebar calls through google.script.run. Every argument and every answer is a
 * plain object of strings, numbers, booleans and arrays: no Date, no functions, since
 * google.script.run carries nothing else. Each function works on the active sheet.
 */

/** Everything the sidebar shows on opening: connection, binding, last report, triggers. */
function sidebarState() {
  var sheet = SpreadsheetApp.getActiveSheet();
  var sheetId = sheet.getSheetId();
  var connection = storeConnection_();
  var binding = storeBinding_(sheetId);
  var triggers = triggersState_();
  return {
    connected: !!connection,
    url: connection ? connection.url : SHEETSYNC_SERVER_URL_,
    hasToken: !!(connection && connection.token),
    sheet: {
      id: sheetId,
      name: sheet.getName(),
      empty: sheet.getLastRow() === 0,
      // Rows below the header: what the table is matched against when this sheet is bound.
      dataRows: Math.max(0, sheet.getLastRow() - 1),
      hidden: /^_sheetsync_/.test(sheet.getName()),
    },
    binding: binding,
    report: binding ? syncStateShown_(storeReadReport_(sheetId)) : null,
    autoSync: triggers.on,
    // Who runs automatic sync for the document, when it is someone else ('' when unknown).
    autoSyncOwner: triggers.on && !triggers.mine ? triggers.owner || 'another collaborator' : '',
    // Why the last run of automatic sync without the document open failed ('' if it did not).
    autoSyncProblem: triggers.on ? detachedSidebarNote_(triggers.mine) : '',
    progress: binding ? storeProgress_(sheetId) : null,
    // Who syncs the sheet: 'addon' or 'server' (ServerMode.js).
    mode: binding && binding.mode === 'server' ? 'server' : 'addon',
  };
}

/**
 * Tries a server URL and token without saving them: answers the tables the token may sync,
 * or throws the reason it cannot connect.
 */
function testConnection(url, token) {
  apiCheckConnectFields_(url, token);
  var list = serverClient_({ url: String(url || '').trim(), token: String(token || '').trim() })
    .listTables();
  return withCore_(function (core) { return apiDescribeTables_(core, list); });
}

/** Saves the connection after checking that it works; answers the new sidebar state. */
function saveConnection(url, token) {
  apiCheckConnectFields_(url, token);
  var connection = { url: serverCheckedUrl_(url), token: String(token || '').trim() };
  serverClient_(connection).listTables();
  storeSaveConnection_(connection);
  return sidebarState();
}

/** Says which of the two connect fields is empty, in the words of the form the person sees. */
function apiCheckConnectFields_(url, token) {
  var missing = [];
  if (!String(url || '').trim()) missing.push('the server URL');
  if (!String(token || '').trim()) missing.push('the access token');
  if (missing.length) throw new Error('Enter ' + missing.join(' and ') + ', then click Connect.');
}

/** Forgets the server (bindings and bases stay, for reconnecting to the same server). */
function disconnect() {
  triggersRemove_();
  storeSaveConnection_(null);
  return sidebarState();
}

/** The tables the saved token may sync, described for the table picker. */
function listTables() {
  var list = serverClient_(storeConnection_()).listTables();
  return withCore_(function (core) { return apiDescribeTables_(core, list); });
}

/**
 * Binds the active sheet to `tableName`. An empty sheet gets the table's headers and is then
 * filled by the first sync; a sheet with rows is matched to the table by header names.
 */
function bindTable(tableName) {
  var sheet = SpreadsheetApp.getActiveSheet();
  if (/^_sheetsync_/.test(sheet.getName())) {
    throw new Error('this sheet is where sheetsync keeps its own data; choose another sheet');
  }
  var list = serverClient_(storeConnection_()).listTables();
  var table = (list.tables || []).filter(function (t) { return t.name === tableName; })[0];
  if (!table) throw new Error('the server has no table "' + tableName + '" for this token');
  return withCore_(function (core) { return apiBindTable_(sheet, table, apiKeyColumn_(core, table)); });
}

/** Binds `sheet` to `table`, whose key column is `keyColumn`; answers the sidebar state. */
function apiBindTable_(sheet, table, keyColumn) {
  var tableName = table.name;
  var sheetId = sheet.getSheetId();
  // Binding the same table again keeps its policy, and automatic sync if it was on.
  var old = storeBinding_(sheetId) || storeLastBinding_(sheetId);
  if (storeBinding_(sheetId) && old.table !== tableName) storeForgetSheet_(sheetId);
  if (sheet.getLastRow() === 0) {
    sheetWriteHeaders_(sheet, table.columns.map(function (c) { return c.name; }));
  }
  var same = !!old && old.table === tableName;
  storeSaveBinding_(sheetId, {
    table: tableName,
    keyColumn: keyColumn,
    policy: same ? old.policy : { default: 'database-wins', columns: {} },
  });
  storeSaveLastBinding_(sheetId, null);
  if (same && old.autoSync && !triggersState_().on) triggersInstall_();
  // The headers are checked now, not at the first edit: the sidebar shows what does not match.
  syncStateSave_(sheetId, {
    text: 'Not synced yet.',
    headers: syncHeaderProblems_(table.columns, syncHeadersOf_(sheet)),
  }, 'bind');
  return sidebarState();
}

/**
 * Stops syncing the active sheet and forgets its base (the sheet's cells stay). The table,
 * policy and whether automatic sync was on are remembered for binding the sheet again.
 */
function unbindSheet() {
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  var binding = storeBinding_(sheetId);
  if (binding && binding.mode === 'server') {
    throw new Error('the server syncs this sheet: switch it back to the add-on first');
  }
  if (binding) {
    storeSaveLastBinding_(sheetId, { table: binding.table, policy: binding.policy, autoSync: triggersState_().on });
  }
  storeForgetSheet_(sheetId);
  if (storeBoundSheetIds_().length === 0) triggersRemove_();
  return sidebarState();
}

/**
 * The sync state the open sidebar refreshes with (SyncState.js): null when the state `knownId`
 * (the id of the state the sidebar shows) is still the latest, else {id, report}. No UrlFetch
 * call: it reads the document.
 */
function sidebarSyncState(knownId) {
  return syncStateSince_(SpreadsheetApp.getActiveSheet().getSheetId(), knownId === undefined ? null : knownId);
}

/**
 * Answers the mass-delete question with "put them back": the rows deleted in the sheet are
 * written back from the database, and nothing is deleted there. Answers the sync summary.
 */
function putBackDeletedRows() {
  return syncNow({ putBack: true });
}

/**
 * Answers the mass-delete question with "keep them deleted in the sheet": nothing is deleted
 * in the database and the question stays pending, and the answer is kept in the sync state so
 * a sidebar opened later shows it. Answers the state.
 */
function keepDeletedRows() {
  return syncStateKeepDeleted_(SpreadsheetApp.getActiveSheet().getSheetId());
}

/**
 * Fixes the header of `column` where the match is clear (the same name in another case), then
 * syncs. Answers the sync summary.
 */
function fixHeader(column) {
  var sheet = SpreadsheetApp.getActiveSheet();
  var binding = storeBinding_(sheet.getSheetId());
  if (!binding) throw new Error('bind this sheet to a table first');
  var schema = withCore_(function (core) {
    return syncSchema_(core, serverClient_(storeConnection_()), binding.table);
  });
  return thenOrNow_(schema, function (table) {
    syncFixHeader_(sheet, table.columns, String(column));
    return syncNow({});
  });
}

/**
 * Syncs the active sheet now. options: {dryRun: bool, confirmMassDelete: bool}. Answers the
 * summary: counts, a sentence, conflicts, rejected rows, and whether more remains.
 */
function syncNow(options) {
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  return syncRunNow_(sheetId, options || {});
}

/** What a sync would do, without writing anything anywhere. */
function previewSync() {
  return syncNow({ dryRun: true });
}

/**
 * Settles held conflicts. choices: [{key, column, choose: "sheet"|"database"}]; column is
 * null for a whole-row conflict. Runs a sync that applies the choices.
 */
function resolveConflicts(choices) {
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  return syncRunNow_(sheetId, { resolutions: apiResolutions_(choices) });
}

/** Confirms a sync the mass-delete guard stopped, and runs it. */
function confirmMassDelete() {
  return syncNow({ confirmMassDelete: true });
}

/**
 * Sets the active sheet's conflict policies: {default, columns: {name: policy}}, each one of
 * database-wins, sheet-wins, latest-wins, manual, custom, numeric-delta.
 */
function setPolicy(policy) {
  var allowed = ['database-wins', 'sheet-wins', 'latest-wins', 'manual', 'custom', 'numeric-delta'];
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  var binding = storeBinding_(sheetId);
  if (!binding) throw new Error('bind this sheet to a table first');
  var clean = { default: policy && policy.default, columns: {} };
  if (allowed.indexOf(clean.default) < 0) {
    throw new Error('unknown policy "' + clean.default + '"; expected one of ' + allowed.join(', '));
  }
  var columns = (policy && policy.columns) || {};
  Object.keys(columns).forEach(function (name) {
    var p = columns[name];
    if (!p) return;
    if (allowed.indexOf(p) < 0) throw new Error('unknown policy "' + p + '" for column "' + name + '"');
    clean.columns[name] = p;
  });
  binding.policy = clean;
  storeSaveBinding_(sheetId, binding);
  return sidebarState();
}

/** Turns automatic sync on (installs the triggers) or off (removes them). */
function setAutoSync(on) {
  if (on) {
    if (!storeConnection_()) throw new Error('connect to a server first');
    triggersInstall_();
  } else {
    triggersRemove_();
  }
  return sidebarState();
}

/**
 * Switches who syncs the active sheet: 'server' hands it to the server (after finishing the
 * add-on's round), 'addon' takes it back; the base carries over both ways. Answers the new
 * sidebar state.
 */
function switchSyncMode(mode) {
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  if (mode === 'addon') {
    serverModeTakeBack_(sheetId);
    return sidebarState();
  }
  if (mode !== 'server') throw new Error('a sheet is synced by "addon" or "server", not "' + mode + '"');
  return thenOrNow_(withCore_(function (core) { return serverModeHandOver_(core, sheetId); }), function () {
    return sidebarState();
  });
}

/**
 * The server's view of the active sheet's binding (ServerMode.js), or null when the add-on
 * syncs the sheet. One UrlFetch call: the sidebar asks every 15 s while it is visible.
 */
function serverModeStatus() {
  return serverModeStatus_(SpreadsheetApp.getActiveSheet().getSheetId());
}

/**
 * Answers a conflict the server holds for the active sheet ({key, column, choose}), and
 * answers the server's view after (ServerMode.js).
 */
function answerServerConflict(answer) {
  return serverModeAnswer_(SpreadsheetApp.getActiveSheet().getSheetId(), answer);
}

/** Selects a row of the active sheet (the link next to a rejected row). */
function selectRow(row) {
  var n = Number(row);
  if (!(n >= 1)) throw new Error('no such row: ' + row);
  sheetSelectRow_(SpreadsheetApp.getActiveSheet(), n);
  return true;
}

/**
 * What the sidebar needs to long-poll the server itself: the URL, token, table and cursor.
 * The token is the document's, already readable by everyone who can edit the document.
 */
function sidebarConnection() {
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  var connection = storeConnection_();
  var binding = storeBinding_(sheetId);
  // In server mode the server watches the database, not the sidebar.
  if (!connection || !binding || binding.mode === 'server') return null;
  return {
    url: connection.url,
    token: connection.token,
    table: binding.table,
    cursor: storeCursor_(sheetId),
    origin: storeOrigin_(),
  };
}

/**
 * Long-polls for database changes through Apps Script (when the browser cannot reach the
 * server itself) and applies them if any came. Answers the sync summary, or null when
 * nothing changed within `waitSeconds`.
 */
function pollChanges(waitSeconds) {
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  var connection = storeConnection_();
  var binding = storeBinding_(sheetId);
  if (!connection || !binding) return null;
  var page = serverClient_(connection).changes(binding.table, storeCursor_(sheetId), 1, waitSeconds || 10);
  if (!page.changes.length) return null;
  return syncRunNow_(sheetId, {});
}

/**
 * Syncs with a page of database changes the sidebar long-polled from the server and checked
 * with its copy of the core: {from, page}, where `from` is the cursor the page was read
 * after. The sync uses the page instead of asking the server again (one request fewer from
 * the daily UrlFetch quota), unless it does not start at this sheet's cursor or fails the
 * check here too; then the sync reads the changes itself. Answers the sync summary.
 */
function applyChangePage(given) {
  var sheetId = SpreadsheetApp.getActiveSheet().getSheetId();
  var page = given && given.page ? given.page : null;
  return syncRunNow_(sheetId, { changePage: page ? { from: String(given.from), page: page } : null });
}

function apiDescribeTables_(core, list) {
  return {
    protocol: list.protocol,
    tables: (list.tables || []).map(function (t) {
      var keys = core.tableKeys(t);
      return {
        name: t.name,
        writable: !!t.writable,
        syncable: keys.keyColumn !== null,
        why: keys.keyColumn !== null ? '' : keys.why,
        columns: t.columns.map(function (c) {
          return { name: c.name, kind: c.sql_type.kind, key: !!c.primary_key, nullable: !!c.nullable };
        }),
      };
    }),
  };
}

function apiResolutions_(choices) {
  return (choices || []).map(function (c) {
    if (c.choose !== 'sheet' && c.choose !== 'database') {
      throw new Error('a conflict is settled by "sheet" or "database", not "' + c.choose + '"');
    }
    return { key: String(c.key), column: c.column || null, choose: c.choose };
  });
}

/** The key column of `table` by the core's check, or an error saying why it cannot be synced. */
function apiKeyColumn_(core, table) {
  var keys = core.tableKeys(table);
  if (keys.keyColumn === null) throw new Error('table "' + table.name + '" ' + keys.why + ' to be synced');
  return keys.keyColumn;
}

/** The bundled core's version and protocol, for the sidebar's footer and for support. */
function coreInfo() {
  return withCore_(function (core) {
    return { coreVersion: core.coreVersion(), protocol: core.protocolVersion() };
  });
}
