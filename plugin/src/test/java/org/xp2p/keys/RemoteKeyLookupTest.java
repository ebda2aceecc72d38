package org.xp2p.keys;

import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The remote lookup against a real (JDK) HTTP server on loopback playing the original key server. */
class RemoteKeyLookupTest {
    private static final String KNOWN = "123e4567-e89b-42d3-a456-426614174000";
    private static final String KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Map<String, String[]> answers = new ConcurrentHashMap<>();   // code -> {status, body}
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/code/", this::answer);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/code/");
        answers.put(KNOWN, new String[] {"200", "{\"key\":\"" + KEY_HEX + "\"}"});
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String code = ex.getRequestURI().getPath().substring("/code/".length());
        String[] a = answers.getOrDefault(code, new String[] {"404", "{\"error\":\"not_found\"}"});
        if (a[0].equals("slow")) {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            a = new String[] {"200", "{\"key\":\"" + KEY_HEX + "\"}"};
        }
        byte[] body = a[1].getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(Integer.parseInt(a[0]), body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    private RemoteKeyLookup lookup(int cacheSize) {
        return new RemoteKeyLookup(base, clock, Duration.ofSeconds(60), cacheSize, Duration.ofMillis(500));
    }

    @Test
    void hitIsFetchedOnceThenCachedUntilCacheTimeEnds() {
        RemoteKeyLookup lookup = lookup(10);
        assertArrayEquals(HexFormat.of().parseHex(KEY_HEX), lookup.find(KNOWN).orElseThrow());
        assertArrayEquals(HexFormat.of().parseHex(KEY_HEX), lookup.find(KNOWN.toUpperCase()).orElseThrow());
        assertEquals(1, requests.get());
        clock.advance(Duration.ofSeconds(59));
        lookup.find(KNOWN);
        assertEquals(1, requests.get());
        clock.advance(Duration.ofSeconds(1));
        lookup.find(KNOWN);
        assertEquals(2, requests.get());
    }

    @Test
    void unknownIsEmptyAndNotCached() {
        RemoteKeyLookup lookup = lookup(10);
        String unknown = "00000000-0000-4000-8000-000000000000";
        assertFalse(lookup.find(unknown).isPresent());
        answers.put(unknown, new String[] {"200", "{\"key\":\"" + KEY_HEX + "\"}"});
        assertTrue(lookup.find(unknown).isPresent(), "a code issued after a miss works at once");
        assertEquals(2, requests.get());
    }

    @Test
    void malformedCodeNeverReachesTheServer() {
        RemoteKeyLookup lookup = lookup(10);
        assertFalse(lookup.find("../admin").isPresent());
        assertFalse(lookup.find("x").isPresent());
        assertEquals(0, requests.get());
    }

    @Test
    void badAnswersMeanUnavailable() {
        RemoteKeyLookup lookup = lookup(10);
        String[][] bad = {
            {"500", "{\"error\":\"boom\"}"}, {"200", "not json"}, {"200", "{\"nokey\":\"00\"}"},
            {"200", "{\"key\":\"abc\"}"}, {"200", "{\"key\":\"zz\"}"}, {"302", ""}, {"slow", ""},
        };
        for (int i = 0; i < bad.length; i++) {
            String code = String.format("00000000-0000-4000-8000-%012d", i + 1);
            answers.put(code, bad[i]);
            KeyStoreUnavailableException e = assertThrows(KeyStoreUnavailableException.class, () -> lookup.find(code),
                    bad[i][0] + " " + bad[i][1]);
            assertTrue(e.getMessage().contains(base + code), e.getMessage());
        }
    }

    @Test
    void unreachableServerMeansUnavailable() {
        RemoteKeyLookup lookup = lookup(10);
        server.stop(0);
        assertThrows(KeyStoreUnavailableException.class, () -> lookup.find(KNOWN));
    }

    @Test
    void cacheIsBounded() {
        RemoteKeyLookup lookup = lookup(2);
        for (int i = 0; i < 5; i++) {
            String code = String.format("00000000-0000-4000-8000-%012d", 100 + i);
            answers.put(code, new String[] {"200", "{\"key\":\"" + KEY_HEX + "\"}"});
            lookup.find(code);
        }
        assertEquals(2, lookup.cachedEntries());
    }
}
