/**
 * Rows the change feed brings are appended in the table's key order, as a first copy would
 * give them. The core orders numeric keys by value itself; for any other key only the
 * database knows its collation (case and accent rules differ by database and by column), so
 * when more than one such row is appended in a round the server is asked for their order
 * (POST /v1/tables/{t}/keys/order). If it cannot answer, the rows keep commit order: a
 * warning is logged and the sync goes on.
 */

/** SQL kinds of key the core orders by value (core/src/plan/key_order.rs). */
var KEY_ORDER_BY_VALUE_ = { int: true, decimal: true, float: true };
/** The most keys one request orders (the server's limit). */
var KEY_ORDER_MAX_ = 10000;

/** Reorders plan.sheetEdits.appends in the table's key order where the core could not. */
function syncKeyOrderAppends_(ctx, input, plan) {
  var appends = plan.sheetEdits.appends;
  var key = ctx.schema.columns.filter(function (c) { return c.primary_key; })[0];
  if (appends.length < 2 || appends.length > KEY_ORDER_MAX_ || !key || KEY_ORDER_BY_VALUE_[key.sql_type.kind]) return;
  var at = input.sheet.headers.map(function (h) { return String(h).trim(); }).indexOf(key.name);
  if (at < 0) return;
  var keys = appends.map(function (row) { return String(row[at]); });
  var ordered;
  try {
    ordered = syncKeyOrderAsk_(ctx, keys);
  } catch (e) {
    console.warn('sheetsync: ordering ' + keys.length + ' new rows by the table\'s key failed; they keep the order they were changed in: ' + e.message);
    return;
  }
  var rowsOf = {};
  appends.forEach(function (row, i) { (rowsOf[keys[i]] = rowsOf[keys[i]] || []).push(row); });
  var out = [];
  ordered.forEach(function (k) {
    var rows = rowsOf[k];
    if (rows && rows.length) out.push(rows.shift());
  });
  // An answer that does not hold every key exactly once is not used.
  if (out.length !== appends.length) {
    console.warn('sheetsync: the server ordered ' + out.length + ' of ' + appends.length + ' new rows; they keep the order they were changed in');
    return;
  }
  plan.sheetEdits.appends = out;
}

/** The server's order of `keys` (its key column's ORDER BY). */
function syncKeyOrderAsk_(ctx, keys) {
  return ctx.client.orderKeys(ctx.schema.name, keys);
}
