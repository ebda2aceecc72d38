package org.xp2p.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigratorTest {
    private static final String FIXTURES = "org/xp2p/store/schema/";
    private final JdbcDataSource ds = memoryDb();

    static JdbcDataSource memoryDb() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    private SchemaMigrator migrator(String fixture) {
        return new SchemaMigrator(ds, "h2", SchemaScripts.onClassPath(FIXTURES + fixture, getClass().getClassLoader()));
    }

    @Test
    void appliesScriptsOnceInNumericVersionOrder() throws Exception {
        SchemaMigrator m = migrator("ordered");
        assertEquals(List.of(1, 2, 10), m.migrate());
        assertEquals(10, m.currentVersion());
        assertEquals(List.of(), migrator("ordered").migrate());
        assertEquals("1,2,10", query("SELECT LISTAGG(version, ',') WITHIN GROUP (ORDER BY version) FROM xp2p_schema_version"));
        assertEquals("ten", query("SELECT note FROM b WHERE id = 10"));
        assertEquals("create_b", query("SELECT description FROM xp2p_schema_version WHERE version = 2"));
    }

    @Test
    void aNewVersionAddedLaterIsAppliedAlone() throws Exception {
        assertEquals(List.of(1), migrator("v1only").migrate());
        // another feature ships V2 and V10 next to V1: only those run
        assertEquals(List.of(2, 10), migrator("ordered").migrate());
        assertEquals("2", query("SELECT id FROM a"));
        assertEquals("ten", query("SELECT note FROM b"));
    }

    @Test
    void badlyNamedOrDuplicateScriptsStopMigration() {
        IllegalStateException bad = assertThrows(IllegalStateException.class, () -> migrator("badname").migrate());
        assertTrue(bad.getMessage().contains("create_x.sql is not named V<version>__<name>.sql"), bad.getMessage());
        IllegalStateException dup = assertThrows(IllegalStateException.class, () -> migrator("duplicate").migrate());
        assertTrue(dup.getMessage().contains("two scripts for version 1"), dup.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> migrator("missing").migrate());
        assertTrue(none.getMessage().contains("no scripts found"), none.getMessage());
    }

    @Test
    void shippedScriptsCreateTheKeyTable() throws Exception {
        SchemaMigrator m = new SchemaMigrator(ds, "h2",
                SchemaScripts.onClassPath(SchemaScripts.DEFAULT_BASE, getClass().getClassLoader()));
        assertTrue(m.migrate().contains(1));
        assertEquals("0", query("SELECT COUNT(*) FROM xp2p_keys"));
    }

    @Test
    void scriptsAreListedInsideJars(@TempDir Path tmp) throws Exception {
        Path jar = tmp.resolve("scripts.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : new String[] {"s/h2/", "s/h2/V1__one.sql", "s/h2/V2__two.sql", "s/h2/sub/V3__ignored.sql"}) {
                out.putNextEntry(new JarEntry(name));
                if (!name.endsWith("/")) {
                    out.write(("CREATE TABLE t" + name.charAt(6) + " (id INT);\n").getBytes(StandardCharsets.UTF_8));
                }
                out.closeEntry();
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            SchemaScripts scripts = SchemaScripts.onClassPath("s", loader);
            assertEquals(List.of(1, 2), scripts.list("h2").stream().map(SchemaScripts.SchemaScript::version).toList());
            assertEquals(List.of(1, 2), new SchemaMigrator(ds, "h2", scripts).migrate());
        }
    }

    @Test
    void statementsSplitAtLineEndSemicolons() {
        assertEquals(List.of("CREATE TABLE a (\nx INT,\ny VARCHAR(3))", "INSERT INTO a VALUES (1, 'a;b')"),
                SchemaMigrator.statements("-- comment\nCREATE TABLE a (\n  x INT,\n  y VARCHAR(3));\n\n"
                        + "INSERT INTO a VALUES (1, 'a;b');\n-- trailing\n"));
    }

    private String query(String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

}
