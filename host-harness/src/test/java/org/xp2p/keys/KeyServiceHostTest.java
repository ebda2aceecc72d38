package org.xp2p.keys;

import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.keys.KeyHttp.assertError;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xp2p.host.Host;

/** The key service's HTTP contract on the embedded host with default settings (docs/PROTOCOL.md §1). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyServiceHostTest {
    @TempDir
    static Path data;
    private final TestClock clock = TestClock.startingNow();
    private Host host;
    private KeyHttp http;

    @BeforeAll
    void start() throws Exception {
        host = Host.builder().port(0).setting("xp2p.data", data).setting("xp2p.key.burst", 1000)
                .attribute("xp2p.clock", clock).build().start();
        http = new KeyHttp(host.baseUri());
    }

    @AfterAll
    void stop() throws Exception {
        host.stop();
    }

    @Test
    void postIssuesRandomCodeAndKeyExpiringAfterDefaultTtl() throws Exception {
        Map<String, String> a = http.issue();
        Map<String, String> b = http.issue();
        assertTrue(KeyHttp.UUID.matcher(a.get("code")).matches(), a.toString());
        assertTrue(KeyHttp.HEX64.matcher(a.get("key")).matches(), a.toString());
        assertEquals(clock.instant().getEpochSecond() + 1800, Long.parseLong(a.get("expire")));
        assertNotEquals(a.get("code"), b.get("code"));
        assertNotEquals(a.get("key"), b.get("key"));
    }

    @Test
    void getReturnsTheIssuedKeyAndAcceptsUpperCaseCodes() throws Exception {
        Map<String, String> issued = http.issue();
        for (String code : new String[] {issued.get("code"), issued.get("code").toUpperCase(Locale.ROOT)}) {
            HttpResponse<String> r = http.get(code);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(Map.of("key", issued.get("key")), KeyHttp.json(r));
        }
    }

    @Test
    void keysDifferAcrossManyIssues() throws Exception {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            keys.add(http.issue().get("key"));
        }
        assertEquals(20, keys.size());
    }

    @Test
    void unknownCodeIs404() throws Exception {
        assertError(http.get("123e4567-e89b-42d3-a456-426614174000"), 404, "not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "123e4567e89b42d3a456426614174000", "123e4567-e89b-42d3-a456-42661417400g",
            "123e4567-e89b-42d3-a456-4266141740001", "x/y", "%27%20OR%201%3D1%20--", "..%2F..%2Fetc%2Fpasswd"})
    void malformedCodesAre404WithJson(String code) throws Exception {
        HttpResponse<String> r = http.get(code);
        // Jetty itself refuses some encoded paths before the servlet (400); all others are our 404 JSON
        if (r.statusCode() == 400) {
            assertFalse(r.body().contains("Exception"), r.body());
            return;
        }
        assertError(r, 404, "not_found");
    }

    @Test
    void expiredKeyIsNeverReturned() throws Exception {
        Map<String, String> issued = http.issue();
        clock.advance(Duration.ofSeconds(1799));
        assertEquals(200, http.get(issued.get("code")).statusCode());
        clock.advance(Duration.ofSeconds(1));
        assertError(http.get(issued.get("code")), 404, "not_found");
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        String code = http.issue().get("code");
        HttpResponse<String> r = http.send("GET", "/code");
        assertError(r, 405, "method_not_allowed");
        assertEquals("POST", r.headers().firstValue("Allow").orElse(null));
        for (String method : new String[] {"PUT", "DELETE", "PATCH"}) {
            HttpResponse<String> onCollection = http.send(method, "/code");
            assertError(onCollection, 405, "method_not_allowed");
            assertEquals("POST", onCollection.headers().firstValue("Allow").orElse(null));
        }
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS"}) {
            HttpResponse<String> onItem = http.send(method, "/code/" + code);
            assertError(onItem, 405, "method_not_allowed");
            assertEquals("GET", onItem.headers().firstValue("Allow").orElse(null));
        }
        // none of that touched the key
        assertEquals(200, http.get(code).statusCode());
    }
}
