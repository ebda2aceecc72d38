package org.xp2p.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The callback's cache over time, with a clock the test moves: an answer is reused for exactly
 * {@code cacheSeconds}, then asked again; "could not answer" is never reused.
 */
class AuthCallbackCacheTest {
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger status = new AtomicInteger(204);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private HttpServer server;
    private AuthCallback callback;

    private AuthCallback start(int cacheSeconds) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/auth", exchange -> {
            calls.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        callback = new AuthCallback(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/auth"), 2000,
                cacheSeconds, nanos::get);
        return callback;
    }

    @AfterEach
    void stop() {
        if (callback != null) {
            callback.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private AuthCallback.Verdict ask(AuthCallback c) {
        return c.ask(StreamAuth.Action.PLAY, "live/cam1", "10.0.0.7", "code-1", null);
    }

    @Test
    void answersAreReusedForCacheSecondsThenAskedAgain() throws Exception {
        AuthCallback c = start(30);
        assertEquals(AuthCallback.Verdict.ALLOW, ask(c));
        nanos.addAndGet(29_999_000_000L);
        assertEquals(AuthCallback.Verdict.ALLOW, ask(c));
        assertEquals(1, calls.get(), "reused inside the 30 s");
        status.set(403);
        nanos.addAndGet(2_000_000L);
        assertEquals(AuthCallback.Verdict.DENY, ask(c), "asked again after 30 s: the new answer counts");
        assertEquals(2, calls.get());
        assertEquals(AuthCallback.Verdict.DENY, ask(c));
        assertEquals(2, calls.get(), "a deny is cached too");
    }

    @Test
    void unavailableIsNeverCachedAndZeroSecondsCachesNothing() throws Exception {
        AuthCallback c = start(0);
        ask(c);
        ask(c);
        assertEquals(2, calls.get(), "cacheSeconds=0: every request asks");
        status.set(500);
        assertEquals(AuthCallback.Verdict.UNAVAILABLE, ask(c));
        status.set(204);
        assertEquals(AuthCallback.Verdict.ALLOW, ask(c), "the failure was not remembered");
    }
}
