-- Pushes look up the versions of many keys of one table at once (`table_id = $1 AND row_key
-- IN (...)`). With the key's columns in the order (table_id, row_key) the planner may read
-- every version row of the table and filter the keys afterwards, which it prefers whenever its
-- statistics are missing or stale (it then guesses that one table holds few rows). With the row
-- key first, the only index path is one lookup per key, whatever the statistics say.
ALTER TABLE sheetsync_row_versions DROP CONSTRAINT sheetsync_row_versions_pkey;
ALTER TABLE sheetsync_row_versions ADD PRIMARY KEY (row_key, table_id);
