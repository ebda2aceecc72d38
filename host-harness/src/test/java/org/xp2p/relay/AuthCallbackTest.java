package org.xp2p.relay;

import org.xp2p.testkit.RawHttp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xp2p.auth.mode=callback} / {@code token-or-callback} on a real host against a local auth
 * server: allow, deny, cache hits (calls counted), timeout closed (503) and open, and the JSON the
 * node sends. The auth server decides by the credential: token {@code let-me-in} 204, {@code slow}
 * sleeps 3 s, {@code broken} 500, anything else 403.
 */
class AuthCallbackTest {
    static final String SECRET = "0123456789abcdef-test-secret";

    @TempDir
    Path data;

    private final RelayFixture fx = new RelayFixture();
    private HttpServer auth;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startAuthServer() throws Exception {
        auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auth.setExecutor(Executors.newCachedThreadPool());
        auth.createContext("/auth", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            calls.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " " + body);
            int status = body.contains("\"let-me-in\"") ? 204 : body.contains("\"broken\"") ? 500 : 403;
            if (body.contains("\"slow\"")) {
                try {
                    // a callback server slower than the node's timeout: the delay is the behaviour under test
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 204;
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        auth.start();
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
        auth.stop(0);
    }

    private void startHost(Map<String, String> extra) throws Exception {
        Map<String, String> s = new HashMap<>(Map.of("xp2p.auth.mode", "callback",
                "xp2p.auth.callbackUrl", "http://127.0.0.1:" + auth.getAddress().getPort() + "/auth",
                "xp2p.auth.cacheSeconds", "60", "xp2p.auth.timeoutMillis", "500"));
        s.putAll(extra);
        fx.start(data, s);
    }

    RawHttp.Answer raw(String target) throws Exception {
        return RawHttp.request(fx.host.port(), "GET", target);
    }

    private static void assertRefused(RawHttp.Answer a, int status, String reason) {
        assertEquals(status, a.status(), a.toString());
        assertTrue(a.body().contains("\"error\":\"" + reason + "\""), a.body());
    }

    @Test
    void allowDenyAndTheDocumentSent() throws Exception {
        startHost(Map.of());
        assertEquals(200, raw("/live/cam1.flv?token=let-me-in").status());
        assertEquals(1, calls.size());
        String call = calls.get(0);
        assertTrue(call.startsWith("POST application/json"), call);
        assertTrue(call.contains("{\"action\":\"play\",\"stream\":\"live/cam1\",\"client\":\"127.0.0.1\",\"token\":\"let-me-in\"}"),
                call);
        assertRefused(raw("/live/cam1.flv?code=nope"), 403, "denied");
        assertTrue(calls.get(1).contains("\"code\":\"nope\""), calls.get(1));
        assertRefused(raw("/live/cam1.flv"), 401, "credentials_missing");
        // init and chunk go through the same decision
        assertRefused(raw("/live/cam1.flv?xp2p=init&token=wrong"), 403, "denied");
        assertRefused(raw("/live/cam1.flv?xp2p=chunk&seq=0&token=wrong"), 403, "denied");
        int init = raw("/live/cam1.flv?xp2p=init&token=let-me-in").status();
        assertTrue(init == 200 || init == 404, "allowed through to the stream lookup: " + init);
        // same answer for a stream that does not exist
        assertRefused(raw("/never/existed.flv?token=wrong"), 403, "denied");
    }

    @Test
    void answersAreCachedPerActionStreamClientAndCredential() throws Exception {
        startHost(Map.of());
        for (int i = 0; i < 5; i++) {
            assertEquals(200, raw("/live/cam1.flv?token=let-me-in").status());
            assertRefused(raw("/live/cam1.flv?token=wrong"), 403, "denied");
        }
        assertEquals(2, calls.size(), "one call per distinct (stream, credential): " + calls);
        raw("/live/cam2.flv?token=let-me-in");
        assertEquals(3, calls.size(), "another stream is another question");
    }

    @Test
    void aCallbackThatCannotAnswerFailsClosedWith503() throws Exception {
        startHost(Map.of());
        long t0 = System.nanoTime();
        assertRefused(raw("/live/cam1.flv?token=slow"), 503, "auth_unavailable");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < 2500, "bounded by xp2p.auth.timeoutMillis, took " + millis + " ms");
        assertRefused(raw("/live/cam1.flv?token=broken"), 503, "auth_unavailable");
        int before = calls.size();
        raw("/live/cam1.flv?token=broken");
        assertEquals(before + 1, calls.size(), "unavailability is never cached");
        auth.stop(0);
        assertRefused(raw("/live/cam1.flv?token=other"), 503, "auth_unavailable");
    }

    @Test
    void failOpenLetsTheRequestThroughWhenTheCallbackCannotAnswer() throws Exception {
        startHost(Map.of("xp2p.auth.failOpen", "true"));
        assertEquals(200, raw("/live/cam1.flv?token=slow").status());
        assertRefused(raw("/live/cam1.flv?token=wrong"), 403, "denied"); // a real deny still denies
    }

    @Test
    void tokenOrCallbackLetsAValidTokenThroughWithoutACall() throws Exception {
        startHost(Map.of("xp2p.auth.mode", "token-or-callback", "xp2p.swarm.tokenSecret", SECRET));
        String t = StreamTokenAuthTest.token(SECRET, "live/cam1", System.currentTimeMillis() / 1000 + 600);
        assertEquals(200, raw("/live/cam1.flv?token=" + t).status());
        assertEquals(0, calls.size());
        assertRefused(raw("/live/cam2.flv?token=" + t), 403, "token_bad");
        assertEquals(0, calls.size(), "a given token decides alone");
        assertRefused(raw("/live/cam1.flv?code=x"), 403, "denied"); // no token: the callback decides
        assertTrue(calls.get(0).contains("\"code\":\"x\""), calls.toString());
    }
}
