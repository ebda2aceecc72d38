package org.xp2p.host;

import org.xp2p.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Undeploy leaves no thread behind: after {@link Host#stop()} no thread named {@code xp2p-*} and
 * no JDK HttpClient worker thread started while the plugin ran is alive.
 *
 * <p>Excluded: a Java 17 HttpClient's {@code HttpClient-N-SelectorManager} thread. Java 17 has no
 * {@code HttpClient.close()/shutdownNow()}; that thread only ends once the client is unreachable
 * and collected, which no undeploy can force ({@code HttpClients.shutdown} stops it on Java 21+).
 */
class UndeployThreadsTest {
    private static final Pattern SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");
    private static final String CODE = "123e4567-e89b-42d3-a456-426614174000";

    @TempDir
    Path tmp;
    private HttpServer keyServer;
    private ExecutorService keyServerThreads;
    private Set<Thread> before;

    @BeforeEach
    void start() throws IOException {
        keyServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        keyServer.createContext("/code/", ex -> {
            byte[] body = "{\"key\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        keyServerThreads = Executors.newFixedThreadPool(2);
        keyServer.setExecutor(keyServerThreads);
        keyServer.start();
        before = Thread.getAllStackTraces().keySet();
    }

    @AfterEach
    void stop() {
        keyServer.stop(0);
        keyServerThreads.shutdownNow();
    }

    private List<String> leftovers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t))
                .map(Thread::getName)
                .filter(n -> n.startsWith("xp2p-") || (n.startsWith("HttpClient-") && !SELECTOR.matcher(n).matches()))
                .sorted().collect(Collectors.toList());
    }

    /** The test covers what it claims: a thread of each named pool runs while the plugin does. */
    private static void assertRunning(String... prefixes) {
        List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
        for (String p : prefixes) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(p)), p + "* not running: " + names);
        }
    }

    private static int get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        try {
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            if (in != null) {
                in.readAllBytes();
                in.close();
            }
            return status;
        } finally {
            c.disconnect();
        }
    }

    /** Remote keys, relay, swarm, proxy-mode affinity with database membership. */
    @Test
    void noPluginThreadOutlivesStopWithRemoteKeysAndCluster() throws Exception {
        int port = freePort();
        String self = "http://127.0.0.1:" + port;
        Host host = Host.builder().port(port).setting("xp2p.data", tmp.toString())
                .setting("xp2p.origin", "http://127.0.0.1:9/")
                .setting("xp2p.keyBase", "http://127.0.0.1:" + keyServer.getAddress().getPort() + "/code/")
                .settings(Map.of("xp2p.cluster.membership", "database", "xp2p.cluster.self", self,
                        "xp2p.cluster.mode", "proxy", "xp2p.cluster.heartbeatMillis", "50"))
                .build().start();
        try {
            // a key lookup through the remote key service, and chunk answers of the relay
            get(self + "/live/cam1.flv?xp2p=chunk&seq=0&code=" + CODE);
            get(self + "/live/cam1.flv?xp2p=init&code=" + CODE);
            assertRunning("xp2p-relay-timer", "xp2p-swarm-housekeeping", "xp2p-cluster-membership",
                    "xp2p-keys-http");
        } finally {
            host.stop();
        }
        Poll.await("no plugin thread after stop(): " + leftovers(), 2_000, () -> leftovers().isEmpty());
    }

    /** Local key issuing (the purge scheduler), relay and swarm, no cluster. */
    @Test
    void noPluginThreadOutlivesStopWithLocalKeys() throws Exception {
        Host host = Host.builder().port(0).setting("xp2p.data", tmp.toString())
                .setting("xp2p.origin", "http://127.0.0.1:9/").build().start();
        try {
            get(host.baseUri() + "/live/cam1.flv?xp2p=chunk&seq=0");
            assertRunning("xp2p-relay-timer", "xp2p-swarm-housekeeping", "xp2p-key-purge");
        } finally {
            host.stop();
        }
        Poll.await("no plugin thread after stop(): " + leftovers(), 2_000, () -> leftovers().isEmpty());
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
