package org.xp2p.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

class DatabaseTest {
    @TempDir
    Path data;

    @Test
    void defaultIsEmbeddedH2UnderDataDirAndReopensAfterClose() throws Exception {
        Settings settings = Settings.of(Map.of("xp2p.data", data.toString()));
        try (Database db = Database.open(settings, null)) {
            assertEquals("h2", db.dialect());
            assertTrue(db.ownsPool());
            insertKeyRow(db);
        }
        assertTrue(Files.exists(data.resolve("xp2p.mv.db")));
        // the file lock was released by close(): the same files open again, with the row
        try (Database db = Database.open(settings, null); Connection c = db.dataSource().getConnection();
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM xp2p_keys")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }

    @Test
    void dataDirectoryIsCreated() {
        Path nested = data.resolve("a/b");
        try (Database db = Database.open(Settings.of(Map.of("xp2p.data", nested.toString())), null)) {
            assertTrue(Files.isDirectory(nested));
        }
    }

    @Test
    void unsupportedJdbcUrlIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> Database.open(
                Settings.of(Map.of("xp2p.jdbc.url", "jdbc:mysql://127.0.0.1/x")), null));
        assertEquals("invalid configuration xp2p.jdbc.url='jdbc:mysql://127.0.0.1/x': must be a jdbc:h2: or"
                + " jdbc:postgresql: URL (or unset for the embedded H2 database under xp2p.data)", e.getMessage());
    }

    @Test
    void poolSettingsAreValidated() {
        ConfigException e = assertThrows(ConfigException.class, () -> Database.open(Settings.of(Map.of(
                "xp2p.data", data.toString(), "xp2p.jdbc.maxPoolSize", "0")), null));
        assertTrue(e.getMessage().startsWith("invalid configuration xp2p.jdbc.maxPoolSize='0'"), e.getMessage());
    }

    @Test
    void unreachableDatabaseFailsWithTheUrlButNotThePassword() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Database.open(Settings.of(Map.of(
                "xp2p.jdbc.url", "jdbc:postgresql://127.0.0.1:1/xp2p?password=topsecret",
                "xp2p.jdbc.connectionTimeoutMillis", "500")), null));
        assertTrue(e.getMessage().startsWith("xp2p database: cannot connect to jdbc:postgresql://127.0.0.1:1/xp2p?password=****"),
                e.getMessage());
        assertFalse(e.getMessage().contains("topsecret"));
    }

    private static void insertKeyRow(Database db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO xp2p_keys (code, stream_key, created_at, expires_at) VALUES ('123e4567-e89b-42d3-a456-426614174000', X'00', 1, 2)");
        }
    }
}
