package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.testkit.Poll.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: HEAD on a stream URL answered 200 and left a viewer and an origin pull running for
 * ever. HEAD must answer what GET would (status and headers), without a body, and keep nothing.
 */
class HeadRequestTest {
    @TempDir
    Path data;

    private final RelayFixture fx = new RelayFixture();

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    /** A raw request; returns the head and everything the server sent after it until it closed. */
    private record Raw(int status, String head, byte[] rest) {
        String header(String name) {
            Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\r?$").matcher(head);
            return m.find() ? m.group(1).trim() : null;
        }
    }

    private Raw raw(String method, String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", fx.host.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            byte[] rest = "HEAD".equals(method) ? in.readAllBytes() : new byte[0];
            return new Raw(Integer.parseInt(head.substring(9, 12)), head.toString(), rest);
        }
    }

    private long statQuietly(String id, String field) {
        try {
            return fx.stat(id, field);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void headOnAStreamAnswersLikeGetAndKeepsNothing() throws Exception {
        fx.start(data, Map.of("xp2p.idleSeconds", "1"));
        Raw head = raw("HEAD", "/live/head.flv");
        assertEquals(200, head.status(), head.head());
        assertEquals("video/x-flv", head.header("Content-Type"));
        assertEquals("no-store", head.header("Cache-Control"));
        assertEquals("live/head", head.header("X-Xp2p-Stream"));
        assertTrue(head.header("X-Xp2p-Epoch") != null, head.head());
        assertEquals(0, head.rest().length, "no body after a HEAD answer");
        // the answer is complete and no viewer is left behind
        assertEquals(0, statQuietly("live/head", "viewers"));
        // the pull it started idles out like one whose last viewer left (idleSeconds 1)
        await("the pull to stop", 10_000, () -> statQuietly("live/head", "viewers") == -1);
        await("the origin connection to close", 5_000, () -> fx.origin.openConnections("/live/head.flv") == 0);
    }

    @Test
    void headOnALiveStreamAddsNoViewer() throws Exception {
        fx.start(data, Map.of());
        HttpResponse<InputStream> viewer = fx.open("/live/both.flv");
        assertEquals(200, viewer.statusCode());
        viewer.body().readNBytes(13);
        await("the viewer to count", 5_000, () -> statQuietly("live/both", "viewers") == 1);
        Raw head = raw("HEAD", "/live/both.flv");
        assertEquals(200, head.status());
        assertEquals(viewer.headers().firstValue("X-Xp2p-Epoch").orElseThrow(), head.header("X-Xp2p-Epoch"));
        assertEquals(1, statQuietly("live/both", "viewers"));
        viewer.body().close();
    }

    @Test
    void headOnInitAndChunkAnswersTheHeadersOfGet() throws Exception {
        fx.start(data, Map.of());
        HttpResponse<InputStream> viewer = fx.open("/live/hc.flv");
        viewer.body().readNBytes(13);
        await("a chunk to close", 10_000, () -> statQuietly("live/hc", "chunks") >= 2);
        long seq = statQuietly("live/hc", "firstSeq");
        for (String target : new String[] {"/live/hc.flv?xp2p=init", "/live/hc.flv?xp2p=chunk&seq=" + seq,
            "/live/hc.flv?xp2p=chunk&seq=999999", "/live/hc.flv?xp2p=chunk&seq=x", "/live/..flv", "/live/hc.flv?xp2p=zz"}) {
            HttpResponse<byte[]> get = fx.get(target);
            Raw head = raw("HEAD", target);
            assertEquals(get.statusCode(), head.status(), target);
            for (String h : new String[] {"Content-Type", "Content-Length", "Cache-Control", "X-Xp2p-Seq",
                "X-Xp2p-Sha256", "Retry-After"}) {
                assertEquals(get.headers().firstValue(h).orElse(null), head.header(h), target + " " + h);
            }
            assertEquals(0, head.rest().length, target + ": no body");
        }
        viewer.body().close();
    }

    @Test
    void headIsNotCountedAsServedChunkBytes() throws Exception {
        fx.start(data, Map.of());
        HttpResponse<InputStream> viewer = fx.open("/live/count.flv");
        viewer.body().readNBytes(13);
        await("a chunk to close", 10_000, () -> statQuietly("live/count", "chunks") >= 2);
        long before = statQuietly("live/count", "chunkRequests");
        Raw head = raw("HEAD", "/live/count.flv?xp2p=init");
        assertEquals(200, head.status());
        assertEquals(before, statQuietly("live/count", "chunkRequests"));
        assertFalse(head.head().toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")
                && head.rest().length > 0);
        viewer.body().close();
    }
}
