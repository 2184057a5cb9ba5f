-- sheetsync's own tables on MySQL / MariaDB.
--
-- The change log is written by the triggers the server installs on each synced table. A row's
-- log id is the row's version; `seq` is the feed position, stamped later in commit order by the
-- sequencer (see feed_state), because ids are handed out at insert time and transactions commit
-- out of order.

-- Tables enabled for sync. The id (not the name) goes into the log, so trigger bodies never
-- carry a quoted name; the fingerprint tells when the columns changed and triggers must be
-- generated again.
CREATE TABLE sheetsync_tables (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(191) NOT NULL UNIQUE,
    enabled     BIGINT NOT NULL DEFAULT 1,
    fingerprint VARCHAR(64) NOT NULL DEFAULT ''
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One entry per row change, by any writer. `row_image` is a JSON array of the new cells as text,
-- in column order (NULL for a delete). `origin` is the push's origin tag, NULL for other writers.
CREATE TABLE sheetsync_changes (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    table_id      BIGINT NOT NULL,
    row_key       TEXT NOT NULL,
    op            CHAR(1) NOT NULL,
    row_image     LONGTEXT NULL,
    origin        VARCHAR(191) NULL,
    changed_at_ms BIGINT NOT NULL,
    seq           BIGINT NULL,
    KEY sheetsync_changes_feed (table_id, seq),
    KEY sheetsync_changes_unstamped (seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The latest version of every row ever changed. Kept when the log is compacted, so a row's
-- version only grows even after its log entries are gone. Locking this row serializes
-- compare-and-set pushes with the triggers of other writers.
CREATE TABLE sheetsync_row_versions (
    table_id BIGINT NOT NULL,
    row_key  VARCHAR(255) NOT NULL,
    version  BIGINT NOT NULL,
    PRIMARY KEY (table_id, row_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The sequencer's state: the last feed position handed out, and how far compaction has deleted
-- the log (a cursor below it has lost changes and must resync). Exactly one row; locking it
-- serializes stamping across server instances.
CREATE TABLE sheetsync_feed_state (
    id            INT PRIMARY KEY,
    last_seq      BIGINT NOT NULL,
    compacted_seq BIGINT NOT NULL
) ENGINE = InnoDB;
INSERT INTO sheetsync_feed_state (id, last_seq, compacted_seq) VALUES (1, 0, 0);
