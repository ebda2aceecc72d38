package org.xp2p.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.store.SchemaScripts.SchemaScript;

/**
 * Brings the database to the newest schema version the WAR carries.
 *
 * <p>Each script runs once, in version order, and is recorded in {@value #VERSION_TABLE} (version,
 * name, SHA-256 of the text, time). Running again is a no-op, so every start may call it. On
 * PostgreSQL all of it runs in one transaction holding a transaction-scoped advisory lock: two
 * nodes starting together on one database queue up, and the second finds the work done. (DDL is
 * transactional there, so a failing script leaves nothing half-applied.) H2 is embedded in a
 * single process, which its file lock already guarantees.
 *
 * <p>A script that was edited after it was applied is reported, not re-run: released scripts are
 * immutable; a change is a new version.
 */
public final class SchemaMigrator {
    public static final String VERSION_TABLE = "xp2p_schema_version";
    /** Arbitrary constant naming xp2p's migration lock among the database's advisory locks. */
    static final long PG_LOCK_KEY = 0x78703270_00000001L;

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

    private final DataSource dataSource;
    private final String dialect;
    private final SchemaScripts scripts;
    private int currentVersion;

    public SchemaMigrator(DataSource dataSource, String dialect, SchemaScripts scripts) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.scripts = scripts;
    }

    /** @return the versions applied by this call (empty when the schema was current) */
    public List<Integer> migrate() {
        List<SchemaScript> available = scripts.list(dialect);
        List<Integer> applied = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    if (Database.POSTGRESQL.equals(dialect)) {
                        st.execute("SELECT pg_advisory_xact_lock(" + PG_LOCK_KEY + ")");
                    }
                    st.execute("CREATE TABLE IF NOT EXISTS " + VERSION_TABLE + " ("
                            + "version INTEGER NOT NULL PRIMARY KEY, "
                            + "description VARCHAR(200) NOT NULL, "
                            + "checksum CHAR(64) NOT NULL, "
                            + "installed_at BIGINT NOT NULL)");
                }
                Map<Integer, String> done = appliedChecksums(c);
                for (SchemaScript script : available) {
                    String text = scripts.read(script);
                    String checksum = sha256(text);
                    String previous = done.get(script.version());
                    if (previous != null) {
                        if (!previous.equals(checksum)) {
                            LOG.warn("xp2p schema: {} changed after it was applied as version {}; not re-run"
                                    + " (put changes in a new version)", script.resource(), script.version());
                        }
                        continue;
                    }
                    apply(c, script, text, checksum);
                    applied.add(script.version());
                }
                c.commit();
                int newest = available.get(available.size() - 1).version();
                currentVersion = Math.max(newest, done.keySet().stream().mapToInt(Integer::intValue).max().orElse(0));
                if (currentVersion > newest) {
                    LOG.warn("xp2p schema: the database is at version {}, newer than this WAR's {}",
                            currentVersion, newest);
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("xp2p schema: migration failed (" + e.getMessage() + ")", e);
        }
        return applied;
    }

    /** The newest version recorded after {@link #migrate()}. */
    public int currentVersion() {
        return currentVersion;
    }

    private void apply(Connection c, SchemaScript script, String text, String checksum) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements(text)) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw new SQLException("script " + script.resource() + ": " + e.getMessage(), e.getSQLState(), e);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + VERSION_TABLE
                + " (version, description, checksum, installed_at) VALUES (?, ?, ?, ?)")) {
            ps.setInt(1, script.version());
            ps.setString(2, script.description());
            ps.setString(3, checksum);
            ps.setLong(4, System.currentTimeMillis());
            ps.executeUpdate();
        }
        LOG.info("xp2p schema: applied {} ({} version {})", script.resource(), dialect, script.version());
    }

    private static Map<Integer, String> appliedChecksums(Connection c) throws SQLException {
        Map<Integer, String> done = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, checksum FROM " + VERSION_TABLE)) {
            while (rs.next()) {
                done.put(rs.getInt(1), rs.getString(2).trim());
            }
        }
        return done;
    }

    /** Splits on ';' at the end of a line; drops whole-line '--' comments. Scripts are kept that simple. */
    static List<String> statements(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\r?\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                out.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
