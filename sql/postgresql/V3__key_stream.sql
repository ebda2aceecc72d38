-- xp2p schema version 3 (PostgreSQL): codes bound to one stream.
-- Applied once by org.xp2p.store.SchemaMigrator, recorded in xp2p_schema_version.
-- Statements end with ';' at the end of a line; lines starting with '--' are comments.

-- POST /code?xresid=R stores R here; such a code opens stream R only (its stream, init, chunks and
-- the join of its room). NULL: a code for any stream, as issued before this version.
-- 128 = StreamAddress.MAX_ID_LENGTH.
ALTER TABLE xp2p_keys ADD COLUMN IF NOT EXISTS stream_id VARCHAR(128);
