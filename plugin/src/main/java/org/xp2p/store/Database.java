package org.xp2p.store;

import jakarta.servlet.ServletContext;
import javax.sql.DataSource;
import org.xp2p.config.Settings;

/**
 * STUB (foundation issue): the plugin's JDBC storage. A container DataSource from JNDI
 * {@code java:comp/env/jdbc/xp2p} when present, otherwise an own HikariCP pool from
 * {@code xp2p.jdbc.*} (embedded H2 under {@code xp2p.data} by default). Applies the versioned
 * schema in {@code sql/} at open.
 */
public final class Database implements AutoCloseable {
    public static Database open(Settings settings, ServletContext ctx) {
        return new Database();
    }

    public DataSource dataSource() {
        throw new UnsupportedOperationException("not yet");
    }

    /** "h2" or "postgresql". */
    public String dialect() {
        return "h2";
    }

    @Override
    public void close() {
    }
}
