package org.xp2p.affinity;

import org.xp2p.common.NamedThreads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership through a table in the database all nodes share ({@code xp2p_cluster_node}, see
 * {@code sql/<dialect>/V2__cluster_nodes.sql}).
 *
 * <p>Every heartbeat this node stamps its row with the <em>database's</em> clock and reads all
 * rows together with the database's current time, so member ages never depend on clock skew
 * between nodes. A member is live while its age is at most {@code heartbeat x missedBeats}.
 * Ages are aged further by this node's clock between reads, so when the database cannot be read
 * the view empties itself after the same window instead of trusting a stale list: a node that
 * cannot see the cluster answers 503 rather than pulling a stream another node may be pulling.
 *
 * <p>Runs in one named daemon thread; {@link #close()} stops it and deletes this node's row so
 * that its streams move at once on a clean shutdown.
 */
public final class DatabaseMembership implements Membership {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMembership.class);
    /** Rows older than this many live windows are deleted (nodes that crashed long ago). */
    static final int PURGE_AFTER_WINDOWS = 100;

    private record Row(ClusterNode node, long ageMillis) {
    }

    /** The last successful read: rows with their ages at {@code readAtMillis} (this node's clock). */
    private record View(List<Row> rows, long readAtMillis) {
    }

    private final DataSource dataSource;
    private final ClusterNode self;
    private final long heartbeatMillis;
    private final long windowMillis;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private volatile View view;
    private Set<String> lastLogged = new TreeSet<>();
    private boolean failing;

    public DatabaseMembership(DataSource dataSource, ClusterNode self, long heartbeatMillis, int missedBeats,
                              Clock clock) {
        this.dataSource = dataSource;
        this.self = self;
        this.heartbeatMillis = heartbeatMillis;
        this.windowMillis = heartbeatMillis * missedBeats;
        this.clock = clock;
        this.view = new View(List.of(), clock.millis());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("xp2p-cluster-membership"));
    }

    /** Beats once synchronously (so this node is in its own view when start returns), then every heartbeat. */
    public DatabaseMembership start() {
        tick();
        scheduler.scheduleWithFixedDelay(this::tick, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public List<ClusterNode> live() {
        View v = view;
        long elapsed = Math.max(0, clock.millis() - v.readAtMillis());
        List<ClusterNode> out = new ArrayList<>(v.rows().size());
        for (Row row : v.rows()) {
            if (row.ageMillis() + elapsed <= windowMillis) {
                out.add(row.node());
            }
        }
        return out;
    }

    @Override
    public ClusterNode self() {
        return self;
    }

    /** One heartbeat: stamp own row, read all rows, log what changed. Never throws. */
    void tick() {
        try (Connection c = dataSource.getConnection()) {
            beat(c);
            view = read(c);
            if (failing) {
                LOG.info("cluster node {}: membership database reachable again", self);
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                LOG.warn("cluster node {}: cannot beat or read membership (view expires after {} ms): {}",
                        self, windowMillis, e.toString());
                failing = true;
            }
        }
        logChanges();
    }

    private void beat(Connection c) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE xp2p_cluster_node SET base_url = ?, beat_at = CURRENT_TIMESTAMP WHERE node_id = ?")) {
            update.setString(1, self.baseUrl().toString());
            update.setString(2, self.id());
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO xp2p_cluster_node"
                + " (node_id, base_url, started_at, beat_at) VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
            insert.setString(1, self.id());
            insert.setString(2, self.baseUrl().toString());
            insert.executeUpdate();
        }
    }

    private View read(Connection c) throws SQLException {
        List<Row> rows = new ArrayList<>();
        OffsetDateTime dbNow = null;
        try (PreparedStatement select = c.prepareStatement(
                "SELECT node_id, base_url, beat_at, CURRENT_TIMESTAMP AS db_now FROM xp2p_cluster_node");
             ResultSet rs = select.executeQuery()) {
            long readAt = clock.millis();
            while (rs.next()) {
                dbNow = rs.getObject("db_now", OffsetDateTime.class);
                OffsetDateTime beatAt = rs.getObject("beat_at", OffsetDateTime.class);
                long age = Math.max(0, ChronoUnit.MILLIS.between(beatAt, dbNow));
                try {
                    rows.add(new Row(ClusterNode.parse("xp2p_cluster_node.base_url", rs.getString("base_url")), age));
                } catch (RuntimeException bad) {
                    LOG.warn("cluster node {}: ignoring member row {} with a bad base URL: {}",
                            self, rs.getString("node_id"), bad.getMessage());
                }
            }
            rows.sort(Comparator.comparing(r -> r.node().id()));
            purge(c, dbNow);
            return new View(List.copyOf(rows), readAt);
        }
    }

    private void purge(Connection c, OffsetDateTime dbNow) throws SQLException {
        if (dbNow == null) {
            return;
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM xp2p_cluster_node WHERE beat_at < ?")) {
            delete.setObject(1, dbNow.minus(windowMillis * PURGE_AFTER_WINDOWS, ChronoUnit.MILLIS));
            int n = delete.executeUpdate();
            if (n > 0) {
                LOG.info("cluster node {}: purged {} member rows silent for more than {} ms",
                        self, n, windowMillis * PURGE_AFTER_WINDOWS);
            }
        }
    }

    private void logChanges() {
        Set<String> now = new TreeSet<>();
        live().forEach(n -> now.add(n.id()));
        for (String id : now) {
            if (!lastLogged.contains(id)) {
                LOG.info("cluster node {}: member {} joined; live members {}", self, id, now);
            }
        }
        for (String id : lastLogged) {
            if (!now.contains(id)) {
                LOG.info("cluster node {}: member {} left; live members {}", self, id, now);
            }
        }
        lastLogged = now;
    }

    /** Stops beating and deletes this node's row so the others drop it at their next refresh. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM xp2p_cluster_node WHERE node_id = ?")) {
            delete.setString(1, self.id());
            delete.executeUpdate();
            LOG.info("cluster node {}: left the cluster (row deleted)", self);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("cluster node {}: could not delete own member row; others drop it after {} ms: {}",
                    self, windowMillis, e.toString());
        }
    }
}
