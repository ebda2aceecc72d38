package org.xp2p.affinity;

import org.xp2p.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.testkit.Poll.await;
import static org.xp2p.affinity.ClusterTestSupport.base;
import static org.xp2p.affinity.ClusterTestSupport.get;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/**
 * Database membership in a real host, on a real H2 database handed over as the membership pool.
 * When the node loses the database its view expires and it answers 503 instead of serving streams
 * another node may be pulling; when the database is back it serves again.
 */
class DatabaseClusterTest {
    @TempDir
    Path tmp;

    private Host host;
    private JdbcDataSource h2;

    @AfterEach
    void stop() throws Exception {
        if (host != null) {
            host.stop();
        }
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    @Test
    void noLiveMemberAnswers503AndTheNodeRecovers() throws Exception {
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:cluster-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        ClusterTestSupport.applySchema(h2, "h2");
        AtomicBoolean cut = new AtomicBoolean();
        int port = ClusterTestSupport.freePorts(1).get(0);
        host = ClusterTestSupport.startHost(port, tmp, Map.of(
                "xp2p.cluster.membership", "database",
                "xp2p.cluster.self", base(port),
                "xp2p.cluster.heartbeatMillis", "50",
                "xp2p.cluster.missedBeats", "3"),
                Map.of("xp2p.cluster.dataSource", ClusterTestSupport.severable(h2, cut)));
        String url = base(port) + "/live/cam1.flv";
        assertTrue(servedHere(url, base(port)), "the only member serves its streams");

        cut.set(true);
        await("the node's view expires", 5_000, () -> !servedHere(url, base(port)));
        HttpResponse<String> refused = get(url);
        assertEquals(503, refused.statusCode());
        assertTrue(refused.body().contains("\"error\":\"no_live_member\""), refused.body());
        assertEquals("application/json", refused.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertFalse(get(base(port) + "/xp2p/health").body().contains("no_live_member"),
                "requests without a stream still pass");

        cut.set(false);
        await("the node serves again", 5_000, () -> servedHere(url, base(port)));

        host.stop();
        host = null;
        try (Connection c = h2.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT COUNT(*) FROM xp2p_cluster_node")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "a clean shutdown removes the node's row");
        }
    }

    /** Passed on to the relay by the affinity filter of {@code node} (whatever the relay then answers). */
    private static boolean servedHere(String url, String node) {
        try {
            return get(url).headers().firstValue("X-Xp2p-Node").filter(node::equals).isPresent();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

}
