'use strict';
// Reads the server's change feed directly, as a witness that the add-on wrote nothing.

/** The add-on's stored feed cursor for the active sheet. */
async function addonCursor(emu) {
  const conn = await emu.run('sidebarConnection');
  return conn ? conn.cursor : null;
}

/** One page of changes on `table` after `cursor`, without waiting: { changes, cursor }. */
async function changePage(stack, table, cursor) {
  const url = `${stack.url}/v1/tables/${encodeURIComponent(table)}/changes?cursor=${encodeURIComponent(cursor)}&limit=1000&wait=0`;
  const res = await fetch(url, { headers: { Authorization: `Bearer ${stack.token}` } });
  const body = await res.json();
  if (!res.ok) throw new Error(`changes answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Every change on `table` after `cursor`. */
async function changesSince(stack, table, cursor) {
  return (await changePage(stack, table, cursor)).changes;
}

/**
 * The feed's end once it is quiet: reads on from `cursor` until two reads a moment apart
 * find nothing new (the server stamps commits into the feed shortly after they happen).
 */
async function quietCursor(stack, table, cursor) {
  let quiet = 0;
  while (quiet < 2) {
    const page = await changePage(stack, table, cursor);
    cursor = page.cursor;
    quiet = page.changes.length ? 0 : quiet + 1;
    await new Promise((r) => setTimeout(r, 150));
  }
  return cursor;
}

module.exports = { addonCursor, changesSince, quietCursor };
