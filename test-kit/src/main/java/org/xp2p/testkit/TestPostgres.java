package org.xp2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A schema of its own on the throwaway PostgreSQL of the real-tool profile (.ci/postgres-start,
 * 127.0.0.1:55432, or XP2P_TEST_PG_URL). Unreachable fails the test loudly: never a skip.
 */
public final class TestPostgres implements AutoCloseable {
    public final String url = System.getenv().getOrDefault("XP2P_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:55432/xp2p");
    public final String schema = "xp2p_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final PGSimpleDataSource admin = new PGSimpleDataSource();

    public TestPostgres() {
        admin.setURL(url);
        admin.setUser("xp2p");
        admin.setPassword("xp2p");
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            fail("PostgreSQL at " + url + " is unreachable (" + e.getMessage() + "); run .ci/postgres-start");
        }
    }

    /** The JDBC URL whose connections use this schema. */
    public String schemaUrl() {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Rows of xp2p_keys with this code, in this schema. */
    public void assertKeyStored(String code) throws SQLException {
        try (Connection c = admin.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT COUNT(*) FROM " + schema + ".xp2p_keys WHERE code = ?")) {
            st.setString(1, code);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1), "key " + code + " in " + schema + ".xp2p_keys");
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
