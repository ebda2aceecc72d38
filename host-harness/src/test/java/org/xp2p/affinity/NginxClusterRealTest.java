package org.xp2p.affinity;

import org.xp2p.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.xp2p.testkit.Poll.await;
import static org.xp2p.affinity.ClusterTestSupport.base;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.xp2p.host.Host;
import org.xp2p.testkit.RealTools;
import org.xp2p.testkit.ReplayOrigin;

/**
 * A real cluster: three hosts with database membership on the real PostgreSQL, a real nginx in
 * front of them using conf/nginx/xp2p-cluster.conf, and a replay origin that counts pulls.
 * Prints the fraction of streams moved on join and leave, and the failover time after a crash.
 */
@Tag("real")
class NginxClusterRealTest {
    static final String PG_URL = System.getenv().getOrDefault("XP2P_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:55432/xp2p");
    // generous for a loaded 2-core test machine; production defaults are 1000 ms x 3
    static final long BEAT = 300;
    static final int MISSED = 5;
    static final int STREAMS = 300;

    private static final HttpClient FOLLOWING = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, AtomicBoolean> cuts = new HashMap<>();
    private PGSimpleDataSource pg;
    private String schema;
    private ReplayOrigin origin;
    private Process nginx;

    @AfterEach
    void stopAll() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(5, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
        for (Host h : hosts.values()) {
            h.stop();
        }
        if (origin != null) {
            origin.close();
        }
        if (schema != null) {
            try (Connection c = admin().getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private PGSimpleDataSource admin() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(PG_URL);
        ds.setUser("xp2p");
        ds.setPassword("xp2p");
        return ds;
    }

    /**
     * A schema of its own (the plugin's migrator fills it), so that the test never touches the
     * tables of other tests sharing the PostgreSQL database.
     */
    private void createSchema() throws Exception {
        schema = "affinity_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = admin().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        pg = admin();
        pg.setCurrentSchema(schema);
    }

    /**
     * A node on the real PostgreSQL. With {@code severable} its membership uses a pool the test can
     * cut off (to crash it without the clean-shutdown row delete); otherwise the plugin's own
     * database (xp2p.jdbc.*, HikariCP, schema migrated at start), as in production.
     */
    private void startNode(String node, boolean severable) throws Exception {
        int port = URI.create(node).getPort();
        Map<String, String> settings = new HashMap<>(Map.of(
                "xp2p.jdbc.url", PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "xp2p.jdbc.user", "xp2p",
                "xp2p.jdbc.password", "xp2p",
                "xp2p.cluster.membership", "database",
                "xp2p.cluster.self", node,
                "xp2p.cluster.hash", "nginx",
                "xp2p.cluster.heartbeatMillis", String.valueOf(BEAT),
                "xp2p.cluster.missedBeats", String.valueOf(MISSED),
                "xp2p.origin", origin.baseUri().toString()));
        Map<String, Object> attributes = new HashMap<>();
        if (severable) {
            AtomicBoolean cut = new AtomicBoolean();
            cuts.put(node, cut);
            attributes.put("xp2p.cluster.dataSource", ClusterTestSupport.severable(pg, cut));
        }
        hosts.put(node, ClusterTestSupport.startHost(port, tmp.resolve("node-" + port), settings, attributes));
    }

    private void startNginx(List<String> nodes, int port) throws Exception {
        Path nginxBin = RealTools.require("nginx", "/usr/sbin");
        Path example = Path.of(System.getProperty("user.dir")).getParent().resolve("conf/nginx/xp2p-cluster.conf");
        String site = Files.readString(example);
        StringBuilder servers = new StringBuilder("# BEGIN nodes\n");
        for (String n : nodes) {
            servers.append("    server ").append(URI.create(n).getAuthority()).append(" max_fails=1 fail_timeout=5s;\n");
        }
        site = site.replaceAll("(?s)# BEGIN nodes.*# END nodes", servers.append("    # END nodes").toString())
                .replaceAll("(?s)# BEGIN listen.*# END listen", "listen 127.0.0.1:" + port + ";");
        Path dir = Files.createDirectories(tmp.resolve("nginx"));
        Files.writeString(dir.resolve("xp2p-cluster.conf"), site);
        String user = System.getProperty("user.name").equals("root") ? "user root;\n" : "";
        Files.writeString(dir.resolve("nginx.conf"), user
                + "worker_processes 1;\npid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log")
                + " info;\nevents { worker_connections 1024; }\nhttp {\n  access_log " + dir.resolve("access.log") + ";\n"
                + "  client_body_temp_path " + dir.resolve("body") + ";\n  proxy_temp_path " + dir.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("fcgi") + ";\n  uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + dir.resolve("scgi") + ";\n  include " + dir.resolve("xp2p-cluster.conf") + ";\n}\n");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (nginx != null) {
                nginx.destroyForcibly();
            }
        }));
        nginx = new ProcessBuilder(nginxBin.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        await("nginx listens on " + port, 10_000, () -> {
            if (!nginx.isAlive()) {
                fail("nginx exited: " + read(dir.resolve("stdout.log")) + read(dir.resolve("error.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The owner {@code node} names for {@code stream}: itself when it serves, else its redirect target. */
    private static String ownerSeenBy(String node, String stream) {
        try {
            HttpResponse<String> r = ClusterTestSupport.get(node + "/xp2p/streams?xresid=" + stream);
            if (r.statusCode() == 302) {
                URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
                return location.getScheme() + "://" + location.getRawAuthority();
            }
            return r.headers().firstValue("X-Xp2p-Node").orElse("none:" + r.statusCode());
        } catch (IOException e) {
            return "down";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Owners of all test streams when every given node names the same owner for each, else null. */
    private Map<String, String> agreedOwners(List<String> nodes) {
        Map<String, String> owners = new LinkedHashMap<>();
        for (int i = 0; i < STREAMS; i++) {
            String stream = "cam/" + i;
            String owner = ownerSeenBy(nodes.get(0), stream);
            for (String n : nodes.subList(1, nodes.size())) {
                if (!owner.equals(ownerSeenBy(n, stream))) {
                    return null;
                }
            }
            if (!nodes.contains(owner)) {
                return null;
            }
            owners.put(stream, owner);
        }
        return owners;
    }

    private Map<String, String> awaitAgreement(List<String> nodes, java.util.function.Predicate<Map<String, String>> ok) {
        Map<String, String>[] result = new Map[1];
        await("nodes " + nodes + " agree on owners", 15_000, () -> {
            result[0] = agreedOwners(nodes);
            return result[0] != null && ok.test(result[0]);
        });
        return result[0];
    }

    private static double moved(Map<String, String> before, Map<String, String> after) {
        int n = 0;
        for (String k : before.keySet()) {
            if (!before.get(k).equals(after.get(k))) {
                n++;
            }
        }
        return (double) n / before.size();
    }

    /** Opens a live stream and reads the FLV header, returning the open body (to close later). */
    private static InputStream openViewer(String url) throws Exception {
        HttpResponse<InputStream> r = FOLLOWING.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = r.body();
        if (r.statusCode() != 200) {
            String body = new String(in.readNBytes(2000), java.nio.charset.StandardCharsets.UTF_8);
            in.close();
            fail(url + " answered " + r.statusCode() + " " + r.headers().map() + " " + body);
        }
        byte[] head = in.readNBytes(3);
        assertEquals("FLV", new String(head, java.nio.charset.StandardCharsets.US_ASCII), url);
        return in;
    }

    @Test
    void nginxRoutesToOwnersNodesRedirectAndStreamsMoveOnJoinLeaveAndCrash() throws Exception {
        createSchema();
        try (InputStream rec = NginxClusterRealTest.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            origin = new ReplayOrigin(rec.readAllBytes(), 0);
        }
        List<Integer> ports = ClusterTestSupport.freePorts(5);
        List<String> nodes = List.of(base(ports.get(0)), base(ports.get(1)), base(ports.get(2)));
        String joiner = base(ports.get(3));
        String front = base(ports.get(4));
        startNode(nodes.get(0), false);
        startNode(nodes.get(1), false);
        startNode(nodes.get(2), true); // the one that will crash
        Map<String, String> owners = awaitAgreement(nodes, m -> m.values().containsAll(nodes));
        startNginx(nodes, ports.get(4));

        // 1. through nginx every stream lands on its owner: no redirect needed
        int redirects = 0;
        for (Map.Entry<String, String> e : owners.entrySet()) {
            HttpResponse<String> r = ClusterTestSupport.get(front + "/xp2p/streams?xresid=" + e.getKey());
            if (r.statusCode() == 302 || r.statusCode() == 307) {
                redirects++;
            } else {
                assertEquals(e.getValue(), r.headers().firstValue("X-Xp2p-Node").orElse(null), e.getKey());
            }
            HttpResponse<InputStream> byPath = ClusterTestSupport.open(front + "/" + e.getKey() + ".flv?xp2p=init");
            byPath.body().close();
            assertEquals(e.getValue(), byPath.headers().firstValue("X-Xp2p-Node").orElse(null), "path " + e.getKey());
        }
        System.out.printf("affinity: %d streams through nginx, %d redirected%n", owners.size(), redirects);
        assertEquals(0, redirects, "nginx's consistent hash and the plugin's owner choice agree");

        // 2. direct requests at wrong nodes are redirected, and each stream is pulled once only
        for (int i = 0; i < 4; i++) {
            String stream = "cam/" + i;
            String owner = owners.get(stream);
            String wrong = nodes.stream().filter(n -> !n.equals(owner)).findFirst().orElseThrow();
            HttpResponse<InputStream> r = ClusterTestSupport.open(wrong + "/" + stream + ".flv");
            r.body().close();
            assertEquals(302, r.statusCode());
            assertEquals(owner + "/" + stream + ".flv?xp2p_hop=1", r.headers().firstValue("Location").orElseThrow());
            List<InputStream> viewers = new ArrayList<>();
            viewers.add(openViewer(front + "/" + stream + ".flv"));
            for (String n : nodes) {
                viewers.add(openViewer(n + "/" + stream + ".flv")); // follows the redirect to the owner
            }
            assertEquals(1, origin.connections("/" + stream + ".flv"), "one origin pull for " + stream);
            for (InputStream v : viewers) {
                v.close();
            }
        }

        // 3. a node joins: only about 1/4 of the streams move, all of them to it
        long t0 = System.nanoTime();
        startNode(joiner, false);
        List<String> four = List.of(nodes.get(0), nodes.get(1), nodes.get(2), joiner);
        Map<String, String> withJoiner = awaitAgreement(four, m -> m.containsValue(joiner));
        long joinMillis = (System.nanoTime() - t0) / 1_000_000;
        double joinMoved = moved(owners, withJoiner);
        for (String k : owners.keySet()) {
            if (!owners.get(k).equals(withJoiner.get(k))) {
                assertEquals(joiner, withJoiner.get(k), k + " moved between old nodes");
            }
        }
        System.out.printf("affinity: join moved %.3f of %d streams (views agreed %d ms after start)%n",
                joinMoved, STREAMS, joinMillis);
        assertTrue(joinMoved > 0.1 && joinMoved < 0.4, "join moved " + joinMoved);

        // 4. it leaves cleanly: exactly its streams move back
        t0 = System.nanoTime();
        hosts.remove(joiner).stop();
        Map<String, String> afterLeave = awaitAgreement(nodes, m -> !m.containsValue(joiner));
        long leaveMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("affinity: clean leave moved %.3f of %d streams, views agreed %d ms after stop%n",
                moved(withJoiner, afterLeave), STREAMS, leaveMillis);
        assertEquals(owners, afterLeave);

        // 5. a node crashes (loses the database, then stops without deleting its row)
        String dead = nodes.get(2);
        String orphan = owners.entrySet().stream().filter(e -> e.getValue().equals(dead)).findFirst()
                .orElseThrow().getKey();
        t0 = System.nanoTime(); // the crash: from here on the node neither beats nor answers
        cuts.get(dead).set(true);
        hosts.remove(dead).stop();
        String[] servedBy = new String[1];
        await("a client through nginx reaches the new owner of " + orphan, 20_000, () -> {
            try {
                HttpResponse<String> r = FOLLOWING.send(HttpRequest.newBuilder(
                        URI.create(front + "/xp2p/streams?xresid=" + orphan)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                servedBy[0] = r.headers().firstValue("X-Xp2p-Node").orElse(null);
                return servedBy[0] != null;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        long failoverMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("affinity: crash failover of %s took %d ms (heartbeat %d ms x %d missed beats)%n",
                orphan, failoverMillis, BEAT, MISSED);
        List<String> survivors = nodes.subList(0, 2);
        assertTrue(survivors.contains(servedBy[0]));
        Map<String, String> afterCrash = awaitAgreement(survivors, m -> !m.containsValue(dead));
        for (String k : owners.keySet()) {
            if (!owners.get(k).equals(dead)) {
                assertEquals(owners.get(k), afterCrash.get(k), k + " of a surviving node moved");
            }
        }
        System.out.printf("affinity: crash moved %.3f of %d streams%n", moved(owners, afterCrash), STREAMS);
        // the stream can be watched again through nginx, from one origin pull at its new owner
        int before = origin.connections("/" + orphan + ".flv");
        try (InputStream v = openViewer(front + "/" + orphan + ".flv")) {
            assertEquals(before + 1, origin.connections("/" + orphan + ".flv"));
        }
    }
}
