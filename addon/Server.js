/**
 * The client for the sheetsync server's protocol v1 (core/src/wire.rs, docs/protocol.md):
 * list tables, read row pages, read changes since a cursor, push a batch, read a row at an
 * earlier version. Every call carries the document's bearer token; every failure becomes an
 * Error whose message a person can act on.
 */

/** Apps Script's UrlFetch waits about a minute at most; keep long-polls well under it. */
var SERVER_MAX_WAIT_SECONDS_ = 20;
/** Requests per UrlFetchApp.fetchAll: enough to save the round trips, few enough to fail small. */
var SERVER_FETCH_ALL_MAX_ = 50;

/**
 * The server URL without trailing slashes, or an Error saying why it cannot be used. Google
 * fetches only https URLs for a published add-on (its urlFetchWhitelist takes https prefixes)
 * and the sidebar, an https page, cannot call an http one. A server on this machine's
 * loopback (the playground, the emulator) is the one exception: Google's servers cannot reach
 * it at all, so nothing real ever goes over plain http.
 */
function serverCheckedUrl_(url) {
  var base = String(url || '').trim().replace(/\/+$/, '');
  var m = /^(https?):\/\/([^\/?#:]+|\[[^\]]+\])(:\d+)?(\/[^?#]*)?$/.exec(base);
  if (!m) {
    throw new Error('the server URL must look like https://sync.example.com (got "' + url + '")');
  }
  if (SHEETSYNC_SERVER_URL_ && base !== SHEETSYNC_SERVER_URL_) {
    throw new Error('this copy of sheetsync is made for the server ' + SHEETSYNC_SERVER_URL_ +
      ' (got "' + url + '"); ask for a copy made for the other server');
  }
  var loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(m[2]);
  if (m[1] === 'http' && !loopback) {
    throw new Error('the server URL must start with https:// (got "' + url + '"): Google ' +
      'fetches only https URLs for add-ons, and the sidebar cannot call an http server');
  }
  return base;
}

/**
 * A client for the server at `connection.url` with `connection.token`.
 * @param {{url: string, token: string}} connection
 */
function serverClient_(connection) {
  if (!connection || !connection.url) {
    throw new Error('sheetsync is not connected to a server yet: open the sidebar and connect');
  }
  var base = serverCheckedUrl_(connection.url);
  var token = connection.token || '';

  function request(method, path, body) {
    var options = {
      url: base + '/v1' + path,
      method: method,
      muteHttpExceptions: true,
      followRedirects: false,
      headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
    };
    if (body !== undefined) {
      options.contentType = 'application/json; charset=utf-8';
      options.payload = JSON.stringify(body);
    }
    return options;
  }

  function answer(response, method, path) {
    var status = response.getResponseCode();
    // Named, not left to the platform: the server speaks UTF-8 whatever its header says.
    var text = response.getContentText('UTF-8');
    if (status >= 200 && status < 300) {
      try {
        return text ? JSON.parse(text) : null;
      } catch (e) {
        throw new Error('the server at ' + base + ' answered ' + method + ' ' + path +
          ' with something that is not JSON');
      }
    }
    throw serverError_(status, text, method + ' ' + path);
  }

  function call(method, path, body) {
    var req = request(method, path, body);
    var response;
    try {
      response = UrlFetchApp.fetch(req.url, req);
    } catch (e) {
      throw new Error('cannot reach the sheetsync server at ' + base + ': ' + e.message);
    }
    return answer(response, method, path);
  }

  /** Several GETs at once (UrlFetchApp.fetchAll): their answers in order, null for a 404. */
  function getAll(paths) {
    var answers = [];
    for (var at = 0; at < paths.length; at += SERVER_FETCH_ALL_MAX_) {
      var some = paths.slice(at, at + SERVER_FETCH_ALL_MAX_);
      var responses;
      try {
        responses = UrlFetchApp.fetchAll(some.map(function (p) { return request('get', p); }));
      } catch (e) {
        throw new Error('cannot reach the sheetsync server at ' + base + ': ' + e.message);
      }
      responses.forEach(function (response, i) {
        answers.push(response.getResponseCode() === 404 ? null : answer(response, 'get', some[i]));
      });
    }
    return answers;
  }

  function q(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== null && params[k] !== undefined) {
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(String(params[k])));
      }
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  function tablePath(table) {
    return '/tables/' + encodeURIComponent(table);
  }

  function versionPath(table, key, version) {
    return tablePath(table) + '/rows/' + encodeURIComponent(key) + '/versions/' +
      encodeURIComponent(String(version));
  }

  return {
    /** GET /v1/tables: the tables this token may sync (a TableList). */
    listTables: function () {
      return call('get', '/tables');
    },
    /** GET /v1/tables/{t}/rows: one key-ordered page (a RowPage). */
    rows: function (table, after, limit) {
      return call('get', tablePath(table) + '/rows' + q({ after: after, limit: limit }));
    },
    /** GET /v1/tables/{t}/changes: changes after `cursor` (a ChangePage), waiting up to `wait` s. */
    changes: function (table, cursor, limit, wait) {
      var w = Math.max(0, Math.min(SERVER_MAX_WAIT_SECONDS_, wait || 0));
      return call('get', tablePath(table) + '/changes' +
        q({ cursor: cursor, limit: limit, wait: w || null }));
    },
    /** POST /v1/tables/{t}/push: a batch of row changes (a PushRequest → PushResponse). */
    push: function (table, request) {
      return call('post', tablePath(table) + '/push', request);
    },
    /**
     * GET /v1/tables/{t}/rows/{key}/versions/{version}: the row as it was at `version` (a
     * VersionedRow), or null when the server no longer keeps it.
     */
    rowAtVersion: function (table, key, version) {
      return getAll([versionPath(table, key, version)])[0];
    },
    /**
     * The same for many rows at once: [{key, version}] → their VersionedRows in order, null
     * where the server no longer keeps one. One fetchAll per 50 rows, not one fetch per row.
     */
    rowsAtVersions: function (table, wanted) {
      return getAll(wanted.map(function (w) { return versionPath(table, w.key, w.version); }));
    },
    /** POST /v1/tables/{t}/overrides: sheet values policies overrode (an OverrideReport). */
    reportOverrides: function (table, report) {
      return call('post', tablePath(table) + '/overrides', report);
    },
    /** POST /v1/bindings: hands a sheet to the server with its base ({id}). */
    handOver: function (handOver) {
      return call('post', '/bindings', handOver);
    },
    /** DELETE /v1/bindings/{id}: takes a sheet back with the server's base, cursor and held changes. */
    handBack: function (id) {
      return call('delete', '/bindings/' + encodeURIComponent(String(id)));
    },
    /**
     * POST /v1/bindings/{id}/poke: asks the server to read the sheet now (202), with the edit
     * ({keys, editedAtMs, author}) that prompted it, when there is one.
     */
    poke: function (id, edit) {
      return call('post', '/bindings/' + encodeURIComponent(String(id)) + '/poke', edit || {});
    },
    /** GET /v1/bindings/{id}: the server's view of a binding (last round, lag, conflicts, …). */
    bindingStatus: function (id) {
      return call('get', '/bindings/' + encodeURIComponent(String(id)));
    },
    /** GET /v1/bindings/{id}/conflicts: the conflicts the server holds for a person. */
    bindingConflicts: function (id) {
      return call('get', '/bindings/' + encodeURIComponent(String(id)) + '/conflicts').conflicts;
    },
    /** POST /v1/bindings/{id}/conflicts: answers [{key, column, choose}] for the server's next round (202). */
    answerConflicts: function (id, answers) {
      return call('post', '/bindings/' + encodeURIComponent(String(id)) + '/conflicts', { answers: answers });
    },
    /** POST /v1/tables/{t}/keys/order: the keys in the table's key order (its collation). */
    orderKeys: function (table, keys) {
      return call('post', tablePath(table) + '/keys/order', { keys: keys }).keys;
    },
  };
}

/** Turns an error response (an ErrorBody, or anything else) into an Error for people. */
function serverError_(status, text, what) {
  var body = null;
  try {
    body = JSON.parse(text);
  } catch (e) {
    body = null;
  }
  var message;
  if (body && body.message) {
    message = body.message + ' (' + (body.error || 'error') + ', HTTP ' + status + ')';
  } else if (status === 401) {
    message = 'the server refused the token (HTTP 401): check it in the sidebar';
  } else if (status === 403) {
    message = 'the token may not do this (HTTP 403): it needs read-write access to the table';
  } else {
    message = 'the server answered HTTP ' + status + ' to ' + what;
  }
  var error = new Error(message);
  error.status = status;
  error.code = body && body.error ? body.error : null;
  return error;
}
