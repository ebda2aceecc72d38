package org.xp2p.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.xp2p.config.Settings;
import org.xp2p.keys.IssuedKey;
import org.xp2p.keys.JdbcKeyStore;

/**
 * The schema and key store on a real PostgreSQL ({@code XP2P_TEST_PG_URL}, .ci/postgres-start).
 * Each run works in a schema of its own, dropped afterwards, so runs never see each other.
 */
@Tag("real")
class PostgresMigrationTest {
    static final String URL = System.getenv().getOrDefault("XP2P_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:55432/xp2p");

    private final String schema = "xp2p_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
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
    void dropSchema() throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private Settings settings() {
        return Settings.of(Map.of("xp2p.jdbc.url", URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "xp2p.jdbc.user", "xp2p", "xp2p.jdbc.password", "xp2p", "xp2p.jdbc.maxPoolSize", "2"));
    }

    @Test
    void concurrentStartsMigrateOnce() throws Exception {
        int nodes = 4;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Database>> opened = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                opened.add(pool.submit(() -> {
                    go.await();
                    return Database.open(settings(), null);
                }));
            }
            go.countDown();
            for (Future<Database> f : opened) {
                assertEquals("postgresql", f.get(60, TimeUnit.SECONDS).dialect());   // none failed
            }
        } finally {
            go.countDown();
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
            for (Future<Database> f : opened) {
                if (f.isDone() && !f.isCancelled()) {
                    try {
                        f.get().close();
                    } catch (java.util.concurrent.ExecutionException failedToOpen) {
                        // reported by the assertion above
                    }
                }
            }
        }
        // every shipped version applied exactly once, whatever versions the project ships
        assertEquals("0", query("SELECT COUNT(*) FROM (SELECT version FROM " + schema
                + ".xp2p_schema_version GROUP BY version HAVING COUNT(*) <> 1) dup"));
        assertEquals("1", query("SELECT COUNT(*) FROM " + schema + ".xp2p_schema_version WHERE version = 1"));
        // V3: the nullable stream column of codes bound to one stream
        assertEquals("YES", query("SELECT is_nullable FROM information_schema.columns WHERE table_schema = '"
                + schema + "' AND table_name = 'xp2p_keys' AND column_name = 'stream_id'"));
    }

    @Test
    void keyStoreWorksOnPostgresql() throws Exception {
        try (Database db = Database.open(settings(), null)) {
            JdbcKeyStore a = new JdbcKeyStore(db.dataSource(), Clock.systemUTC(), Duration.ofSeconds(60));
            IssuedKey issued = a.issue();
            assertArrayEquals(issued.key(), a.find(issued.code().value()).orElseThrow());
            Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(61));
            JdbcKeyStore b = new JdbcKeyStore(db.dataSource(), later, Duration.ofSeconds(60));
            assertFalse(b.find(issued.code().value()).isPresent());
            assertEquals(1, b.purgeExpired(10));
            assertEquals("0", query("SELECT COUNT(*) FROM " + schema + ".xp2p_keys"));
            IssuedKey bound = a.issue("live/cam1");
            assertEquals("live/cam1", a.lookup(bound.code().value()).orElseThrow().stream());
            assertEquals(null, a.lookup(a.issue().code().value()).orElseThrow().stream());
        }
    }

    private String query(String sql) throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
