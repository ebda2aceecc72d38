package org.xp2p.dist;

import org.xp2p.testkit.ContainerChecks;
import org.xp2p.testkit.TestPostgres;
import org.xp2p.testkit.JettyBase;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.testkit.ReplayOrigin;

/**
 * The Jetty module archive (jetty-module/, target/xp2p-jetty-module-VERSION.tar.gz) on a stock
 * jetty-home 12.1 from Maven Central, the way an operator installs it: the archive unpacked into a
 * new base, then {@code start.jar --add-modules=http,xp2p} (and once {@code ,xp2p-jndi} on the test
 * PostgreSQL) and nothing else: settings go into the generated start.d/*.ini.
 */
class JettyModuleTest {
    @TempDir
    Path tmp;
    private JettyBase jetty;
    private ReplayOrigin origin;

    @AfterEach
    void stop() {
        if (jetty != null) {
            jetty.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void addModulesHttpXp2pCreatesAWorkingBase() throws Exception {
        origin = ContainerChecks.origin();
        jetty = new JettyBase(tmp.resolve("base"));
        jetty.copyTree(JettyBase.moduleArchive());
        jetty.addModules("http,xp2p");
        Path ini = jetty.base().resolve("start.d/xp2p.ini");
        assertTrue(Files.readString(ini).contains("# xp2p.swarm.maxDepth=6"), "ini template lists the keys");
        appendIni(ini, "xp2p.origin=" + origin.baseUri());

        URI ctx = jetty.start(List.of(), List.of());
        ContainerChecks.issueAndFind(ctx);
        ContainerChecks.assertStream(ctx, origin, "live/cam1.flv", null, 64 * 1024);
        ContainerChecks.assertJoin(ctx, "/xp2p/signal", "live/cam1.flv");
        ContainerChecks.assertPeerReleased(ctx, "live/cam1.flv");
        // the URL map under context /xp2p (docs/deploy-jetty.md): ops and the player at their documented paths
        for (String path : List.of("/xp2p/health", "/xp2p/metrics", "/xp2p/rooms", "/xp2p/streams", "/xp2p-player.js", "/")) {
            var r = ContainerChecks.get(URI.create(ctx + path));
            org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode(), ctx + path + ": " + r.body());
        }
        jetty.assertOutputContains("xp2p database: own pool on jdbc:h2:file:" + jetty.base().resolve("xp2p-data"));
        assertTrue(Files.exists(jetty.base().resolve("xp2p-data/xp2p.mv.db")), "state under the base");
    }

    @Test
    void contextPathIsAProperty() throws Exception {
        jetty = new JettyBase(tmp.resolve("base"));
        jetty.copyTree(JettyBase.moduleArchive());
        jetty.addModules("http,xp2p");
        appendIni(jetty.base().resolve("start.d/xp2p.ini"), "jetty.xp2p.contextPath=/live-p2p");
        URI ctx = jetty.start(List.of(), List.of(), "/live-p2p");
        ContainerChecks.issueAndFind(ctx);
        ContainerChecks.assertJoin(ctx, "/xp2p/signal", "cam1");
    }

    @Test
    @Tag("real")
    void xp2pJndiBindsThePoolOnPostgresql() throws Exception {
        origin = ContainerChecks.origin();
        try (TestPostgres pg = new TestPostgres()) {
            jetty = new JettyBase(tmp.resolve("base"));
            jetty.copyTree(JettyBase.moduleArchive());
            jetty.addModules("http,xp2p,xp2p-jndi");
            appendIni(jetty.base().resolve("start.d/xp2p.ini"), "xp2p.origin=" + origin.baseUri());
            Path jndiIni = jetty.base().resolve("start.d/xp2p-jndi.ini");
            assertTrue(Files.readString(jndiIni).contains("# jetty.xp2p.jndi.url="), "ini template lists the pool");
            appendIni(jndiIni, "jetty.xp2p.jndi.url=" + pg.schemaUrl() + "\njetty.xp2p.jndi.password=xp2p");
            try {
                URI ctx = jetty.start(List.of(), List.of());
                ContainerChecks.Issued issued = ContainerChecks.issueAndFind(ctx);
                pg.assertKeyStored(issued.code());
                ContainerChecks.assertStream(ctx, origin, "live/cam1.flv", null, 64 * 1024);
                ContainerChecks.assertStream(ctx, origin, "live/cam2.flv", "code=" + issued.code(), 64 * 1024);
                ContainerChecks.assertJoin(ctx, "/xp2p/signal", "live/cam1.flv");
                jetty.assertOutputContains("xp2p-jndi - Start completed.");
                jetty.assertOutputContains("xp2p database: container DataSource java:comp/env/jdbc/xp2p (postgresql)");
                assertFalse(Files.exists(jetty.base().resolve("xp2p-data/xp2p.mv.db")), "no own pool was opened");
            } finally {
                jetty.close();
            }
        }
    }

    /** The module's ini template and XML carry every key of conf/xp2p.properties. */
    @Test
    void everyConfigurationKeyIsAModuleProperty() throws Exception {
        String conf = Files.readString(Path.of("..", "conf", "xp2p.properties"));
        String mod = Files.readString(JettyBase.moduleArchive().resolve("modules/xp2p.mod"));
        String xml = Files.readString(JettyBase.moduleArchive().resolve("etc/xp2p.xml"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^#(xp2p\\.[A-Za-z0-9.]+)=").matcher(conf);
        int keys = 0;
        while (m.find()) {
            String key = m.group(1);
            keys++;
            assertTrue(java.util.regex.Pattern.compile("(?m)^#? ?" + java.util.regex.Pattern.quote(key) + "=").matcher(mod).find(),
                    key + " missing from modules/xp2p.mod");
            assertTrue(xml.contains("<Arg>" + key + "</Arg><Arg><Property name=\"" + key + "\"/>"),
                    key + " missing from etc/xp2p.xml");
        }
        assertTrue(keys > 60, "keys found in conf/xp2p.properties: " + keys);
    }

    private static void appendIni(Path ini, String lines) throws java.io.IOException {
        Files.writeString(ini, Files.readString(ini) + "\n" + lines + "\n");
    }
}
