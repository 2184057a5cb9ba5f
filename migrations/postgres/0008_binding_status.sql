-- What a binding's owner last reported about it (JSON: the last round's time, outcome and
-- error, the lag, the conflicts held, the rows rejected, the deletions the mass-delete guard
-- holds back, the quota back-off), saved under the lease after every round, so every
-- instance answers `GET /v1/bindings/{id}` with the same status. All three columns are NULL
-- until the binding's first round: nothing is known then.
ALTER TABLE sheetsync_binding_state ADD COLUMN round_status TEXT NULL;
ALTER TABLE sheetsync_binding_state ADD COLUMN status_saved_at_ms BIGINT NULL;
ALTER TABLE sheetsync_binding_state ADD COLUMN status_saved_by TEXT NULL;
