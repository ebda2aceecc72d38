package org.xp2p.relay;

import org.xp2p.testkit.ReplayOrigin;
import org.xp2p.testkit.Poll;
import org.xp2p.testkit.FlvStreamReader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.testkit.Poll.await;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.flv.ChunkMark;
import org.xp2p.flv.SeiMarker;

/** The live relay end to end: a real-time replay origin, the embedded host, HTTP viewers. */
class RelayTest {
    @TempDir
    Path data;

    private final RelayFixture fx = new RelayFixture();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        fx.close();
    }

    /** Reads a stream until {@code chunks} complete chunks arrived; returns seq -> chunk bytes. */
    static Map<Long, byte[]> readChunks(InputStream body, int chunks) throws Exception {
        Map<Long, byte[]> out = new TreeMap<>();
        try (FlvStreamReader r = new FlvStreamReader(body)) {
            Long seq = null;
            java.io.ByteArrayOutputStream current = new java.io.ByteArrayOutputStream();
            FlvStreamReader.Tag t;
            while ((t = r.next()) != null) {
                Optional<ChunkMark> mark = t.isVideo() ? SeiMarker.find(t.bytes()) : Optional.empty();
                if (mark.isPresent()) {
                    if (seq != null) {
                        out.put(seq, current.toByteArray());
                        if (out.size() >= chunks) {
                            return out;
                        }
                    }
                    seq = mark.get().seq();
                    current.reset();
                }
                if (seq != null) {
                    current.write(t.bytes());
                }
            }
        }
        return out;
    }

    @Test
    void concurrentViewersGetIdenticalChunksFromOnePull() throws Exception {
        fx.start(data, Map.of("xp2p.idleSeconds", "2"));
        List<Future<Map<Long, byte[]>>> viewers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            viewers.add(pool.submit(() -> {
                HttpResponse<InputStream> r = fx.open("/live/cam1.flv");
                assertEquals(200, r.statusCode());
                assertEquals("video/x-flv", r.headers().firstValue("content-type").orElse(""));
                return readChunks(r.body(), 3);
            }));
        }
        List<Map<Long, byte[]>> got = new ArrayList<>();
        for (Future<Map<Long, byte[]>> f : viewers) {
            got.add(f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(1, fx.origin.connections("/live/cam1.flv"), "one origin pull for all viewers");
        int compared = 0;
        for (Map<Long, byte[]> other : got.subList(1, got.size())) {
            for (Map.Entry<Long, byte[]> e : got.get(0).entrySet()) {
                if (other.containsKey(e.getKey())) {
                    assertArrayEquals(e.getValue(), other.get(e.getKey()), "chunk " + e.getKey());
                    compared++;
                }
            }
        }
        assertTrue(compared >= 5, "viewers overlapped on " + compared + " chunks");
    }

    @Test
    void lateJoinerStartsAtAKeyframeChunkImmediately() throws Exception {
        fx.start(data, Map.of());
        HttpResponse<InputStream> first = fx.open("/live/late.flv");
        assertEquals(200, first.statusCode());
        await("a few chunks", 10_000, () -> statQuiet("live/late", "chunks") >= 3);

        HttpResponse<InputStream> late = fx.open("/live/late.flv");
        try (FlvStreamReader r = new FlvStreamReader(late.body())) {
            FlvStreamReader.Tag t;
            do {
                t = r.next();
            } while (t != null && !t.isVideoFrame());
            assertTrue(t != null && t.isKeyframe(), "first video frame of a late joiner is a keyframe");
            Optional<ChunkMark> mark = SeiMarker.find(t.bytes());
            assertTrue(mark.isPresent() && mark.get().keyframe(), "and it opens a marked keyframe chunk");
        }
        first.body().close();
        assertEquals(1, fx.origin.connections("/live/late.flv"));
    }

    @Test
    void chunksAreAddressableWithTheirDigest() throws Exception {
        fx.start(data, Map.of("xp2p.relay.windowSeconds", "2"));
        HttpResponse<InputStream> viewer = fx.open("/live/chunks.flv");
        Map<Long, byte[]> seen = readChunks(viewer.body(), 5);
        long seq = seen.keySet().stream().skip(seen.size() - 1L).findFirst().orElseThrow();

        HttpResponse<byte[]> chunk = fx.get("/live/chunks.flv?xp2p=chunk&seq=" + seq);
        assertEquals(200, chunk.statusCode());
        assertArrayEquals(seen.get(seq), chunk.body(), "HTTP chunk equals the streamed chunk");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chunk.body()));
        assertEquals(sha, chunk.headers().firstValue("x-xp2p-sha256").orElse(""));

        HttpResponse<byte[]> init = fx.get("/live/chunks.flv?xp2p=init");
        assertEquals(200, init.statusCode());
        assertEquals('F', init.body()[0]);

        HttpResponse<byte[]> future = fx.get("/live/chunks.flv?xp2p=chunk&seq=" + (seq + 1000));
        assertEquals(425, future.statusCode());
        assertTrue(future.headers().firstValue("retry-after").isPresent());
        long first = seen.keySet().iterator().next();
        await("the window to move past chunk " + first, 10_000,
                () -> statQuiet("live/chunks", "firstSeq") > first);
        assertEquals(404, fx.get("/live/chunks.flv?xp2p=chunk&seq=" + first).statusCode());
        for (String bad : new String[] {"abc", "-1", "", "1.5", "99999999999999999999"}) {
            assertEquals(400, fx.get("/live/chunks.flv?xp2p=chunk&seq=" + bad).statusCode(), "seq=" + bad);
        }
        assertEquals(404, fx.get("/live/other.flv?xp2p=chunk&seq=1").statusCode());
        viewer.body().close();
    }

    @Test
    void pullStopsAfterIdleDelayAndARejoinInsideItReusesThePull() throws Exception {
        fx.start(data, Map.of("xp2p.idleSeconds", "2"));
        String path = "/live/idle.flv";
        HttpResponse<InputStream> a = fx.open(path);
        readChunks(a.body(), 1);
        a.body().close();
        // re-join at once, inside the idle window: same pull, no new origin connection
        HttpResponse<InputStream> b = fx.open(path);
        assertEquals(200, b.statusCode());
        assertEquals(1, readChunks(b.body(), 1).size());
        assertEquals(1, fx.origin.connections(path), "re-join reused the running pull");
        b.body().close();
        await("the origin connection to close after the idle delay", 10_000,
                () -> fx.origin.openConnections(path) == 0);
        assertEquals(-1, fx.stat("live/idle", "viewers"), "stream forgotten");
        HttpResponse<InputStream> c = fx.open(path);
        assertEquals(1, readChunks(c.body(), 1).size());
        assertEquals(2, fx.origin.connections(path), "a join after the delay starts a new pull");
        c.body().close();
    }

    private long statQuietly(String id, String field) {
        try {
            return fx.stat(id, field);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void originRestartIsBridgedWithANewEpoch() throws Exception {
        fx.start(data, Map.of("xp2p.relay.backoffInitialMillis", "50", "xp2p.relay.backoffMaxMillis", "200"));
        String path = "/live/restart.flv";
        HttpResponse<InputStream> viewer = fx.open(path);
        int port = fx.origin.port();
        try (FlvStreamReader r = new FlvStreamReader(viewer.body())) {
            long firstEpoch = -1;
            long lastTs = -1;
            boolean restarted = false;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                FlvStreamReader.Tag t = r.next();
                assertTrue(t != null, "stream ended instead of resuming");
                assertTrue(t.timestamp() >= lastTs - 1000, "timestamps must not jump back: " + lastTs + " -> " + t.timestamp());
                lastTs = Math.max(lastTs, t.timestamp());
                Optional<ChunkMark> mark = t.isVideo() ? SeiMarker.find(t.bytes()) : Optional.empty();
                if (mark.isEmpty()) {
                    continue;
                }
                if (firstEpoch < 0) {
                    firstEpoch = mark.get().epoch();
                } else if (!restarted && mark.get().seq() >= 2) {
                    fx.origin.close();
                    fx.origin = new org.xp2p.testkit.ReplayOrigin(RelayFixture.demoRecording(), port);
                    restarted = true;
                } else if (restarted && mark.get().epoch() != firstEpoch) {
                    assertTrue(mark.get().keyframe(), "a new epoch starts with a keyframe chunk");
                    break;
                }
            }
            assertTrue(restarted, "origin was restarted");
        }
        // a reconnect counts once media time advances on the new connection, not on its first bytes
        await("the reconnect to count", 5000, () -> statQuietly("live/restart", "originReconnects") >= 1);
        assertTrue(fx.stat("live/restart", "epochs") >= 2);
    }

    @Test
    void aDeadFirstOriginFailsOverToTheNext() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort(); // closed again: connections to it are refused
        }
        fx.start(data, Map.of("xp2p.relay.backoffInitialMillis", "20"));
        fx.host.stop();
        fx.host = org.xp2p.host.Host.builder().port(0).setting("xp2p.data", data)
                .setting("xp2p.origin", "http://127.0.0.1:" + dead + "," + fx.origin.baseUri()).build().start();
        HttpResponse<InputStream> viewer = fx.open("/live/failover.flv");
        assertEquals(200, viewer.statusCode());
        assertEquals(2, readChunks(viewer.body(), 2).size());
        assertEquals(1, fx.origin.connections("/live/failover.flv"));
        viewer.body().close();
    }

    @Test
    void originNotFoundIs404Quickly() throws Exception {
        fx.start(data, Map.of());
        fx.origin.respond("/live/missing.flv", 404);
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = fx.get("/live/missing.flv");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(404, r.statusCode());
        assertTrue(millis < 2000, "404 took " + millis + " ms");
        assertTrue(new String(r.body()).contains("\"error\""));
    }

    @Test
    void originSendingGarbageIs502() throws Exception {
        fx.start(data, Map.of());
        fx.origin.garbage("/live/garbage.flv");
        HttpResponse<byte[]> r = fx.get("/live/garbage.flv");
        assertEquals(502, r.statusCode());
        assertTrue(new String(r.body()).contains("FLV"));
    }

    @Test
    void originDownIs502AfterTheStartBudget() throws Exception {
        fx.start(data, Map.of("xp2p.relay.startTimeoutMillis", "1000", "xp2p.relay.backoffInitialMillis", "50"));
        fx.origin.close();
        HttpResponse<byte[]> r = fx.get("/live/down.flv");
        assertTrue(r.statusCode() == 502 || r.statusCode() == 504, "got " + r.statusCode());
    }

    @Test
    void pathTricksAre400AndFetchNothing() throws Exception {
        fx.start(data, Map.of());
        String[] attacks = {
            "/../secret.flv", "/live/../../etc/passwd.flv", "/%2e%2e/x.flv", "/live/%2E%2E/x.flv",
            "/live//x.flv", "/live%2fx.flv", "/live%2Fx.flv", "/live%5cx.flv", "/live\\x.flv",
            "/@evil.example/x.flv", "/live/a@b.flv", "/http:/evil.example/x.flv", "/live/x.flv%00.flv",
            "/live/%0d%0aHost:evil.flv", "/" + "a".repeat(600) + ".flv", "/./x.flv", "/live/x.flv?xresid=../y",
            "/live/x%2e.flv", "/live/.flv", "http://evil.example/live/x.flv"
        };
        for (String attack : attacks) {
            int status = fx.rawStatus(attack);
            assertEquals(400, status, "status for " + attack);
        }
        assertEquals(0, fx.origin.totalConnections(), "nothing was fetched");
    }

    @Test
    void unknownCodeIs403AndNoOriginIs503() throws Exception {
        fx.start(data, Map.of("xp2p.relay.requireCode", "true"));
        assertEquals(403, fx.get("/live/x.flv").statusCode());
        assertEquals(403, fx.get("/live/x.flv?code=00000000-0000-0000-0000-000000000000").statusCode());
        assertEquals(0, fx.origin.totalConnections());
    }

    @Test
    void statsNameTheStream() throws Exception {
        fx.start(data, Map.of());
        HttpResponse<InputStream> v = fx.open("/live/stats.flv?xresid=cam-7&token=abc");
        readChunks(v.body(), 2);
        String json = fx.stats("cam-7");
        assertTrue(json.contains("\"id\":\"cam-7\""), json);
        // readChunks closed the viewer: whether the relay has noticed yet is a race, so count viewers served
        assertEquals(1, fx.stat("cam-7", "viewersServed"));
        assertTrue(fx.stat("cam-7", "bytesIn") > 0);
        assertEquals(1, fx.origin.connections("/live/stats.flv"));
        assertEquals(404, fx.get("/xp2p/streams?xresid=nope").statusCode());
        for (String bad : new String[] {"..", ".", "a//b", "%2Fabs", "a/../b"}) {
            HttpResponse<byte[]> r = fx.get("/xp2p/streams?xresid=" + bad);
            assertEquals(400, r.statusCode(), bad);
            assertTrue(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).contains("\"error\":\"bad_request\""), bad);
        }
        v.body().close();
    }

    private long statQuiet(String id, String field) {
        try {
            return fx.stat(id, field);
        } catch (Exception e) {
            return -1;
        }
    }
}
