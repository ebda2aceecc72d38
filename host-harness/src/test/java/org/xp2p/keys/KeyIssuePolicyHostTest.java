package org.xp2p.keys;

import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.xp2p.keys.KeyHttp.assertError;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/** Who may call POST /code: per-address rate limit, shared secret, allowed origins. */
class KeyIssuePolicyHostTest {
    private static final String SECRET = "s3cret-s3cret-s3cret";
    private static final String ORIGIN = "http://viewer.example:8080";

    @TempDir
    Path data;
    private final TestClock clock = TestClock.startingNow();
    private Host host;

    @AfterEach
    void stop() throws Exception {
        if (host != null) {
            host.stop();
        }
    }

    private KeyHttp start(Object... settings) throws Exception {
        Host.Builder b = Host.builder().port(0).setting("xp2p.data", data).attribute("xp2p.clock", clock);
        for (int i = 0; i < settings.length; i += 2) {
            b.setting((String) settings[i], settings[i + 1]);
        }
        host = b.build().start();
        return new KeyHttp(host.baseUri());
    }

    @Test
    void overLimitPostIs429WithRetryAfterAndRefills() throws Exception {
        KeyHttp http = start("xp2p.key.ratePerMinute", 2, "xp2p.key.burst", 3);
        String first = http.issue().get("code");
        http.issue();
        http.issue();
        HttpResponse<String> limited = http.post();
        assertError(limited, 429, "rate_limited");
        // 2 per minute: the next token is 30 s away
        assertEquals("30", limited.headers().firstValue("Retry-After").orElse(null));
        // lookups are not limited
        for (int i = 0; i < 5; i++) {
            assertEquals(200, http.get(first).statusCode());
        }
        clock.advance(Duration.ofSeconds(29));
        HttpResponse<String> almost = http.post();
        assertError(almost, 429, "rate_limited");
        assertEquals("1", almost.headers().firstValue("Retry-After").orElse(null));
        clock.advance(Duration.ofSeconds(1));
        http.issue();
        assertError(http.post(), 429, "rate_limited");
    }

    @Test
    void secretIsRequiredWhenConfigured() throws Exception {
        KeyHttp http = start("xp2p.key.secret", SECRET);
        assertError(http.post(), 403, "bad_secret");
        assertError(http.post("X-Xp2p-Secret", "wrong-wrong-wrong-wrong"), 403, "bad_secret");
        assertError(http.post("X-Xp2p-Secret", SECRET + "x"), 403, "bad_secret");
        String code = http.issue("X-Xp2p-Secret", SECRET).get("code");
        // reading a key needs only the code
        assertEquals(200, http.get(code).statusCode());
    }

    @Test
    void originMustBeListedWhenConfigured() throws Exception {
        KeyHttp http = start("xp2p.key.allowedOrigins", "https://other.example," + ORIGIN);
        assertError(http.post(), 403, "origin_not_allowed");
        assertError(http.post("Origin", "http://evil.example"), 403, "origin_not_allowed");
        assertError(http.post("Origin", ORIGIN + "/"), 403, "origin_not_allowed");
        HttpResponse<String> ok = http.post("Origin", ORIGIN);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(ORIGIN, ok.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertFalse(KeyHttp.json(ok).get("key").isEmpty());
    }

    @Test
    void secretAndOriginTogether() throws Exception {
        KeyHttp http = start("xp2p.key.allowedOrigins", ORIGIN, "xp2p.key.secret", SECRET);
        assertError(http.post("Origin", ORIGIN), 403, "bad_secret");
        assertError(http.post("X-Xp2p-Secret", SECRET), 403, "origin_not_allowed");
        http.issue("Origin", ORIGIN, "X-Xp2p-Secret", SECRET);
    }
}
