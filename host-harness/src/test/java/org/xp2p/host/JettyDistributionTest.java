package org.xp2p.host;

import org.xp2p.testkit.JettyBase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.testkit.JettyBase;

/**
 * The WAR dropped into a stock Jetty 12.1 distribution, started as its own process: once with the
 * plugin's own pool (embedded H2 under xp2p.data), once with the example base conf/jetty-base whose
 * context XML binds a HikariCP DataSource at java:comp/env/jdbc/xp2p (H2 here; PostgreSQL in the
 * real profile).
 */
class JettyDistributionTest {
    private static final Pattern ISSUED = Pattern.compile(
            "\\{\"code\":\"([0-9a-f-]{36})\",\"expire\":[0-9]+,\"key\":\"([0-9a-f]{64})\"}");
    private static final Path EXAMPLE_BASE = Path.of("..", "conf", "jetty-base");

    @TempDir
    Path tmp;
    private JettyBase jetty;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void destroy() {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void warDropsIntoStockJettyWithItsOwnPool() throws Exception {
        jetty = new JettyBase(tmp.resolve("base"));
        jetty.addModules("http,ee10-deploy,ee10-websocket-jakarta");
        jetty.deployWar();
        Path data = tmp.resolve("data");
        URI uri = jetty.start(List.of("-Dxp2p.data=" + data), List.of());

        assertIssueAndFind(uri);
        // the WAR's HikariCP logs through its bundled slf4j-jdk14 into JUL, so its pool start is visible
        jetty.assertOutputContains("xp2p-db - Start completed.");
        jetty.assertOutputContains("xp2p database: own pool on jdbc:h2:file:" + data.toAbsolutePath());
        assertTrue(Files.exists(data.resolve("xp2p.mv.db")));

        // SIGTERM: Jetty's shutdown hook undeploys the WAR (the JDK's own hook resets JUL at the same
        // time, so the WAR's closing log lines may be lost; the embedded redeploy test covers close)
        jetty.stopGracefully();
        jetty.assertOutputContains("Stopped oeje10w.WebAppContext");
    }

    @Test
    void exampleBaseBindsJndiDataSource() throws Exception {
        jetty = new JettyBase(tmp.resolve("base"));
        jetty.copyTree(EXAMPLE_BASE);
        jetty.deployWar();
        jetty.libExtFromWar("HikariCP-", "h2-");
        Path jndiDb = tmp.resolve("jndi-db");
        Path props = jetty.base().resolve("webapps/xp2p.properties");
        Files.writeString(props, Files.readString(props)
                .replaceAll("(?m)^xp2p\\.db\\.url=.*$", "xp2p.db.url=jdbc:h2:file:" + jndiDb.resolve("xp2p").toString().replace("\\", "/"))
                .replaceAll("(?m)^xp2p\\.db\\.driver=.*$", "xp2p.db.driver=org.h2.Driver"));
        Path data = tmp.resolve("data");
        URI uri = jetty.start(List.of("-Dxp2p.data=" + data), List.of());

        String code = assertIssueAndFind(uri);
        jetty.assertOutputContains("xp2p-jndi - Start completed.");
        jetty.assertOutputContains("xp2p database: container DataSource java:comp/env/jdbc/xp2p (h2)");
        assertTrue(Files.exists(jndiDb.resolve("xp2p.mv.db")), "keys went to the JNDI database");
        assertFalse(Files.exists(data.resolve("xp2p.mv.db")), "no own pool was opened");
        jetty.stopGracefully();

        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + jndiDb.resolve("xp2p"));
        ds.setUser("xp2p");
        ds.setPassword("xp2p");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM xp2p_keys WHERE code = '" + code + "'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }

    @Test
    @Tag("real")
    void exampleBaseOnPostgresql() throws Exception {
        String url = System.getenv().getOrDefault("XP2P_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:55432/xp2p");
        String schema = "xp2p_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        org.postgresql.ds.PGSimpleDataSource admin = new org.postgresql.ds.PGSimpleDataSource();
        admin.setURL(url);
        admin.setUser("xp2p");
        admin.setPassword("xp2p");
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (java.sql.SQLException e) {
            fail("PostgreSQL at " + url + " is unreachable (" + e.getMessage() + "); run .ci/postgres-start");
        }
        try {
            jetty = new JettyBase(tmp.resolve("base"));
            jetty.copyTree(EXAMPLE_BASE);
            jetty.deployWar();
            jetty.libExtFromWar("HikariCP-", "postgresql-");
            Path props = jetty.base().resolve("webapps/xp2p.properties");
            String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            Files.writeString(props, Files.readString(props)
                    .replaceAll("(?m)^xp2p\\.db\\.url=.*$", java.util.regex.Matcher.quoteReplacement("xp2p.db.url=" + schemaUrl)));
            URI uri = jetty.start(List.of("-Dxp2p.data=" + tmp.resolve("data")), List.of());

            String code = assertIssueAndFind(uri);
            jetty.assertOutputContains("xp2p database: container DataSource java:comp/env/jdbc/xp2p (postgresql)");
            try (Connection c = admin.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + schema + ".xp2p_keys WHERE code = '" + code + "'")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        } finally {
            jetty.close();
            try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    /** POST /xp2p/code then GET /xp2p/code/{code}; returns the code. */
    private String assertIssueAndFind(URI uri) throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(uri + "/code"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode(), post.body());
        assertEquals("no-store", post.headers().firstValue("Cache-Control").orElse(null));
        Matcher m = ISSUED.matcher(post.body());
        assertTrue(m.matches(), post.body());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(uri + "/code/" + m.group(1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode(), get.body());
        assertEquals("{\"key\":\"" + m.group(2) + "\"}", get.body());
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(
                URI.create(uri + "/code/" + UUID.randomUUID())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode(), unknown.body());
        return m.group(1);
    }
}
