package org.xp2p.dist;

import org.xp2p.testkit.ContainerChecks;
import org.xp2p.testkit.TestPostgres;
import org.xp2p.testkit.TomcatBase;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.testkit.Poll;
import org.xp2p.testkit.ReplayOrigin;

/**
 * xp2p.war in stock Tomcat 10.1 and 11 (from Maven Central) with the example conf/tomcat/context.xml:
 * the key store is Tomcat's own JDBC pool on the test PostgreSQL, bound at java:comp/env/jdbc/xp2p.
 * Two Tomcats start together on the same database (the schema migration runs under an advisory
 * lock), each sees the other's keys; then the WAR is touched and Tomcat redeploys it without any
 * leak warning.
 */
@Tag("real")
class TomcatDistributionTest {
    private static final Path EXAMPLE_CONTEXT = Path.of("..", "conf", "tomcat", "context.xml");
    private static final Pattern LEAK = Pattern.compile(
            "(?m)^.*(memory leak|failed to stop it|failed to unregister it|ThreadLocal with key of type).*$");

    @TempDir
    Path tmp;
    private TomcatBase a;
    private TomcatBase b;
    private ReplayOrigin origin;

    @AfterEach
    void stop() {
        if (b != null) {
            b.close();
            b.keepOutput(b.base().getFileName().toString());
        }
        if (a != null) {
            a.close();
            a.keepOutput(a.base().getFileName().toString());
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void tomcat10() throws Exception {
        scenario("xp2p.tomcat10Home");
    }

    @Test
    void tomcat11() throws Exception {
        scenario("xp2p.tomcat11Home");
    }

    private void scenario(String homeProperty) throws Exception {
        origin = ContainerChecks.origin();
        String example = Files.readString(EXAMPLE_CONTEXT);
        try (TestPostgres pg = new TestPostgres()) {
            a = node(homeProperty, "a", example, pg);
            b = node(homeProperty, "b", example, pg);
            a.launch(List.of("-Dxp2p.origin=" + origin.baseUri(), "-Dxp2p.data=" + tmp.resolve("data-a")));
            b.launch(List.of("-Dxp2p.origin=" + origin.baseUri(), "-Dxp2p.data=" + tmp.resolve("data-b")));
            URI ctxA = a.awaitReady();
            URI ctxB = b.awaitReady();
            for (TomcatBase t : List.of(a, b)) {
                t.assertOutputContains("xp2p database: container DataSource java:comp/env/jdbc/xp2p (postgresql)");
            }

            // key service on the container's pool, shared through the database
            ContainerChecks.Issued onA = ContainerChecks.issueAndFind(ctxA);
            pg.assertKeyStored(onA.code());
            ContainerChecks.assertFound(ctxB, onA);
            ContainerChecks.Issued onB = ContainerChecks.issueAndFind(ctxB);
            ContainerChecks.assertFound(ctxA, onB);
            assertFalse(Files.exists(tmp.resolve("data-a/xp2p.mv.db")), "no own pool was opened");

            // relay and signalling
            ContainerChecks.assertStream(ctxA, origin, "live/cam1.flv", null, 64 * 1024);
            ContainerChecks.assertStream(ctxA, origin, "live/cam2.flv", "code=" + onB.code(), 64 * 1024);
            ContainerChecks.assertJoin(ctxA, "/xp2p/signal", "live/cam1.flv");
            ContainerChecks.assertPeerReleased(ctxA, "live/cam1.flv");
            b.close();

            // redeploy: touch the WAR; Tomcat's background check (every 10 s) redeploys it
            int started = a.count("xp2p started in context '/xp2p'");
            a.touchWar();
            Poll.await("redeploy of xp2p.war after touch", 90_000,
                    () -> a.count("xp2p started in context '/xp2p'") > started);
            URI again = a.awaitReady();
            ContainerChecks.assertFound(again, onA);
            ContainerChecks.issueAndFind(again);
            ContainerChecks.assertJoin(again, "/xp2p/signal", "cam1");
            ContainerChecks.assertPeerReleased(again, "cam1");
            String out = a.output();
            Matcher leak = LEAK.matcher(out);
            assertFalse(leak.find(), () -> "leak warning after redeploy: " + leak.group() + "\n" + out);
            assertTrue(out.contains("xp2p database: closed container DataSource"), "plugin stopped cleanly:\n" + out);
        }
    }

    private TomcatBase node(String homeProperty, String name, String example, TestPostgres pg) throws Exception {
        TomcatBase t = new TomcatBase(homeProperty, tmp.resolve("tomcat-" + name));
        t.contextXml(example, pg.schemaUrl(), "xp2p", "xp2p");
        t.deployWar();
        return t;
    }
}
