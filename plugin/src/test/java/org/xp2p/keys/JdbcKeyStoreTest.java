package org.xp2p.keys;

import org.xp2p.testkit.Poll;
import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xp2p.config.Settings;
import org.xp2p.store.Database;

class JdbcKeyStoreTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Database db = Database.open(Settings.of(Map.of(
            "xp2p.jdbc.url", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")), null);
    private final JdbcKeyStore store = new JdbcKeyStore(db.dataSource(), clock, Duration.ofSeconds(100));

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void issuedKeyIsFoundUntilItExpires() {
        IssuedKey issued = store.issue();
        assertEquals(32, issued.key().length);
        assertEquals(Instant.parse("2026-01-01T00:01:40Z"), issued.expires());
        assertArrayEquals(issued.key(), store.find(issued.code().value()).orElseThrow());
        assertArrayEquals(issued.key(), store.find(issued.code().value().toUpperCase(Locale.ROOT)).orElseThrow());
        clock.advance(Duration.ofSeconds(99));
        assertTrue(store.find(issued.code().value()).isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), store.find(issued.code().value()));
    }

    @Test
    void malformedAndUnknownCodesAreEmpty() {
        assertFalse(store.find(null).isPresent());
        assertFalse(store.find("nope").isPresent());
        assertFalse(store.find("' OR '1'='1").isPresent());
        assertFalse(store.find(UUID.randomUUID().toString()).isPresent());
    }

    @Test
    void purgeDeletesOnlyExpiredRowsInBoundedBatches() throws Exception {
        for (int i = 0; i < 25; i++) {
            store.issue();
        }
        clock.advance(Duration.ofSeconds(50));
        IssuedKey live = store.issue();
        clock.advance(Duration.ofSeconds(60));
        assertEquals(10, store.purgeExpired(10));
        assertEquals(10, store.purgeExpired(10));
        assertEquals(5, store.purgeExpired(10));
        assertEquals(0, store.purgeExpired(10));
        assertEquals(1, rows());
        assertTrue(store.find(live.code().value()).isPresent());
    }

    @Test
    void purgerRunsOnANamedDaemonThreadAndStopsAtClose() throws Exception {
        for (int i = 0; i < 7; i++) {
            store.issue();
        }
        clock.advance(Duration.ofSeconds(100));
        Thread t;
        try (ExpiredKeyPurger purger = ExpiredKeyPurger.start(store, Duration.ofMillis(50), 3)) {
            Poll.await("every expired row purged", 10_000, () -> rows() == 0);
            t = purgerThread().orElseThrow();
            assertTrue(t.isDaemon());
        }
        // close() returns once the executor has terminated; the worker thread itself finishes
        // exiting a moment later (the pool marks itself terminated from that thread), so wait
        // for this very thread with a bound rather than sampling every thread by name.
        t.join(5_000);
        assertFalse(t.isAlive(), "purger thread stopped at close");
    }

    @Test
    void storeFailuresBecomeKeyStoreUnavailable() {
        db.close();
        KeyStoreUnavailableException find = assertThrows(KeyStoreUnavailableException.class,
                () -> store.find(UUID.randomUUID().toString()));
        assertTrue(find.getMessage().startsWith("cannot look up code"), find.getMessage());
        assertThrows(KeyStoreUnavailableException.class, store::issue);
        // a failing purge run is logged and retried, not thrown into the scheduler
        try (ExpiredKeyPurger purger = ExpiredKeyPurger.start(store, Duration.ofHours(1), 10)) {
            assertEquals(0, purger.runOnce());
        }
    }

    private static Optional<Thread> purgerThread() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(ExpiredKeyPurger.THREAD_NAME) && t.isAlive()).findFirst();
    }

    private long rows() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM xp2p_keys")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
