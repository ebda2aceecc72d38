package org.xp2p.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.HostProcess;
import org.xp2p.testkit.Poll;

/**
 * A 200 from {@code POST /code} means the key survives {@code kill -9} of the host: the host runs
 * as its own process on the default key store (embedded H2 under {@code --data}), is killed with
 * SIGKILL in the middle of a burst of concurrent issues, and restarted on the same data directory;
 * every acknowledged code must then be found.
 */
@Tag("real")
class KeyCrashDurabilityRealTest {
    private static final Pattern ISSUED = Pattern.compile("\"code\":\"([0-9a-f-]{36})\",\"expire\":[0-9]+,\"key\":\"([0-9a-f]{64})\"");
    private static final int CLIENTS = 16;
    private static final int MAX_REQUESTS = 4_000;
    /** Kill once this many keys were acknowledged (well inside MAX_REQUESTS). */
    private static final int KILL_AFTER = 1_500;
    /** ... or after this long, whichever comes first. */
    private static final Duration BURST_LIMIT = Duration.ofSeconds(8);

    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedKeySurvivesKill9() throws Exception {
        burstKillRestart("embedded H2", "");
    }

    /** The same on PostgreSQL (.ci/postgres-start), in a schema of its own, dropped afterwards. */
    @Test
    void everyAcknowledgedKeySurvivesKill9OnPostgresql() throws Exception {
        String url = System.getenv().getOrDefault("XP2P_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:55432/xp2p");
        String schema = "xp2p_crash_" + Long.toHexString(System.nanoTime());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "xp2p", "xp2p");
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (java.sql.SQLException e) {
            org.junit.jupiter.api.Assertions.fail("PostgreSQL at " + url + " is unreachable (" + e.getMessage() + "); run .ci/postgres-start");
        }
        try {
            burstKillRestart("PostgreSQL", "xp2p.jdbc.url=" + url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema
                    + "\nxp2p.jdbc.user=xp2p\nxp2p.jdbc.password=xp2p\n");
        } finally {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "xp2p", "xp2p");
                 java.sql.Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private void burstKillRestart(String store, String storeConfig) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path config = tmp.resolve("xp2p.properties");
        // one client address sends the whole burst: lift the per-client issue limit
        Files.writeString(config, "xp2p.key.ratePerMinute=1000000\nxp2p.key.burst=1000000\n" + storeConfig);
        List<String> args = List.of("-p", "0", "--data", data.toString(), "--config", config.toString());

        Map<String, String> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failedAfterKill = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        long burstMillis;
        try (HostProcess host = HostProcess.start(tmp.resolve("host-1.log"), args)) {
            URI code = URI.create(host.awaitListening(60_000) + "/code");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long start = System.nanoTime();
            for (int i = 0; i < CLIENTS; i++) {
                clients.execute(() -> {
                    while (!stop.get() && sent.incrementAndGet() <= MAX_REQUESTS) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(code).timeout(Duration.ofSeconds(5))
                                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                            Matcher m = ISSUED.matcher(r.body());
                            if (r.statusCode() == 200 && m.find()) {
                                acknowledged.put(m.group(1), m.group(2));
                            } else {
                                unexpected.add(r.statusCode() + " " + r.body());
                            }
                        } catch (IOException e) {
                            if (killed.get()) {
                                failedAfterKill.incrementAndGet();
                            } else {
                                unexpected.add(e.toString());
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
            long killAt = start + BURST_LIMIT.toNanos();
            Poll.await(KILL_AFTER + " acknowledged keys or " + BURST_LIMIT.toSeconds() + " s of burst", 30_000,
                    () -> acknowledged.size() >= KILL_AFTER || sent.get() >= MAX_REQUESTS || System.nanoTime() > killAt);
            killed.set(true);
            host.kill9();   // while the clients keep sending
            burstMillis = (System.nanoTime() - start) / 1_000_000;
            stop.set(true);
            clients.shutdown();
            assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS), "clients stopped");
            assertEquals(137, host.process().exitValue(), "killed by SIGKILL");
        }
        assertTrue(unexpected.isEmpty(), "every answer before the kill was a key: " + unexpected.stream().limit(5).toList());
        assertTrue(sent.get() < MAX_REQUESTS, "the kill came while the burst ran (sent " + sent.get() + ")");
        assertTrue(acknowledged.size() >= 100, "a real burst was acknowledged before the kill: " + acknowledged.size());
        assertTrue(failedAfterKill.get() > 0, "requests were in flight or refused at the kill");

        List<String> missing = new ArrayList<>();
        try (HostProcess host = HostProcess.start(tmp.resolve("host-2.log"), args)) {
            KeyHttp http = new KeyHttp(host.awaitListening(60_000));
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                HttpResponse<String> r = http.get(e.getKey());
                if (r.statusCode() != 200 || !r.body().equals("{\"key\":\"" + e.getValue() + "\"}")) {
                    missing.add(e.getKey() + " -> " + r.statusCode());
                }
            }
        }
        int found = acknowledged.size() - missing.size();
        System.out.printf("kill -9 during a burst of POST /code on %s (%d clients, %d ms, %d sent, %d failed at the kill):"
                        + " %d acknowledged, %d found after restart%n",
                store, CLIENTS, burstMillis, Math.min(sent.get(), MAX_REQUESTS), failedAfterKill.get(), acknowledged.size(), found);
        assertEquals(List.of(), missing.stream().limit(10).toList(),
                missing.size() + " of " + acknowledged.size() + " acknowledged keys lost at kill -9");
    }
}
