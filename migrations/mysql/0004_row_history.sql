-- Row history. A row's past on the database's side is its change-log entries: this index
-- reads one row's entries without scanning the table's whole log.
--
-- On the sheet's side, the values a conflict policy overrode (the sheet's edit under
-- database-wins, say) never reach the database; the add-on reports them and they are kept here,
-- pruned with the change log (older than its retention time, beyond the newest entries it
-- keeps). `report_id` is chosen by the client, so a report sent again stores nothing twice.
-- `losing_value` and `winning_value` are wire values as JSON text (a whole row as an array when
-- `column_name` is NULL).
CREATE INDEX sheetsync_changes_row ON sheetsync_changes (table_id, row_key(191), id);

CREATE TABLE sheetsync_overrides (
    id               BIGINT AUTO_INCREMENT PRIMARY KEY,
    table_id         BIGINT NOT NULL,
    report_id        VARCHAR(191) NOT NULL,
    row_key          VARCHAR(255) NOT NULL,
    column_name      VARCHAR(255) NULL,
    losing_value     LONGTEXT NOT NULL,
    winning_value    LONGTEXT NOT NULL,
    policy           VARCHAR(32) NOT NULL,
    edited_at_ms     BIGINT NULL,
    author           VARCHAR(255) NULL,
    database_version BIGINT NOT NULL,
    origin           VARCHAR(191) NOT NULL,
    reported_at_ms   BIGINT NOT NULL,
    UNIQUE KEY sheetsync_overrides_report (table_id, report_id),
    KEY sheetsync_overrides_row (table_id, row_key, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
