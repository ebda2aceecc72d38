package org.xp2p.store;

import org.xp2p.common.Causes;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import jakarta.servlet.ServletContext;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.config.Settings;

/**
 * The plugin's JDBC storage, shared by every feature that keeps state (keys, cluster membership).
 *
 * <p>An operator who already runs a pool in the container binds it at JNDI
 * {@code java:comp/env/jdbc/xp2p} and the plugin uses it as is (and never closes it). Otherwise the
 * plugin runs its own HikariCP pool from {@code xp2p.jdbc.*}, by default on an embedded H2 file
 * database under {@code xp2p.data}, so a single node needs nothing installed. Either way the
 * versioned schema under {@code xp2p/sql/<dialect>/} is applied before any feature starts.
 *
 * <p>Closing matters for redeploys: the plugin's own pool is closed (which also releases the H2
 * file lock) and the JDBC drivers the webapp's class loader registered are deregistered, so the
 * old class loader can be collected and a redeploy in the same JVM opens the same files again.
 */
public final class Database implements AutoCloseable {
    public static final String JNDI_NAME = "java:comp/env/jdbc/xp2p";
    public static final String H2 = "h2";
    public static final String POSTGRESQL = "postgresql";

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final DataSource dataSource;
    private final String dialect;
    private final HikariDataSource ownPool;
    private final String description;

    private Database(DataSource dataSource, String dialect, HikariDataSource ownPool, String description) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.ownPool = ownPool;
        this.description = description;
    }

    /**
     * Opens the storage and migrates its schema.
     *
     * @param ctx the webapp (lists the schema scripts inside the WAR); may be null outside a container
     */
    public static Database open(Settings settings, ServletContext ctx) {
        Optional<DataSource> container = containerDataSource();
        if (container.isPresent()) {
            String dialect = detectDialect(container.get(), JNDI_NAME);
            Database db = new Database(container.get(), dialect, null, "container DataSource " + JNDI_NAME);
            return migrated(db, ctx);
        }
        JdbcSettings jdbc = JdbcSettings.from(settings);
        HikariDataSource pool = createPool(jdbc);
        try {
            String dialect = detectDialect(pool, jdbc.safeUrl());
            return migrated(new Database(pool, dialect, pool, "own pool on " + jdbc.safeUrl()), ctx);
        } catch (RuntimeException e) {
            pool.close();
            deregisterOwnDrivers();
            throw e;
        }
    }

    private static Database migrated(Database db, ServletContext ctx) {
        SchemaMigrator migrator = new SchemaMigrator(db.dataSource, db.dialect, SchemaScripts.inWebapp(ctx));
        migrator.migrate();
        LOG.info("xp2p database: {} ({}), schema version {}", db.description, db.dialect, migrator.currentVersion());
        return db;
    }

    private static Optional<DataSource> containerDataSource() {
        try {
            Object found = new InitialContext().lookup(JNDI_NAME);
            if (found instanceof DataSource ds) {
                return Optional.of(ds);
            }
            if (found != null) {
                throw new IllegalStateException("xp2p database: JNDI " + JNDI_NAME + " is a "
                        + found.getClass().getName() + ", not a javax.sql.DataSource; bind a DataSource there"
                        + " or remove the binding to use xp2p.jdbc.*");
            }
        } catch (NamingException e) {
            // no JNDI in this container, or nothing bound: the plugin runs its own pool
            LOG.debug("xp2p database: no DataSource at {} ({})", JNDI_NAME, e.toString());
        }
        return Optional.empty();
    }

    private static HikariDataSource createPool(JdbcSettings jdbc) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("xp2p-db");
        config.setJdbcUrl(jdbc.url());
        jdbc.user().ifPresent(config::setUsername);
        jdbc.password().ifPresent(config::setPassword);
        config.setDriverClassName(jdbc.url().toLowerCase(Locale.ROOT).startsWith("jdbc:h2:")
                ? "org.h2.Driver" : "org.postgresql.Driver");
        config.setExceptionOverride(new H2BrokenConnections());
        config.setMaximumPoolSize(jdbc.maxPoolSize());
        config.setMinimumIdle(Math.min(2, jdbc.maxPoolSize()));
        config.setConnectionTimeout(jdbc.connectionTimeoutMillis());
        config.setValidationTimeout(Math.min(jdbc.connectionTimeoutMillis(), 5_000));
        // fail the deployment at once when the database is unreachable rather than on first use
        config.setInitializationFailTimeout(jdbc.connectionTimeoutMillis());
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            deregisterOwnDrivers();
            throw new IllegalStateException("xp2p database: cannot connect to " + jdbc.safeUrl() + " ("
                    + Causes.rootMessage(e) + "); check xp2p.jdbc.url, xp2p.jdbc.user and xp2p.jdbc.password", e);
        }
    }

    /**
     * HikariCP evicts a connection on SQLState class 08 (PostgreSQL's "connection failure"); H2
     * reports a lost server with its own codes, so without this a pool on {@code jdbc:h2:tcp:} would
     * keep handing out dead connections after the server restarts.
     */
    static final class H2BrokenConnections implements SQLExceptionOverride {
        private static final Set<Integer> BROKEN = Set.of(90067, 90098, 90121, 90028);

        @java.lang.Override
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            return BROKEN.contains(e.getErrorCode())
                    ? SQLExceptionOverride.Override.MUST_EVICT : SQLExceptionOverride.Override.CONTINUE_EVICT;
        }
    }

    private static String detectDialect(DataSource ds, String what) {
        try (Connection c = ds.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            if ("H2".equalsIgnoreCase(product)) {
                return H2;
            }
            if ("PostgreSQL".equalsIgnoreCase(product)) {
                return POSTGRESQL;
            }
            throw new IllegalStateException("xp2p database: " + what + " is " + product
                    + "; supported are H2 and PostgreSQL");
        } catch (SQLException e) {
            throw new IllegalStateException("xp2p database: cannot connect to " + what + " (" + e.getMessage() + ")", e);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** "h2" or "postgresql": features with dialect-specific SQL pick their statements by it. */
    public String dialect() {
        return dialect;
    }

    /** True when the plugin created (and so will close) the pool; false for a JNDI DataSource. */
    public boolean ownsPool() {
        return ownPool != null;
    }

    @Override
    public void close() {
        if (ownPool != null) {
            ownPool.close();
        }
        deregisterOwnDrivers();
        LOG.info("xp2p database: closed {}", description);
    }

    /**
     * Drivers loaded by this webapp's class loader would pin it in DriverManager after undeploy.
     * On the JVM's own class path (tests, tools) there is no webapp to unload and the drivers are
     * shared with everything else in the JVM, so they stay.
     */
    private static void deregisterOwnDrivers() {
        ClassLoader mine = Database.class.getClassLoader();
        if (mine == ClassLoader.getSystemClassLoader()) {
            return;
        }
        // DriverManager.getDrivers() checks each registered driver's visibility by loading its class
        // name through this webapp's class loader, which initialises the webapp's own copy of that
        // driver (e.g. org.postgresql.Driver when the container's pool uses the same driver from its
        // lib/), and that copy registers itself during the call. A second pass deregisters those.
        for (int pass = 0; pass < 2; pass++) {
            deregisterDrivers(mine);
        }
    }

    private static void deregisterDrivers(ClassLoader mine) {
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == mine) {
                try {
                    DriverManager.deregisterDriver(driver);
                    LOG.debug("xp2p database: deregistered JDBC driver {}", driver.getClass().getName());
                } catch (SQLException e) {
                    LOG.warn("xp2p database: cannot deregister JDBC driver {}: {}", driver.getClass().getName(), e.toString());
                }
            }
        }
    }
}
