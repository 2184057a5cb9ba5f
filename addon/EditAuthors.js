/**
 * Who made the sheet's edits, so a sheet value a conflict policy overrides carries its author.
 *
 * onEdit records, per row key, the editor's email with the edit time it goes with (the edit
 * times themselves live in the 'edits' block, Store.js). The email is the event's `user`,
 * which Google fills only where its rules allow (the trigger's owner, or someone in the
 * owner's Workspace domain; blank otherwise): a blank email is never stored, so that row's
 * latest edit has no author and the override says the author is unknown. An author counts
 * only for the edit time it was recorded with; once that time is gone the entry is dropped.
 */

/** The recorded authors of one sheet: {rowKey: {by: email, at: ms}}. */
function editAuthors_(sheetId) {
  var text = storeReadBlock_(sheetId, 'editors');
  return text ? JSON.parse(text) : {};
}

/**
 * Records `user` (an event's User, or null) as the author of the rows whose edit time in
 * `times` is `at`, and forgets authors whose edit time is gone. Writes only on a change.
 */
function editAuthorsRecord_(sheetId, times, at, user) {
  var email = editAuthorsEmailOf_(user);
  var authors = editAuthors_(sheetId);
  var changed = false;
  Object.keys(authors).forEach(function (key) {
    if (times[key] !== authors[key].at) {
      delete authors[key];
      changed = true;
    }
  });
  Object.keys(times).forEach(function (key) {
    if (times[key] !== at) return;
    if (email) {
      authors[key] = { by: email, at: at };
      changed = true;
    } else if (authors[key]) {
      delete authors[key];
      changed = true;
    }
  });
  if (!changed) return;
  var text = Object.keys(authors).length ? JSON.stringify(authors) : '';
  storeWriteBlock_(sheetId, 'editors', text);
}

/** The author of the edit of `key` made at `at` (ms), or null when unknown. */
function editAuthorOf_(authors, key, at) {
  var a = authors[String(key)];
  return a && at !== null && at !== undefined && a.at === at ? a.by : null;
}

/** A User's email, or '' where Google gives none (or the event carries no user). */
function editAuthorsEmailOf_(user) {
  if (!user) return '';
  try {
    return String(user.getEmail() || '');
  } catch (e) {
    return '';
  }
}
