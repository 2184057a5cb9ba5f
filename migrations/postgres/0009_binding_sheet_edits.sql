-- When, and by whom, rows of a server-mode binding's sheet were edited, as the add-on's poke
-- tells (the Sheets API says neither). Kept per row key, the latest edit only, until the
-- owner's round that reads those rows uses them for latest-wins and the history; that round
-- deletes the ones it used in the same transaction as its fenced state save. In the database,
-- not in memory, so a poke taken by any instance reaches the owner with its times.
CREATE TABLE sheetsync_binding_edits (
    binding_id    BIGINT NOT NULL,
    row_key       TEXT NOT NULL,
    edited_at_ms  BIGINT NOT NULL,
    author        TEXT NULL,
    PRIMARY KEY (binding_id, row_key)
);
