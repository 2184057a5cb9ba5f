/**
 * Who syncs a sheet: the add-on (add-on mode, the default) or the server (server mode,
 * docs/server-mode.md), which reads and writes the sheet itself through the Sheets API, so
 * the sheet stays in sync with nobody's sidebar open and no Apps Script quota spent.
 *
 * The mode is kept with the binding settings: {mode: 'server', serverBinding: id}. In server
 * mode the add-on syncs nothing itself: an edit (the installable onEdit) or a structural
 * change (onChange) sends the server one small poke, the timer does nothing for the sheet,
 * and Sync now pokes. The sidebar shows the server's view of the binding instead of the
 * add-on's report.
 *
 * Switching carries the base over both ways, so neither side resyncs the whole sheet:
 * to the server, the add-on finishes its round, hands over its base, cursor and held changes
 * (POST /v1/bindings) and forgets them; back, the server hands its own back
 * (DELETE /v1/bindings/{id}) and the add-on goes on from them.
 */

/** Whether the server syncs sheet `sheetId`. */
function serverModeOn_(sheetId) {
  var binding = storeBinding_(sheetId);
  return !!binding && binding.mode === 'server';
}

/**
 * The sheets of `ids` the add-on itself syncs for a trigger's `why`: sheets in server mode
 * are left out, and for a structural change ('change') the server is poked about them.
 */
function serverModeAddonSheets_(ids, why) {
  return ids.filter(function (id) {
    if (!serverModeOn_(id)) return true;
    if (why === 'change') serverModePoke_(id);
    return false;
  });
}

/**
 * Tells the server that sheet `sheetId` changed: one small request, whose failure is kept
 * for the sidebar (a trigger has nobody to tell). `edit` ({keys, editedAtMs, author}, from
 * onEdit) tells when and by whom those rows were edited, so that latest-wins counts the edit
 * from then rather than from when the server reads it. Answers true when the server took it.
 */
function serverModePoke_(sheetId, edit) {
  var binding = storeBinding_(sheetId);
  try {
    serverClient_(storeConnection_()).poke(binding.serverBinding, edit);
    storePutJson_('poke.' + sheetId, null);
    return true;
  } catch (e) {
    var message = e && e.message ? e.message : String(e);
    console.error('sheetsync (poke) sheet ' + sheetId + ': ' + message);
    storePutJson_('poke.' + sheetId, { at: Date.now(), message: message });
    return false;
  }
}

/** The most row keys one poke carries; the server refuses more (a larger edit sends none). */
var SERVER_MODE_POKE_KEYS_ = 1000;

/**
 * What an onEdit event tells the server: the edited rows' keys (rows without one yet carry
 * none), the event's time and its author where Google names them (EditAuthors.js). Null when
 * the edit touched no data row. An edit over more rows than a poke carries sends no keys:
 * the server then counts those rows as edited when it reads them.
 */
function serverModeEditOf_(sheet, range, user) {
  var keys = triggersEditedKeys_(sheet, range);
  if (keys === null) return null;
  return {
    keys: keys.length > SERVER_MODE_POKE_KEYS_ ? [] : keys,
    editedAtMs: Date.now(),
    author: editAuthorsEmailOf_(user) || null,
  };
}

/** Sync now in server mode: a poke, answered as a report the sidebar shows. */
function serverModeSyncNow_(sheetId, options) {
  if (options.dryRun) {
    return { text: 'The server syncs this sheet: there is nothing to preview here.', serverMode: true };
  }
  var poked = serverModePoke_(sheetId);
  var failure = storeGetJson_('poke.' + sheetId, null);
  return {
    text: poked ? 'Asked the server to sync this sheet now.' :
      'The server could not be asked to sync: ' + failure.message,
    serverMode: true,
    failed: !poked,
  };
}

/**
 * Hands sheet `sheetId` to the server. The add-on first finishes its round (a batch in
 * flight, a first copy or a long sync still under way must end first, or the server could
 * apply rows twice), then sends its base, cursor and held changes, and forgets them.
 */
function serverModeHandOver_(core, sheetId) {
  var binding = storeBinding_(sheetId);
  if (!binding) throw new Error('bind this sheet to a table first');
  if (binding.mode === 'server') return;
  var policy = binding.policy || { default: 'database-wins', columns: {} };
  var custom = [policy.default].concat(Object.keys(policy.columns || {}).map(function (c) { return policy.columns[c]; }))
    .indexOf('custom') >= 0;
  if (custom) {
    throw new Error('the server cannot run "My rule (resolveConflict)": choose another conflict rule ' +
      'before the server syncs this sheet');
  }
  var connection = storeConnection_();
  var lock = detachedSyncLock_();
  if (!lock.tryLock(30000)) throw new Error('another sync of this document is running; try again in a moment');
  try {
    var report = syncRun_(core, sheetId, { source: 'sidebar' });
    var pending = storePendingBatch_(sheetId);
    if (report.more || storeProgress_(sheetId) || (storeCopy_(sheetId) && !storeCopy_(sheetId).done)) {
      throw new Error('this sheet\'s sync has more to do: run Sync now until it is done, then switch');
    }
    var sheet = sheetById_(sheetId);
    var answer = serverClient_(connection).handOver({
      spreadsheet: storeSpreadsheet_().getId(),
      sheet: sheet.getName(),
      table: binding.table,
      policy: { default: policy.default, columns: policy.columns || {} },
      base: storeBase_(sheetId),
      cursor: storeCursor_(sheetId),
      held: storeHeldChanges_(sheetId),
      pendingBatch: pending ? pending.batchId : null,
    });
    binding.mode = 'server';
    binding.serverBinding = answer.id;
    storeSaveBinding_(sheetId, binding);
    // The server owns the base from now on: a stale copy here must never be synced from.
    serverModeForgetState_(sheetId);
    syncStateSave_(sheetId, { text: 'The server syncs this sheet now.' }, 'sidebar');
  } finally {
    lock.releaseLock();
  }
}

/**
 * Takes sheet `sheetId` back from the server and goes on from the server's base, cursor and
 * held changes. If the server no longer has the binding (it was removed there), its base is
 * gone too: the next sync then compares the whole sheet with the table, as a first sync does.
 */
function serverModeTakeBack_(sheetId) {
  var binding = storeBinding_(sheetId);
  if (!binding) throw new Error('bind this sheet to a table first');
  if (binding.mode !== 'server') return;
  var lock = detachedSyncLock_();
  if (!lock.tryLock(30000)) throw new Error('another sync of this document is running; try again in a moment');
  try {
    var back = null;
    try {
      back = serverClient_(storeConnection_()).handBack(binding.serverBinding);
    } catch (e) {
      if (e.status !== 404) throw e;
    }
    serverModeForgetState_(sheetId);
    if (back) {
      storeSaveBase_(sheetId, back.base);
      storeSaveCursor_(sheetId, back.cursor);
      storeSaveHeldChanges_(sheetId, back.held);
      // Policies may have been changed on the server (binding create --policy).
      binding.policy = back.policy;
    }
    delete binding.mode;
    delete binding.serverBinding;
    storeSaveBinding_(sheetId, binding);
    storePutJson_('poke.' + sheetId, null);
    syncStateSave_(sheetId, {
      text: back ? 'The add-on syncs this sheet again, from where the server left it.' :
        'The add-on syncs this sheet again. The server no longer had it, so the next sync compares ' +
        'the whole sheet with the table.',
    }, 'sidebar');
  } finally {
    lock.releaseLock();
  }
}

/** Forgets the add-on's own sync state of a sheet (base, cursor, held changes, batch, edits). */
function serverModeForgetState_(sheetId) {
  storeSaveBase_(sheetId, null);
  storeSaveCursor_(sheetId, null);
  storeSaveHeldChanges_(sheetId, []);
  storeSavePendingBatch_(sheetId, null);
  storeSaveCopy_(sheetId, null);
  storeSaveEditTimes_(sheetId, {});
  storeSaveProgress_(sheetId, null);
}

/** How the sidebar says a lag: "0.8 s", "12 s", "3 min". */
function serverModeDuration_(ms) {
  if (ms < 10000) return (Math.round(ms / 100) / 10) + ' s';
  if (ms < 120000) return Math.round(ms / 1000) + ' s';
  return Math.round(ms / 60000) + ' min';
}

/**
 * What the server does not know yet about a binding (null in its status: before its first
 * round, or never learnt since), as the sidebar names it.
 */
var SERVER_MODE_UNKNOWN_ = [
  ['lastRound', 'Last sync'],
  ['conflicts', 'Conflicts'],
  ['rejects', 'Rejected rows'],
  ['massDeleteHeld', 'Deletions held back'],
];

/**
 * The server's view of a binding (GET /v1/bindings/{id}) as the sidebar shows it:
 * {text, kind, inSync, lines, rejects, owner, poke}. "In sync" only when the server's last round was ok
 * and nothing waits: no conflicts, no rejected rows, no deletions held by the mass-delete guard, no quota
 * back-off, not paused, and nothing unknown (a null the status gives is shown as "not known yet").
 */
function serverModeView_(status, pokeFailure, now, conflicts) {
  var round = status.lastRound;
  var backoff = status.quotaBackoffUntilMs !== null && status.quotaBackoffUntilMs !== undefined &&
    status.quotaBackoffUntilMs > now;
  var unknown = SERVER_MODE_UNKNOWN_.filter(function (f) {
    return status[f[0]] === null || status[f[0]] === undefined;
  });
  var conflictCount = status.conflicts || 0;
  var rejects = status.rejects || [];
  var waiting = [];
  if (conflictCount > 0) waiting.push(conflictCount === 1 ? '1 conflict' : conflictCount + ' conflicts');
  if (rejects.length > 0) {
    waiting.push(rejects.length === 1 ? '1 rejected row' : rejects.length + ' rejected rows');
  }
  var heldDeletes = status.massDeleteHeld || 0;
  if (heldDeletes > 0) {
    waiting.push(heldDeletes === 1 ? '1 deletion held back' : heldDeletes + ' deletions held back');
  }
  var text;
  var kind = 'waiting';
  if (status.paused) text = 'Paused on the server: nothing syncs until it is resumed there.';
  else if (!round) {
    text = 'The server has not synced this sheet yet.';
    kind = 'unsynced';
  } else if (!round.ok) {
    text = 'The server\'s last sync failed: ' + round.error;
    kind = 'failed';
  } else if (pokeFailure) {
    // The server may not have seen an edit made here: nothing says it is in the database.
    text = 'Not in sync: an edit made here has not reached the server yet.';
  } else if (backoff) text = 'Not in sync: the server waits for Google\'s quota.';
  else if (waiting.length) text = 'Not in sync: waiting for you (' + waiting.join(', ') + ').';
  else if (unknown.length) {
    text = 'Not known to be in sync: the server does not know yet (' +
      unknown.map(function (f) { return f[1].toLowerCase(); }).join(', ') + ').';
  } else {
    text = 'In sync.';
    kind = 'in-sync';
  }
  var lines = [];
  if (round) {
    lines.push('Last sync by the server ' + serverModeDuration_(Math.max(0, now - round.atMs)) + ' ago: ' +
      round.sheetWrites + (round.sheetWrites === 1 ? ' change' : ' changes') + ' written to the sheet, ' +
      round.databaseWrites + (round.databaseWrites === 1 ? ' change' : ' changes') + ' to the database.');
  }
  if (status.lagMs !== null && status.lagMs !== undefined) {
    lines.push('Database changes reach the sheet after ' + serverModeDuration_(status.lagMs) + '.');
  }
  if (conflictCount > 0 && !(conflicts && conflicts.length)) {
    lines.push(conflictCount + (conflictCount === 1 ? ' conflict is' : ' conflicts are') +
      ' held on the server until someone settles them.');
  }
  if (heldDeletes > 0) {
    lines.push(heldDeletes + (heldDeletes === 1 ? ' row' : ' rows') + ' deleted in the sheet ' +
      (heldDeletes === 1 ? 'is' : 'are') + ' held back by the mass-delete guard and still in the database: ' +
      'undo the deletion in the sheet, or delete them in the database.');
  }
  if (backoff) {
    lines.push('Google\'s quota is spent: the server tries again in ' +
      serverModeDuration_(status.quotaBackoffUntilMs - now) + '.');
  }
  unknown.forEach(function (f) { lines.push(f[1] + ': not known yet.'); });
  return {
    text: text,
    kind: kind,
    inSync: kind === 'in-sync',
    lines: lines,
    rejects: rejects.map(function (r) {
      return 'Row ' + r.key + (r.column ? ', ' + r.column : '') + ': ' + r.message;
    }),
    owner: status.owner,
    conflicts: (conflicts || []).map(function (c) {
      return {
        key: c.key,
        column: c.column,
        where: 'Row with key ' + c.key + (c.column ? ', ' + c.column : ', whole row'),
        sheet: serverModeShown_(c.sheetValue),
        database: serverModeShown_(c.databaseValue),
        answered: c.answered,
      };
    }),
    poke: pokeFailure ? 'Your last edit could not reach the server: ' + pokeFailure.message : '',
  };
}

/** A held conflict's value as the sidebar shows it: text as is, "(empty)", "(deleted)". */
function serverModeShown_(value) {
  if (value === null || value === undefined) return '(deleted)';
  if (value === '') return '(empty)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The server's status of the active sheet's binding, for the sidebar (Api.js). The held
 * conflicts are asked for (a second call) only when the status counts some, or does not know
 * yet how many there are.
 */
function serverModeStatus_(sheetId) {
  var binding = storeBinding_(sheetId);
  if (!binding || binding.mode !== 'server') return null;
  var client = serverClient_(storeConnection_());
  var status = client.bindingStatus(binding.serverBinding);
  var unknown = status.conflicts === null || status.conflicts === undefined;
  var conflicts = unknown || status.conflicts > 0 ? client.bindingConflicts(binding.serverBinding) : [];
  return serverModeView_(status, storeGetJson_('poke.' + sheetId, null), Date.now(), conflicts);
}

/** Answers one held conflict ({key, column, choose: "sheet"|"database"}); the server's view after. */
function serverModeAnswer_(sheetId, answer) {
  var binding = storeBinding_(sheetId);
  if (!binding || binding.mode !== 'server') throw new Error('the server does not sync this sheet');
  if (answer.choose !== 'sheet' && answer.choose !== 'database') {
    throw new Error('a conflict is settled by "sheet" or "database", not "' + answer.choose + '"');
  }
  serverClient_(storeConnection_()).answerConflicts(binding.serverBinding, [
    { key: String(answer.key), column: answer.column || null, choose: answer.choose },
  ]);
  return serverModeStatus_(sheetId);
}
