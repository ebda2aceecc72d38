package org.xp2p.relay;

import org.xp2p.testkit.RawHttp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.testkit.Poll;

/**
 * {@code xp2p.auth.mode=token} on a real host, over raw HTTP: signed URLs for the stream, init and
 * chunks, the attack table, the same answer for streams that exist and that do not, and
 * {@code token} never reaching the origin. Tokens are made here from docs/PROTOCOL.md 6.3, not with
 * the plugin's code.
 */
class StreamTokenAuthTest {
    static final String SECRET = "0123456789abcdef-test-secret";

    @TempDir
    Path data;

    private final RelayFixture fx = new RelayFixture();

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    static String token(String secret, String stream, long expiry) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] sig = mac.doFinal(("xp2p-swarm-v1\n" + stream + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
        return expiry + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    RawHttp.Answer raw(String target) throws IOException {
        return RawHttp.request(fx.host.port(), "GET", target);
    }

    private void startHost() throws Exception {
        fx.start(data, Map.of("xp2p.auth.mode", "token", "xp2p.swarm.tokenSecret", SECRET));
        fx.origin.serve("/live/cam1.flv");
    }

    private static void assertRefused(RawHttp.Answer a, int status, String reason, String what) {
        assertEquals(status, a.status(), what + ": " + a);
        assertTrue(a.body().contains("\"error\":\"" + reason + "\""), what + ": " + a.body());
    }

    @Test
    void aValidTokenOpensTheStreamInitAndChunksOfItsStreamOnly() throws Exception {
        startHost();
        String t = token(SECRET, "live/cam1", now() + 600);
        RawHttp.Answer stream = raw("/live/cam1.flv?token=" + t);
        assertEquals(200, stream.status(), stream.toString());
        // the stream is live now: init and chunk with the same token
        AtomicReference<RawHttp.Answer> last = new AtomicReference<>();
        Poll.await("init with the token", 10_000, () -> answer(last, "/live/cam1.flv?xp2p=init&token=" + t).status() == 200);
        Poll.await("chunk 0 closed", 10_000, () -> answer(last, "/live/cam1.flv?xp2p=chunk&seq=0&token=" + t).status() != 425);
        RawHttp.Answer chunk = last.get();
        assertTrue(chunk.status() == 200 || chunk.status() == 404, chunk.toString()); // authorised either way
        // and the same requests without a token, or with it for another stream, are refused
        assertRefused(raw("/live/cam1.flv?xp2p=init"), 401, "token_missing", "init without token");
        assertRefused(raw("/live/cam1.flv?xp2p=chunk&seq=0"), 401, "token_missing", "chunk without token");
        String other = token(SECRET, "live/cam2", now() + 600);
        assertRefused(raw("/live/cam1.flv?xp2p=init&token=" + other), 403, "token_bad", "init, other stream");
        assertRefused(raw("/live/cam1.flv?xp2p=chunk&seq=0&token=" + other), 403, "token_bad", "chunk, other stream");
    }

    @Test
    void theTokenIsBoundToXresidWhenGiven() throws Exception {
        startHost();
        String byId = token(SECRET, "room-7", now() + 600);
        assertEquals(200, raw("/live/cam1.flv?xresid=room-7&token=" + byId).status());
        assertRefused(raw("/live/cam1.flv?token=" + byId), 403, "token_bad", "path id, token for xresid");
        String byPath = token(SECRET, "live/cam1", now() + 600);
        assertRefused(raw("/live/cam1.flv?xresid=room-7&token=" + byPath), 403, "token_bad", "xresid, path token");
    }

    @Test
    void attackTable() throws Exception {
        startHost();
        String good = token(SECRET, "live/cam1", now() + 600);
        String sig = good.substring(good.indexOf('.') + 1);
        long exp = now() + 600;
        Object[][] table = {
            {"wrong stream", token(SECRET, "live/cam2", exp), 403, "token_bad"},
            {"expired", token(SECRET, "live/cam1", now() - 5), 403, "token_expired"},
            {"bad signature", exp + "." + sig.substring(0, sig.length() - 1) + (sig.endsWith("A") ? "B" : "A"), 403, "token_bad"},
            {"wrong secret", token(SECRET + "x", "live/cam1", exp), 403, "token_bad"},
            {"truncated", good.substring(0, good.length() - 5), 403, "token_bad"},
            {"signature only", sig, 403, "token_bad"},
            {"expiry only", exp + ".", 403, "token_bad"},
            {"non-numeric expiry", "abc." + sig, 403, "token_bad"},
            {"signed expiry", "+" + good, 403, "token_bad"},
            {"huge expiry", "99999999999999999999." + sig, 403, "token_bad"},
            {"max long expiry, unsigned", Long.MAX_VALUE + "." + sig, 403, "token_bad"},
            {"extra dot", good + ".x", 403, "token_bad"},
            {"extra dot inside", exp + ".." + sig, 403, "token_bad"},
            {"expired but re-dated", (now() + 600) + "." + token(SECRET, "live/cam1", now() - 5).split("\\.")[1],
                403, "token_bad"},
            {"empty", "", 401, "token_missing"},
            {"very long", "1".repeat(1500) + "." + sig, 403, "token_bad"},
        };
        for (Object[] row : table) {
            for (String mode : new String[] {"", "xp2p=init&", "xp2p=chunk&seq=0&"}) {
                RawHttp.Answer a = raw("/live/cam1.flv?" + mode + "token=" + row[1]);
                assertRefused(a, (int) row[2], (String) row[3], row[0] + " (" + mode + ")");
            }
        }
        assertEquals(0, fx.origin.totalConnections(), "a refused request never reaches the origin");
    }

    @Test
    void theAnswerDoesNotDependOnWhetherTheStreamExists() throws Exception {
        startHost();
        fx.origin.respond("/live/nothere.flv", 404);
        String wrong = token(SECRET, "live/other", now() + 600);
        for (String q : new String[] {"", "?token=" + wrong, "?xp2p=init", "?xp2p=chunk&seq=3&token=" + wrong}) {
            RawHttp.Answer live = raw("/live/cam1.flv" + q);
            RawHttp.Answer none = raw("/live/nothere.flv" + q);
            assertEquals(live.status(), none.status(), q);
            assertEquals(live.body(), none.body(), q);
        }
        assertEquals(0, fx.origin.totalConnections());
    }

    @Test
    void theTokenIsNeverForwardedToTheOrigin() throws Exception {
        startHost();
        assertTrue(StreamAddress.isOwnParameter("token"));
        String t = token(SECRET, "live/cam1", now() + 600);
        StreamAddress a = StreamAddress.parse("/live/cam1.flv", "a=1&token=" + t + "&b=2");
        assertEquals("a=1&b=2", a.upstreamQuery());
        assertEquals(200, raw("/live/cam1.flv?a=1&token=" + t).status());
    }

    @Test
    void modeNoneKeepsTodaysBehaviour() throws Exception {
        fx.start(data, Map.of());
        fx.origin.serve("/live/cam1.flv");
        assertEquals(200, raw("/live/cam1.flv").status());
    }

    /** One request for {@link Poll#await}: the answer is kept for the assertions after the wait. */
    private RawHttp.Answer answer(AtomicReference<RawHttp.Answer> last, String target) {
        try {
            last.set(raw(target));
            return last.get();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
