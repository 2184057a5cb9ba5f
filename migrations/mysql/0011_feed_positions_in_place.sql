-- Change-log entries start with the feed position 0 instead of NULL. InnoDB stores a NULL
-- BIGINT in no bytes, so placing a NULL entry grows its record and rewrites it; placing a 0
-- overwrites 8 bytes in place, and the sequencer's UPDATE of a push's 1,000 entries takes
-- about half the time. 0 is never a position (they start at 1): an entry without one has 0.
--
-- The ALTER (a metadata change, no rewrite of the log) waits for every open transaction that
-- has touched the log, so once it is done no entry written with NULL is still uncommitted, and
-- the UPDATE gives the unplaced ones 0. An older instance placing entries meanwhile is harmless:
-- it places NULL entries, and entries it placed are no longer NULL.
ALTER TABLE sheetsync_changes ALTER COLUMN seq SET DEFAULT 0;
UPDATE sheetsync_changes SET seq = 0 WHERE seq IS NULL;
