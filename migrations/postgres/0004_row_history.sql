-- Row history. A row's past on the database's side is its change-log entries: this index
-- reads one row's entries without scanning the table's whole log.
--
-- On the sheet's side, the values a conflict policy overrode (the sheet's edit under
-- database-wins, say) never reach the database; the add-on reports them and they are kept here,
-- pruned with the change log (older than its retention time, beyond the newest entries it
-- keeps). `report_id` is chosen by the client, so a report sent again stores nothing twice.
-- `losing_value` and `winning_value` are wire values as JSON text (a whole row as an array when
-- `column_name` is NULL).
CREATE INDEX sheetsync_changes_row ON sheetsync_changes (table_id, row_key, id);

CREATE TABLE sheetsync_overrides (
    id               BIGSERIAL PRIMARY KEY,
    table_id         BIGINT NOT NULL,
    report_id        TEXT NOT NULL,
    row_key          TEXT NOT NULL,
    column_name      TEXT NULL,
    losing_value     TEXT NOT NULL,
    winning_value    TEXT NOT NULL,
    policy           TEXT NOT NULL,
    edited_at_ms     BIGINT NULL,
    author           TEXT NULL,
    database_version BIGINT NOT NULL,
    origin           TEXT NOT NULL,
    reported_at_ms   BIGINT NOT NULL,
    UNIQUE (table_id, report_id)
);
CREATE INDEX sheetsync_overrides_row ON sheetsync_overrides (table_id, row_key, id);
