package org.xp2p.keys;

import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Simultaneous misses for one code cost one call to the key server: a real (JDK) HTTP server on
 * loopback counts the requests and holds its answer until every caller is waiting for it.
 */
class RemoteKeySingleFlightTest {
    private static final String CODE = "123e4567-e89b-42d3-a456-426614174000";
    private static final String KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final int CALLERS = 8;

    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch allWaiting = new CountDownLatch(CALLERS);
    private volatile int status = 200;
    private HttpServer server;
    private ExecutorService serverThreads;
    private ExecutorService callers;
    private URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/code/", this::answer);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/code/");
        callers = Executors.newFixedThreadPool(CALLERS);
    }

    @AfterEach
    void stop() {
        for (int i = 0; i < CALLERS; i++) {
            allWaiting.countDown();
        }
        callers.shutdownNow();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private void answer(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try {
            // bounded: without single flight every caller's own request is held here too
            allWaiting.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = (status == 200 ? "{\"key\":\"" + KEY_HEX + "\"}" : "{\"error\":\"x\"}")
                .getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    private RemoteKeyLookup lookup() {
        RemoteKeyLookup lookup = new RemoteKeyLookup(base, new TestClock(Instant.parse("2026-01-01T00:00:00Z")),
                Duration.ofSeconds(60), 10, Duration.ofSeconds(15));
        lookup.awaitingAnswer = allWaiting::countDown;
        return lookup;
    }

    private List<Future<Optional<byte[]>>> findAll(RemoteKeyLookup lookup) {
        List<Future<Optional<byte[]>>> results = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            results.add(callers.submit(() -> lookup.find(CODE)));
        }
        return results;
    }

    @Test
    void simultaneousMissesMakeExactlyOneRequest() throws Exception {
        RemoteKeyLookup lookup = lookup();
        for (Future<Optional<byte[]>> f : findAll(lookup)) {
            Optional<byte[]> key = f.get(30, TimeUnit.SECONDS);
            assertArrayEquals(HexFormat.of().parseHex(KEY_HEX), key.orElseThrow());
        }
        assertEquals(1, requests.get(), "requests to the key server");
        // cached afterwards
        assertTrue(lookup.find(CODE).isPresent());
        assertEquals(1, requests.get());
    }

    @Test
    void aFailureReachesEveryWaiterAndIsNotCached() throws Exception {
        status = 500;
        RemoteKeyLookup lookup = lookup();
        for (Future<Optional<byte[]>> f : findAll(lookup)) {
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> f.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof KeyStoreUnavailableException, e.getCause().toString());
        }
        assertEquals(1, requests.get(), "requests to the key server");
        status = 200;
        assertTrue(lookup.find(CODE).isPresent(), "the failure must not be cached");
        assertEquals(2, requests.get());
    }
}
