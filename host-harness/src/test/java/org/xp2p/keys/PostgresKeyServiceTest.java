package org.xp2p.keys;

import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.xp2p.keys.KeyHttp.assertError;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.xp2p.host.Host;

/**
 * Two nodes on one real PostgreSQL ({@code XP2P_TEST_PG_URL}, .ci/postgres-start) see each other's
 * keys and keep them across restarts. Each run uses a schema of its own, dropped afterwards.
 */
@Tag("real")
class PostgresKeyServiceTest {
    private static final String URL = System.getenv().getOrDefault("XP2P_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:55432/xp2p");

    @TempDir
    Path data;
    private final String schema = "xp2p_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final TestClock clock = TestClock.startingNow();
    private final List<Host> hosts = java.util.Collections.synchronizedList(new ArrayList<>());
    private PGSimpleDataSource admin;

    @BeforeEach
    void createSchema() {
        admin = new PGSimpleDataSource();
        admin.setURL(URL);
        admin.setUser("xp2p");
        admin.setPassword("xp2p");
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            fail("PostgreSQL at " + URL + " is unreachable (" + e.getMessage() + "); run .ci/postgres-start");
        }
    }

    @AfterEach
    void stopAndDrop() throws Exception {
        for (Host h : List.copyOf(hosts)) {
            h.stop();
        }
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private Host node(String name) throws Exception {
        Host h = Host.builder().port(0).setting("xp2p.data", data.resolve(name))
                .setting("xp2p.jdbc.url", URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema)
                .setting("xp2p.jdbc.user", "xp2p").setting("xp2p.jdbc.password", "xp2p")
                .setting("xp2p.jdbc.maxPoolSize", 3)
                .attribute("xp2p.clock", clock).build();
        hosts.add(h);
        return h.start();
    }

    @Test
    void twoNodesShareKeysAndKeysSurviveRestart() throws Exception {
        // both nodes start (and migrate the empty schema) at the same time
        CompletableFuture<Host> startA = CompletableFuture.supplyAsync(() -> startQuietly("a"));
        CompletableFuture<Host> startB = CompletableFuture.supplyAsync(() -> startQuietly("b"));
        Host a = startA.get(60, TimeUnit.SECONDS);
        Host b = startB.get(60, TimeUnit.SECONDS);
        KeyHttp onA = new KeyHttp(a.baseUri());
        KeyHttp onB = new KeyHttp(b.baseUri());

        Map<String, String> fromA = onA.issue();
        Map<String, String> fromB = onB.issue();
        assertEquals(Map.of("key", fromA.get("key")), KeyHttp.json(onB.get(fromA.get("code"))));
        assertEquals(Map.of("key", fromB.get("key")), KeyHttp.json(onA.get(fromB.get("code"))));

        a.stop();
        hosts.remove(a);
        Host again = node("a");
        KeyHttp onAgain = new KeyHttp(again.baseUri());
        assertEquals(Map.of("key", fromA.get("key")), KeyHttp.json(onAgain.get(fromA.get("code"))));
        assertEquals(Map.of("key", fromB.get("key")), KeyHttp.json(onAgain.get(fromB.get("code"))));

        clock.advance(Duration.ofSeconds(1800));
        assertError(onB.get(fromA.get("code")), 404, "not_found");
    }

    private Host startQuietly(String name) {
        try {
            return node(name);
        } catch (Exception e) {
            throw new IllegalStateException("node " + name + " failed to start", e);
        }
    }
}
