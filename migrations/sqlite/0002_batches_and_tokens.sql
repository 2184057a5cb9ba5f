-- Pushed batches with the answer that was given, so a retried batch is answered again
-- instead of applied twice. `response` is NULL only inside the pushing transaction.
CREATE TABLE sheetsync_batches (
    batch_id      TEXT NOT NULL PRIMARY KEY,
    table_id      BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    response      TEXT NULL
);

-- Bearer tokens. Only the SHA-256 of the secret is stored; the secret is shown once.
-- `tables` is a comma-separated list of table names, or `*` for every enabled table.
CREATE TABLE sheetsync_tokens (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    secret_sha256  TEXT NOT NULL UNIQUE,
    tables         TEXT NOT NULL,
    can_write      BIGINT NOT NULL,
    created_at_ms  BIGINT NOT NULL,
    revoked_at_ms  BIGINT NULL
);
