-- xp2p schema version 2 (H2): cluster membership (org.xp2p.affinity.DatabaseMembership).
-- Applied once by org.xp2p.store.SchemaMigrator, recorded in xp2p_schema_version.
-- One row per node, stamped with the database's clock every heartbeat, so member ages never depend
-- on the nodes' clocks. A node is live while CURRENT_TIMESTAMP - beat_at <= heartbeatMillis x
-- missedBeats; a node deletes its row at clean shutdown.
CREATE TABLE IF NOT EXISTS xp2p_cluster_node (
    node_id    VARCHAR(512)             NOT NULL PRIMARY KEY,
    base_url   VARCHAR(512)             NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    beat_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
