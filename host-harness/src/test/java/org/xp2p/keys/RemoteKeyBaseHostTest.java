package org.xp2p.keys;

import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.xp2p.keys.KeyHttp.assertError;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/**
 * {@code xp2p.keyBase}: node B finds keys issued by node A over HTTP ({@code GET {keyBase}{code}}),
 * caches hits for {@code xp2p.keyBase.cacheSeconds}, answers unknown codes with 404 and an
 * unreachable key server with 503. B's {@code GET /code/{code}} answers through its lookup.
 */
class RemoteKeyBaseHostTest {
    @TempDir
    Path dataA;
    @TempDir
    Path dataB;
    private final TestClock clockB = TestClock.startingNow();
    private Host a;
    private Host b;

    @AfterEach
    void stop() throws Exception {
        if (b != null) {
            b.stop();
        }
        if (a != null) {
            a.stop();
        }
    }

    @Test
    void lookupGoesToKeyBaseAndCachesHits() throws Exception {
        a = Host.builder().port(0).setting("xp2p.data", dataA).build().start();
        b = Host.builder().port(0).setting("xp2p.data", dataB)
                .setting("xp2p.keyBase", a.baseUri() + "/code/")
                .setting("xp2p.keyBase.cacheSeconds", 30)
                .setting("xp2p.keyBase.timeoutMillis", 1000)
                .attribute("xp2p.clock", clockB).build().start();
        KeyHttp onA = new KeyHttp(a.baseUri());
        KeyHttp onB = new KeyHttp(b.baseUri());

        Map<String, String> cached = onA.issue();
        Map<String, String> uncached = onA.issue();
        assertEquals(Map.of("key", cached.get("key")), KeyHttp.json(onB.get(cached.get("code"))));
        assertError(onB.get("123e4567-e89b-42d3-a456-426614174000"), 404, "not_found");
        assertError(onB.get("not-a-code"), 404, "not_found");

        for (String method : new String[] {"POST", "GET"}) {
            HttpResponse<String> r = onB.send(method, "/code");
            assertError(r, 405, "method_not_allowed");
            assertEquals("", r.headers().firstValue("Allow").orElse(null));
        }

        a.stop();
        a = null;
        // a cached hit outlives the key server for cacheSeconds
        assertEquals(Map.of("key", cached.get("key")), KeyHttp.json(onB.get(cached.get("code"))));
        assertError(onB.get(uncached.get("code")), 503, "unavailable");
        clockB.advance(Duration.ofSeconds(30));
        assertError(onB.get(cached.get("code")), 503, "unavailable");
    }
}
