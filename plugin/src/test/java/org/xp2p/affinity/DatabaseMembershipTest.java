package org.xp2p.affinity;

import org.xp2p.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Database membership on a real (in-memory) H2 shared by several members, as nodes share PostgreSQL. */
class DatabaseMembershipTest {
    static final long BEAT = 50;
    static final int MISSED = 3;

    private JdbcDataSource db;
    private final List<DatabaseMembership> started = new ArrayList<>();

    @BeforeEach
    void schema() throws Exception {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:affinity-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        applySchema(db, "h2");
    }

    @AfterEach
    void stop() throws SQLException {
        started.forEach(DatabaseMembership::close);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    static void applySchema(DataSource ds, String dialect) throws Exception {
        String sql;
        try (InputStream in = DatabaseMembershipTest.class.getResourceAsStream(
                "/xp2p/sql/" + dialect + "/V2__cluster_nodes.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private DatabaseMembership member(DataSource ds, int i) {
        DatabaseMembership m = new DatabaseMembership(ds, ClusterNode.parse("test", "http://127.0.0.1:" + (9000 + i)),
                BEAT, MISSED, Clock.systemUTC()).start();
        started.add(m);
        return m;
    }

    static void await(String what, Supplier<Boolean> condition) {
        Poll.await(what, 5_000, condition::get);
    }

    @Test
    void membersSeeEachOtherAndACleanLeaveIsSeenAtOnce() throws Exception {
        DatabaseMembership a = member(db, 1);
        assertEquals(List.of(a.self()), a.live(), "a node is in its own view as soon as it started");
        DatabaseMembership b = member(db, 2);
        DatabaseMembership c = member(db, 3);
        await("all three see three members", () -> a.live().size() == 3 && b.live().size() == 3 && c.live().size() == 3);
        assertEquals(a.live(), b.live());
        assertEquals(List.of(a.self(), b.self(), c.self()), c.live(), "sorted by id");

        started.remove(b);
        b.close();
        assertEquals(2, rows(), "clean shutdown deletes the node's row");
        await("the others drop the node that left", () -> a.live().size() == 2 && c.live().size() == 2);
        assertTrue(!a.live().contains(b.self()));
    }

    @Test
    void aSilentMemberDropsOutAfterMissedBeatsAndItsOwnViewEmpties() {
        AtomicBoolean cut = new AtomicBoolean();
        DatabaseMembership a = member(db, 1);
        DatabaseMembership b = member(severable(db, cut), 2);
        await("both see each other", () -> a.live().size() == 2 && b.live().size() == 2);
        cut.set(true); // b loses the database: it can no longer beat or read
        long t0 = System.nanoTime();
        await("a drops b", () -> a.live().equals(List.of(a.self())));
        long droppedMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(droppedMillis >= BEAT * MISSED - BEAT, "dropped after " + droppedMillis + " ms, before the window");
        await("b's own view expires: it must not serve streams it cannot coordinate", () -> b.live().isEmpty());
        cut.set(false);
        await("b rejoins when the database is back", () -> a.live().size() == 2 && b.live().size() == 2);
    }

    private int rows() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM xp2p_cluster_node")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The real data source, except that getConnection fails while {@code cut} is set (a network partition). */
    static DataSource severable(DataSource real, AtomicBoolean cut) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && cut.get()) {
                        throw new SQLException("connection refused (partitioned by test)");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
