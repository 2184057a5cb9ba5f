-- A counter bumped whenever a table is enabled or disabled, by any process (the CLI or any
-- server instance). Every instance already reads this row every few milliseconds to learn the
-- feed's last position; reading the counter with it lets each instance re-read its catalog as
-- soon as the set of synced tables changes, instead of at its next slow refresh.
ALTER TABLE sheetsync_feed_state ADD COLUMN tables_version BIGINT NOT NULL DEFAULT 0;
