// Loaded after the add-on's files: the server's key-order route cannot be reached, so a test
// can watch new rows keep their commit order while the sync itself goes on.
function syncKeyOrderAsk_() {
  throw new Error('cannot reach the sheetsync server: key order unavailable');
}
