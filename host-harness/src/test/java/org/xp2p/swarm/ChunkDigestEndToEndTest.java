package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.flv.ChunkMark;
import org.xp2p.flv.SeiMarker;
import org.xp2p.host.Host;
import org.xp2p.testkit.ReplayOrigin;

/**
 * The digests a room receives over signalling describe, byte for byte, the chunks the real relay
 * streams to viewers: a peer can verify what another peer sends it.
 */
class ChunkDigestEndToEndTest {
    @TempDir
    Path data;

    private ReplayOrigin origin;
    private Host host;

    @AfterEach
    void stop() throws Exception {
        if (host != null) {
            host.stop();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void digestsMatchTheRelayedChunksByteForByte() throws Exception {
        byte[] recording;
        try (InputStream in = getClass().getResourceAsStream("/xp2p-demo/demo.flv")) {
            recording = in.readAllBytes();
        }
        origin = new ReplayOrigin(recording, 0);
        host = Host.builder().port(0).setting("xp2p.data", data).setting("xp2p.origin", origin.baseUri()).build().start();

        try (SignalClient peer = SignalClient.connect(host.baseUri())) {
            peer.join("live/dig", true, 2, null);
            HttpResponse<InputStream> viewer = SignalClient.HTTP.send(
                    HttpRequest.newBuilder(java.net.URI.create(host.baseUri() + "/live/dig.flv")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, viewer.statusCode());
            Map<Long, byte[]> chunks = readChunks(viewer.body(), 4);

            Map<Long, Map<String, Object>> digests = new HashMap<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!digests.keySet().containsAll(chunks.keySet()) && System.nanoTime() < deadline) {
                Map<String, Object> d = peer.expect("digest");
                digests.put(((Number) d.get("seq")).longValue(), d);
            }
            int matched = 0;
            for (Map.Entry<Long, byte[]> c : chunks.entrySet()) {
                Map<String, Object> d = digests.get(c.getKey());
                assertTrue(d != null, "digest for chunk " + c.getKey());
                assertEquals("live/dig", d.get("room"));
                assertEquals(c.getValue().length, ((Number) d.get("size")).intValue(), "size of chunk " + c.getKey());
                assertEquals(sha256(c.getValue()), d.get("sha256"), "sha256 of chunk " + c.getKey());
                matched++;
            }
            assertTrue(matched >= 4, "matched " + matched + " chunks");

            // a peer joining a live room learns where the stream is and how to fetch chunks
            try (SignalClient late = SignalClient.connect(host.baseUri())) {
                Map<String, Object> joined = late.join("live/dig", false, 0, null);
                assertTrue(joined.toString().contains("xp2p=chunk"), joined.toString());
            }
            viewer.body().close();
        }
    }

    /** Groups the streamed tags into chunks (marker to marker); returns the first {@code n} complete ones. */
    private static Map<Long, byte[]> readChunks(InputStream body, int n) throws Exception {
        Map<Long, byte[]> out = new TreeMap<>();
        try (DataInputStream in = new DataInputStream(body)) {
            in.skipNBytes(13);
            Long seq = null;
            ByteArrayOutputStream current = new ByteArrayOutputStream();
            while (out.size() < n) {
                byte[] head = new byte[11];
                in.readFully(head);
                int size = ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
                byte[] tag = new byte[11 + size + 4];
                System.arraycopy(head, 0, tag, 0, 11);
                in.readFully(tag, 11, size + 4);
                Optional<ChunkMark> mark = (head[0] & 0x1f) == 9 ? SeiMarker.find(tag) : Optional.empty();
                if (mark.isPresent()) {
                    if (seq != null) {
                        out.put(seq, current.toByteArray());
                    }
                    seq = mark.get().seq();
                    current.reset();
                }
                if (seq != null) {
                    current.write(tag);
                }
            }
        }
        return out;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
