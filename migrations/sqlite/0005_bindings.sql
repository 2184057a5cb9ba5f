-- Server-mode bindings: a sheet of a Google spreadsheet kept in sync with one table by the
-- server itself, through the Sheets API. `policies` is the binding's conflict policies as
-- JSON ({"default": "database-wins", "columns": {...}}). A binding is never synced while
-- `paused` is 1.
--
-- The lease lets many server instances share the bindings, one owner at a time: an instance
-- takes a binding whose lease is free or expired, and each takeover raises `lease_epoch`.
-- Every save of the binding's state checks the epoch under the binding row's lock, so an
-- owner whose lease was taken over can no longer write anything.
CREATE TABLE sheetsync_bindings (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    spreadsheet_id       TEXT NOT NULL,
    sheet_name           TEXT NOT NULL,
    table_name           TEXT NOT NULL,
    policies             TEXT NOT NULL,
    paused               BIGINT NOT NULL,
    created_at_ms        BIGINT NOT NULL,
    lease_owner          TEXT NULL,
    lease_expires_at_ms  BIGINT NULL,
    lease_epoch          BIGINT NOT NULL,
    UNIQUE (spreadsheet_id, sheet_name)
);

-- What the server keeps for a binding between rounds: the core's round state as JSON (the
-- base, the database changes held for the next round, the batch in flight) and the feed
-- cursor it is consistent with (NULL before the first sync).
CREATE TABLE sheetsync_binding_state (
    binding_id     BIGINT NOT NULL PRIMARY KEY,
    round_state    TEXT NOT NULL,
    feed_cursor    TEXT NULL,
    updated_at_ms  BIGINT NOT NULL
);
