/**
 * The client for the sheetsync server's protocol v1 (core/src/wire.rs, docs/protocol.md):
 * list tables, read row pages, read changes since a cursor, push a batch, read a row at an
 * earlier version. Every call carries the document's bearer token; every failure becomes an
 * Error whose message a person can act on.
 */

/** Apps Script's UrlFetch waits about a minute at most; keep long-polls well under it. */
var SERVER_MAX_WAIT_SECONDS_ = 20;

/**
 * A client for the server at `connection.url` with `connection.token`.
 * @param {{url: string, token: string}} connection
 */
function serverClient_(connection) {
  if (!connection || !connection.url) {
    throw new Error('sheetsync is not connected to a server yet: open the sidebar and connect');
  }
  var base = String(connection.url).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) {
    throw new Error('the server URL must start with https:// (got "' + connection.url + '")');
  }
  var token = connection.token || '';

  function call(method, path, body) {
    var options = {
      method: method,
      muteHttpExceptions: true,
      followRedirects: false,
      headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
    };
    if (body !== undefined) {
      options.contentType = 'application/json';
      options.payload = JSON.stringify(body);
    }
    var url = base + '/v1' + path;
    var response;
    try {
      response = UrlFetchApp.fetch(url, options);
    } catch (e) {
      throw new Error('cannot reach the sheetsync server at ' + base + ': ' + e.message);
    }
    var status = response.getResponseCode();
    var text = response.getContentText();
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
      try {
        return call('get', tablePath(table) + '/rows/' + encodeURIComponent(key) + '/versions/' +
          encodeURIComponent(String(version)));
      } catch (e) {
        if (e.status === 404) return null;
        throw e;
      }
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
