-- The Drive push-notification channels open on server-mode bindings' spreadsheets
-- (files.watch). In the database, not in memory, so a notification that reaches any instance
-- finds the channel's binding and its secret token's SHA-256 and wakes the binding's owner. The owner
-- opens, renews and stops its bindings' channels; a row stays only while its channel may
-- still send.
CREATE TABLE sheetsync_drive_channels (
    channel_id     VARCHAR(64) NOT NULL PRIMARY KEY,
    binding_id     BIGINT NOT NULL,
    secret_sha256  VARCHAR(64) NOT NULL,
    resource_id    TEXT NOT NULL,
    expires_at_ms  BIGINT NOT NULL,
    opened_by      TEXT NOT NULL
);
CREATE INDEX sheetsync_drive_channels_binding ON sheetsync_drive_channels (binding_id);
