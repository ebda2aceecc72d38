package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.IssuedCode;
import org.xp2p.host.Host;
import org.xp2p.testkit.Poll;
import org.xp2p.testkit.ReplayOrigin;

/**
 * Rooms made only of signalling peers, with no http-flv viewer at all: the join pulls the stream,
 * {@code stream} tells the members where the init segment and chunks are, the chunks they fetch
 * match the digests, the pull lives as long as the room (or chunk requests) and failures reach the
 * members as {@code stream-failed} (docs/PROTOCOL.md sections 2.5, 4, 5, 6).
 */
class PeersOnlyRoomTest {
    private static final String CONTEXT = "/p2p";

    @TempDir
    Path data;

    private ReplayOrigin origin;
    private Host host;
    private final List<SignalClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SignalClient::close);
        if (host != null) {
            host.stop();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private void start(Map<String, String> settings) throws Exception {
        origin = new ReplayOrigin(demoRecording(), 0);
        Host.Builder b = Host.builder().port(0).contextPath(CONTEXT).setting("xp2p.data", data)
                .setting("xp2p.origin", origin.baseUri());
        settings.forEach(b::setting);
        host = b.build().start();
    }

    private static byte[] demoRecording() throws IOException {
        try (InputStream in = PeersOnlyRoomTest.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            return in.readAllBytes();
        }
    }

    private SignalClient client() {
        SignalClient c = SignalClient.connect(host.baseUri());
        clients.add(c);
        return c;
    }

    /** The {@code stream} object of a joined or stream message; waits for a stream message when joined had none. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> streamOf(SignalClient c, Map<String, Object> joined) {
        Object s = joined.get("stream");
        if (s != null) {
            return (Map<String, Object>) s;
        }
        Map<String, Object> m = c.expect("stream");
        assertEquals(joined.get("room"), m.get("room"));
        return (Map<String, Object>) m.get("stream");
    }

    private HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + host.port() + pathAndQuery);
        return SignalClient.HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A numeric field of {@code /xp2p/streams?xresid=id}, or -1 when the stream is not relayed. */
    private long stat(String id, String field) {
        try {
            HttpResponse<byte[]> r = get(CONTEXT + "/xp2p/streams?xresid=" + id);
            if (r.statusCode() != 200) {
                return -1;
            }
            Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(new String(r.body(), StandardCharsets.UTF_8));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String chunkUrl(Map<String, Object> stream, long seq) {
        return ((String) stream.get("chunk")).replace("{seq}", Long.toString(seq));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aRoomOfPeersAloneGetsItsStreamAndChunksThatMatchTheDigests() throws Exception {
        start(Map.of());
        SignalClient peer = client();
        Map<String, Object> joined = peer.join("live/po", true, 2, "\"stream\":\"/live/po.flv\"");
        Map<String, Object> stream = streamOf(peer, joined);
        assertEquals(CONTEXT + "/live/po.flv", stream.get("path"));
        assertEquals(CONTEXT + "/live/po.flv?xp2p=init", stream.get("init"));
        assertEquals(CONTEXT + "/live/po.flv?xp2p=chunk&seq={seq}", stream.get("chunk"));
        assertTrue(((Number) stream.get("epoch")).longValue() > 0, stream.toString());
        assertEquals(0, stat("live/po", "viewers"), "no http-flv viewer");
        assertEquals(1, stat("live/po", "holds"), "the room holds the pull");
        assertEquals(0, stat("live/po", "chunkRequests"));

        HttpResponse<byte[]> init = get((String) stream.get("init"));
        assertEquals(200, init.statusCode());
        assertEquals("FLV", new String(init.body(), 0, 3, StandardCharsets.US_ASCII));
        Map<String, Object> digest = peer.expect("digest");
        long seq = ((Number) digest.get("seq")).longValue();
        HttpResponse<byte[]> chunk = get(chunkUrl(stream, seq));
        assertEquals(200, chunk.statusCode());
        assertEquals(((Number) digest.get("size")).intValue(), chunk.body().length);
        assertEquals(digest.get("sha256"), sha256(chunk.body()), "the chunk is what the digest describes");

        assertEquals(2, stat("live/po", "chunkRequests"));
        assertEquals(init.body().length + chunk.body().length, stat("live/po", "chunkBytesOut"));
        // refused answers are not egress
        assertEquals(425, get(chunkUrl(stream, seq + 1000)).statusCode());
        assertEquals(2, stat("live/po", "chunkRequests"));
        String metrics = new String(get(CONTEXT + "/xp2p/metrics").body(), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("\nxp2p_relay_chunk_bytes_out_total " + (init.body().length + chunk.body().length) + ".0\n"),
                metrics);
        assertTrue(metrics.contains("\nxp2p_relay_chunk_requests_total 2.0\n"), metrics);
        assertTrue(metrics.contains("\nxp2p_relay_holds 1.0\n"), metrics);
        assertEquals(1, origin.connections("/live/po.flv"), "one pull");

        // a room whose stream path implies another id: the URLs carry the room as xresid
        SignalClient other = client();
        Map<String, Object> cam = streamOf(other, other.join("cam-7", false, 0, "\"stream\":\"/live/po7.flv\""));
        assertEquals(CONTEXT + "/live/po7.flv?xp2p=init&xresid=cam-7", cam.get("init"));
        assertEquals(CONTEXT + "/live/po7.flv?xp2p=chunk&seq={seq}&xresid=cam-7", cam.get("chunk"));
        assertEquals(200, get((String) cam.get("init")).statusCode());
        long camSeq = ((Number) other.expect("digest").get("seq")).longValue();
        assertEquals(200, get(chunkUrl(cam, camSeq)).statusCode());
        assertEquals(1, stat("cam-7", "holds"));
        assertEquals(1, origin.connections("/live/po7.flv"));

        // the default stream of a room is /{room}.flv
        SignalClient third = client();
        Map<String, Object> plain = streamOf(third, third.join("live/po8", false, 0, null));
        assertEquals(CONTEXT + "/live/po8.flv?xp2p=init", plain.get("init"));

        third.send("{\"v\":1,\"type\":\"join\",\"room\":\"x1\",\"stream\":\"/live/../x.flv\"}");
        assertEquals("bad_field", third.expect("error").get("code"));
    }

    @Test
    void thePullLivesWithTheRoomAndWithChunkRequestsThenStopsAfterTheIdleWindow() throws Exception {
        start(Map.of("xp2p.idleSeconds", "1"));
        String path = "/live/hold.flv";
        SignalClient peer = client();
        Map<String, Object> stream = streamOf(peer, peer.join("live/hold", false, 0, null));

        // three idle windows with members and no HTTP traffic at all: digests keep coming
        long t0 = System.nanoTime();
        long digests = 0;
        while (System.nanoTime() - t0 < 3_000_000_000L) {
            peer.expect("digest");
            digests++;
        }
        assertTrue(digests >= 2, digests + " digests");
        assertEquals(1, origin.openConnections(path), "the pull stayed up");
        assertEquals(1, origin.connections(path), "and was never restarted");

        peer.send("{\"v\":1,\"type\":\"leave\",\"room\":\"live/hold\"}");
        peer.expect("left");
        // chunk requests alone, one every 300 ms for three idle windows, keep the pull
        long lastSeq = stat("live/hold", "lastSeq");
        long[] lastFetch = {System.nanoTime()};
        long leftAt = System.nanoTime();
        Poll.await("three idle windows of chunk requests", 10_000, () -> {
            long now = System.nanoTime();
            if (now - lastFetch[0] >= 300_000_000L) {
                lastFetch[0] = now;
                try {
                    assertEquals(200, get(chunkUrl(stream, lastSeq)).statusCode(), "chunk " + lastSeq);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            return now - leftAt > 3_000_000_000L;
        });
        assertEquals(1, origin.openConnections(path), "chunk requests kept the pull");
        assertEquals(0, stat("live/hold", "holds"));

        // a re-join inside the idle window reuses the pull
        SignalClient again = client();
        Map<String, Object> joined = again.join("live/hold", false, 0, null);
        assertTrue(joined.get("stream") != null, "joined a live stream: " + joined);
        assertEquals(1, stat("live/hold", "holds"));
        assertEquals(1, origin.connections(path), "re-join reused the running pull");
        again.close();

        long closedAt = System.nanoTime();
        Poll.await("the stream to stop after the last member left", 10_000, () -> stat("live/hold", "epoch") == -1);
        long millis = (System.nanoTime() - closedAt) / 1_000_000;
        assertTrue(millis >= 900, "stopped " + millis + " ms after the last member left, before the idle window");
        Poll.await("the origin connection to close", 10_000, () -> origin.openConnections(path) == 0);

        // a join after that starts a new pull
        SignalClient late = client();
        streamOf(late, late.join("live/hold", false, 0, null));
        assertEquals(2, origin.connections(path));
    }

    @Test
    void aNewOriginEpochIsAnnouncedToTheMembers() throws Exception {
        start(Map.of("xp2p.relay.backoffInitialMillis", "50", "xp2p.relay.backoffMaxMillis", "200"));
        SignalClient a = client();
        SignalClient b = client();
        long first = ((Number) streamOf(a, a.join("live/epochs", false, 0, null)).get("epoch")).longValue();
        long firstB = ((Number) streamOf(b, b.join("live/epochs", false, 0, null)).get("epoch")).longValue();
        assertEquals(first, firstB);
        a.expect("digest");

        int port = origin.port();
        origin.close();
        origin = new ReplayOrigin(demoRecording(), port);

        for (SignalClient c : List.of(a, b)) {
            Map<String, Object> m = c.expect("stream");
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) m.get("stream");
            long epoch = ((Number) s.get("epoch")).longValue();
            assertNotEquals(first, epoch, "a new epoch");
            assertTrue(epoch > first);
            assertEquals(CONTEXT + "/live/epochs.flv?xp2p=init", s.get("init"));
        }
        a.roundTrip();
        assertTrue(a.received("stream").isEmpty(), "told once per epoch");
        assertTrue(stat("live/epochs", "epochs") >= 2);
    }

    @Test
    void aStreamMissingAtTheOriginFailsTheRoomAndAJoinRetries() throws Exception {
        start(Map.of());
        origin.respond("/live/missing.flv", 404);
        SignalClient a = client();
        Map<String, Object> joined = a.join("live/missing", false, 0, null);
        assertEquals(null, joined.get("stream"));
        Map<String, Object> failed = a.expect("stream-failed");
        assertEquals("live/missing", failed.get("room"));
        assertEquals(404L, failed.get("status"));
        assertEquals("not_found", failed.get("error"));
        assertTrue(((String) failed.get("message")).startsWith("stream not found at the origin"), failed.toString());
        assertEquals(1, origin.connections("/live/missing.flv"));
        Poll.await("the failed stream to be forgotten", 5_000, () -> stat("live/missing", "epoch") == -1);

        // members stay; the next join (into a room whose stream failed) tries again; the joiner hears
        // of the failure, the member already told of the same failure is not told again
        a.roundTrip();
        SignalClient b = client();
        b.join("live/missing", false, 0, null);
        assertEquals(404L, b.expect("stream-failed").get("status"));
        assertEquals(2, origin.connections("/live/missing.flv"), "the second join made a second attempt");
        a.roundTrip(); // anything queued for a before the pong has arrived
        assertTrue(a.received("stream-failed").isEmpty(), "a already knew: " + a.received("stream-failed"));

        // once the origin has it, a member that leaves and joins again gets the stream
        origin.serve("/live/missing.flv");
        a.send("{\"v\":1,\"type\":\"leave\",\"room\":\"live/missing\"}");
        a.expect("left");
        Map<String, Object> stream = streamOf(a, a.join("live/missing", false, 0, null));
        assertEquals(CONTEXT + "/live/missing.flv?xp2p=init", stream.get("init"));
        b.expect("stream");
    }

    @Test
    void noOriginIsUnavailable() throws Exception {
        host = Host.builder().port(0).contextPath(CONTEXT).setting("xp2p.data", data).build().start();
        SignalClient a = client();
        a.join("live/nowhere", false, 0, null);
        Map<String, Object> failed = a.expect("stream-failed");
        assertEquals(503L, failed.get("status"));
        assertEquals("unavailable", failed.get("error"));
    }

    // ------------------------------------------------------------------ encryption

    private String[] newCode() throws Exception {
        IssuedCode c = IssuedCode.issue(SignalClient.HTTP, URI.create(host.baseUri() + "/code"));
        return new String[] {c.code(), c.key()};
    }

    /**
     * Decrypts an init or chunk answer as docs/PROTOCOL.md section 5 describes it: the 12-byte
     * stream header, then exactly one record (index 0) holding the whole plaintext.
     */
    static byte[] decryptOneRecord(byte[] key, byte[] body) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(body);
        byte[] magic = new byte[4];
        b.get(magic);
        assertEquals("XP2E", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(1, b.get(), "version");
        assertArrayEquals(new byte[3], new byte[] {b.get(), b.get(), b.get()}, "reserved");
        byte[] salt = new byte[4];
        b.get(salt);
        byte[] lengthField = new byte[4];
        b.get(lengthField);
        int length = ByteBuffer.wrap(lengthField).getInt();
        assertEquals(b.remaining(), length, "exactly one record");
        byte[] sealed = new byte[length];
        b.get(sealed);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] nonce = ByteBuffer.allocate(12).put(salt).putLong(0).array();
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(lengthField);
        return c.doFinal(sealed);
    }

    @Test
    void initAndChunksWithACodeAreEncryptedOverThePlaintextDigest() throws Exception {
        start(Map.of());
        String[] codeAndKey = newCode();
        byte[] key = HexFormat.of().parseHex(codeAndKey[1]);
        SignalClient peer = client();
        Map<String, Object> stream = streamOf(peer, peer.join("live/enc", false, 0,
                "\"code\":\"" + codeAndKey[0] + "\""));
        Map<String, Object> digest = peer.expect("digest");
        long seq = ((Number) digest.get("seq")).longValue();
        String code = "&code=" + codeAndKey[0];

        HttpResponse<byte[]> init = get(stream.get("init") + code);
        assertEquals(200, init.statusCode());
        assertEquals("application/octet-stream", init.headers().firstValue("content-type").orElse(""));
        assertEquals("aes-256-gcm-v1", init.headers().firstValue("x-xp2p-encryption").orElse(""));
        assertEquals("no-store", init.headers().firstValue("cache-control").orElse(""));
        byte[] plainInit = decryptOneRecord(key, init.body());
        assertArrayEquals(get((String) stream.get("init")).body(), plainInit, "init decrypts to the plain init");

        HttpResponse<byte[]> chunk = get(chunkUrl(stream, seq) + code);
        assertEquals(200, chunk.statusCode());
        assertEquals("aes-256-gcm-v1", chunk.headers().firstValue("x-xp2p-encryption").orElse(""));
        assertEquals("no-store", chunk.headers().firstValue("cache-control").orElse(""));
        byte[] plainChunk = decryptOneRecord(key, chunk.body());
        assertEquals(digest.get("sha256"), sha256(plainChunk), "decrypted chunk matches the digest");
        assertEquals(digest.get("sha256"), chunk.headers().firstValue("x-xp2p-sha256").orElse(""));
        assertEquals(12 + 4 + plainChunk.length + 16, chunk.body().length);
        // a fresh salt per answer
        HttpResponse<byte[]> again = get(chunkUrl(stream, seq) + code);
        assertTrue(!java.util.Arrays.equals(chunk.body(), again.body()), "same chunk, new salt, new bytes");
        assertArrayEquals(plainChunk, decryptOneRecord(key, again.body()));
        long bytes = init.body().length + chunk.body().length + again.body().length + plainInit.length;
        assertEquals(bytes, stat("live/enc", "chunkBytesOut"), "egress counts the bytes sent");

        String wrong = "&code=" + UUID.randomUUID();
        assertEquals(403, get(stream.get("init") + wrong).statusCode());
        assertEquals(403, get(chunkUrl(stream, seq) + wrong).statusCode());
    }

    @Test
    void requireCodeCoversJoinsInitAndChunks() throws Exception {
        start(Map.of("xp2p.relay.requireCode", "true", "xp2p.swarm.auth", "none"));
        String[] codeAndKey = newCode();
        SignalClient refused = client();
        refused.send("{\"v\":1,\"type\":\"join\",\"room\":\"live/req\"}");
        Map<String, Object> error = refused.expect("error");
        assertEquals("auth_required", error.get("code"));
        assertEquals(1008, refused.awaitClose());
        SignalClient wrong = client();
        wrong.send("{\"v\":1,\"type\":\"join\",\"room\":\"live/req\",\"code\":\"" + UUID.randomUUID() + "\"}");
        assertEquals("auth_failed", wrong.expect("error").get("code"));
        assertEquals(0, origin.totalConnections(), "refused joins pull nothing");

        SignalClient peer = client();
        Map<String, Object> stream = streamOf(peer, peer.join("live/req", false, 0,
                "\"code\":\"" + codeAndKey[0] + "\""));
        long seq = ((Number) peer.expect("digest").get("seq")).longValue();
        assertEquals(403, get((String) stream.get("init")).statusCode());
        assertEquals(403, get(chunkUrl(stream, seq)).statusCode());
        byte[] key = HexFormat.of().parseHex(codeAndKey[1]);
        HttpResponse<byte[]> chunk = get(chunkUrl(stream, seq) + "&code=" + codeAndKey[0]);
        assertEquals(200, chunk.statusCode());
        assertEquals(chunk.headers().firstValue("x-xp2p-sha256").orElse(""), sha256(decryptOneRecord(key, chunk.body())));
    }
}
