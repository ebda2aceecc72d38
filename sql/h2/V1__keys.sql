-- xp2p schema version 1 (H2): the key service's store.
-- Applied once by org.xp2p.store.SchemaMigrator, recorded in xp2p_schema_version.
-- Statements end with ';' at the end of a line; lines starting with '--' are comments.

-- One row per issued code. Times are Unix epoch milliseconds from the plugin's Clock, so expiry is
-- decided by the plugin (and tests can move time), not by the database server's clock.
CREATE TABLE IF NOT EXISTS xp2p_keys (
    code        CHAR(36)             NOT NULL PRIMARY KEY,
    stream_key  BINARY VARYING(64)   NOT NULL,
    created_at  BIGINT               NOT NULL,
    expires_at  BIGINT               NOT NULL
);

-- The purger deletes by expiry in bounded batches.
CREATE INDEX IF NOT EXISTS xp2p_keys_expires_at ON xp2p_keys (expires_at);
