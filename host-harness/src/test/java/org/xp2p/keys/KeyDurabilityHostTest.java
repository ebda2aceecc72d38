package org.xp2p.keys;

import org.xp2p.testkit.Poll;
import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.keys.KeyHttp.assertError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/**
 * Keys are durable, the database is released on undeploy (a redeploy in the same JVM opens the
 * same H2 files), background threads stop, expired rows are purged, and an unreachable store is
 * answered with 503.
 */
class KeyDurabilityHostTest {
    @TempDir
    Path data;
    private final TestClock clock = TestClock.startingNow();
    private Host host;
    private Server h2;

    @AfterEach
    void stop() throws Exception {
        if (host != null) {
            host.stop();
        }
        if (h2 != null) {
            h2.stop();
        }
    }

    private Host startHost(Object... settings) throws Exception {
        Host.Builder b = Host.builder().port(0).setting("xp2p.data", data).attribute("xp2p.clock", clock);
        for (int i = 0; i < settings.length; i += 2) {
            b.setting((String) settings[i], settings[i + 1]);
        }
        return b.build().start();
    }

    @Test
    void keysSurviveRedeployInTheSameJvmAndThreadsStop() throws Exception {
        host = startHost();
        Map<String, String> issued = new KeyHttp(host.baseUri()).issue();
        assertTrue(Files.exists(data.resolve("xp2p.mv.db")), "embedded H2 database under xp2p.data");
        assertTrue(threadAlive("xp2p-key-purge"));
        host.stop();
        host = null;
        // a terminated pool's worker finishes exiting just after awaitTermination returns
        Poll.await("purger thread stopped at undeploy", 2_000, () -> !threadAlive("xp2p-key-purge"));
        Poll.await("pool closed at undeploy", 2_000, () -> !threadAlive("xp2p-db housekeeper"));

        for (int round = 0; round < 2; round++) {
            host = startHost();   // would fail with an H2 file-lock error if the old pool were still open
            KeyHttp http = new KeyHttp(host.baseUri());
            assertEquals(Map.of("key", issued.get("key")), KeyHttp.json(http.get(issued.get("code"))));
            host.stop();
            host = null;
        }
    }

    @Test
    void unreachableStoreIs503AndRecovers() throws Exception {
        h2 = Server.createTcpServer("-tcpPort", "0", "-baseDir", data.toString(), "-ifNotExists").start();
        String url = "jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/keys";
        host = startHost("xp2p.jdbc.url", url, "xp2p.jdbc.connectionTimeoutMillis", 500);
        KeyHttp http = new KeyHttp(host.baseUri());
        String code = http.issue().get("code");
        int port = h2.getPort();
        h2.stop();

        assertError(http.get(code), 503, "unavailable");
        assertError(http.post(), 503, "unavailable");

        h2 = Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", data.toString(), "-ifNotExists").start();
        Poll.await("the pool reconnects once the database is back", 20_000, () -> http.get(code).statusCode() == 200);
    }

    @Test
    void expiredRowsArePurgedInTheBackground() throws Exception {
        h2 = Server.createTcpServer("-tcpPort", "0", "-baseDir", data.toString(), "-ifNotExists").start();
        String url = "jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/keys";
        host = startHost("xp2p.jdbc.url", url, "xp2p.key.ttlSeconds", 60, "xp2p.key.purgeSeconds", 1,
                "xp2p.key.purgeBatch", 2, "xp2p.key.burst", 100);
        KeyHttp http = new KeyHttp(host.baseUri());
        for (int i = 0; i < 5; i++) {
            http.issue();
        }
        clock.advance(Duration.ofSeconds(30));
        String live = http.issue().get("code");
        try (Connection c = h2DataSource(url).getConnection()) {
            assertEquals(6, count(c));
            clock.advance(Duration.ofSeconds(31));   // the first five expired, the last one has 29 s left
            Poll.await("the five expired rows purged", 20_000, () -> count(c) == 1);
        }
        assertEquals(200, http.get(live).statusCode());
    }

    /** Not DriverManager: the webapp may have initialised it, registering only its own drivers. */
    private static org.h2.jdbcx.JdbcDataSource h2DataSource(String url) {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(url);
        return ds;
    }

    private static long count(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM xp2p_keys")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
