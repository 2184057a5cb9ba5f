-- Manual conflicts settled through the protocol, and pokes that reach the binding's owner.
--
-- `held_conflicts` is what the binding's owner holds for a person after its last round (JSON:
-- key, column, both sides' values, the base value where known, since when), written with the
-- round state under the lease, so any instance can list them.
ALTER TABLE sheetsync_binding_state ADD COLUMN held_conflicts TEXT NULL;

-- A person's answers to held conflicts (JSON: key, column, the side to keep, and the values
-- the conflict held when answered), waiting for the owner's next round. The owner deletes
-- the ones it read in the same transaction as its fenced state save.
CREATE TABLE sheetsync_binding_answers (
    id              BIGSERIAL PRIMARY KEY,
    binding_id      BIGINT NOT NULL,
    answer          TEXT NOT NULL,
    answered_at_ms  BIGINT NOT NULL
);

-- A request to read the sheet now, made on an instance that does not own the binding; the
-- owner clears it when it wakes its task.
ALTER TABLE sheetsync_bindings ADD COLUMN wake_requested_at_ms BIGINT NULL;

-- Bumped with each such request. Every instance reads it in the statement that reads the
-- feed's last position on each sequencer tick, as it does `tables_version`, so the owner
-- learns of a request within a tick with no extra polling query.
ALTER TABLE sheetsync_feed_state ADD COLUMN bindings_version BIGINT NOT NULL DEFAULT 0;
