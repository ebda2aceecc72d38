-- Cluster membership (affinity): one row per node, stamped with the database clock every heartbeat.
-- A node is live while CURRENT_TIMESTAMP - beat_at <= heartbeatMillis x missedBeats.
CREATE TABLE xp2p_cluster_node (
    node_id    VARCHAR(512)             NOT NULL PRIMARY KEY,
    base_url   VARCHAR(512)             NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    beat_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
