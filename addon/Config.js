/**
 * The server this copy of the add-on is made for, or '' for the general project.
 * `scripts/addon-project` writes a copy with it set (and the manifest's urlFetchWhitelist to
 * match): the sidebar then offers it, and the add-on talks to no other server.
 */
var SHEETSYNC_SERVER_URL_ = '';
