package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.testkit.Poll.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.flv.FlvTag;
import org.xp2p.host.Host;

/**
 * Origins that misbehave (issue 10): silent after a keyframe, corrupt after a good start, corrupt
 * from the first frame. The relay must end its viewers cleanly, back off across reconnects that
 * bring no media, and end a stream that does not recover within {@code reconnectMaxSeconds}.
 */
class OriginFaultTest {
    /** Short timeouts so the whole story fits in a few seconds. */
    private static final Map<String, String> FAST = Map.of(
            "xp2p.relay.readTimeoutMillis", "500",
            "xp2p.relay.reconnectMaxSeconds", "2",
            "xp2p.relay.backoffInitialMillis", "100",
            "xp2p.relay.backoffMaxMillis", "2000",
            "xp2p.relay.startTimeoutMillis", "3000",
            "xp2p.idleSeconds", "60");

    @TempDir
    Path data;

    private ScriptedOrigin origin;
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

    private void start(byte[] originBytes, boolean holdOpen) throws Exception {
        origin = new ScriptedOrigin(originBytes, holdOpen);
        host = Host.builder().port(0).setting("xp2p.data", data).setting("xp2p.origin", origin.baseUri())
                .settings(FAST).build().start();
    }

    /** A stream answer read to its end: status, head, body (de-chunked), whether it ended cleanly. */
    record Answer(int status, String head, byte[] body, boolean cleanEnd) {
    }

    /** GET on a raw socket, read until the server ends the response; fails after {@code timeoutMillis}. */
    static Answer readToEnd(int port, String target, int timeoutMillis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the response was still open after " + timeoutMillis + " ms");
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the response did not end within " + timeoutMillis + " ms", e);
            }
            byte[] all = got.toByteArray();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            String head = text.substring(0, headEnd + 4);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            boolean clean;
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                clean = dechunk(all, headEnd + 4, body);
            } else {
                body.write(all, headEnd + 4, all.length - headEnd - 4);
                clean = true;
            }
            return new Answer(Integer.parseInt(head.substring(9, 12)), head, body.toByteArray(), clean);
        }
    }

    /** Appends the chunks' data to {@code body}; true when the zero-length last chunk came. */
    static boolean dechunk(byte[] all, int p, ByteArrayOutputStream body) {
        while (p < all.length) {
            int eol = indexOf(all, p);
            if (eol < 0) {
                return false;
            }
            String size = new String(all, p, eol - p, StandardCharsets.ISO_8859_1).trim();
            int semi = size.indexOf(';');
            int n = Integer.parseInt(semi < 0 ? size : size.substring(0, semi), 16);
            p = eol + 2;
            if (n == 0) {
                return true;
            }
            if (p + n > all.length) {
                body.write(all, p, all.length - p);
                return false;
            }
            body.write(all, p, n);
            p += n + 2;
        }
        return false;
    }

    private static int indexOf(byte[] a, int from) {
        for (int i = from; i + 1 < a.length; i++) {
            if (a[i] == '\r' && a[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code flv} is a sequence of whole tags after the 13-byte header. */
    static boolean wholeTags(byte[] flv) {
        int p = 13;
        while (p + FlvTag.HEADER_SIZE <= flv.length) {
            int size = ((flv[p + 1] & 0xFF) << 16) | ((flv[p + 2] & 0xFF) << 8) | (flv[p + 3] & 0xFF);
            p += FlvTag.HEADER_SIZE + size + FlvTag.TRAILER_SIZE;
        }
        return p == flv.length;
    }

    private long statOrGone(String id) {
        try {
            var r = RelayFixture.HTTP.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(host.baseUri() + "/xp2p/streams?xresid=" + id)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return r.statusCode();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void silentOriginAfterAKeyframeEndsViewersThenTheStream() throws Exception {
        start(ScriptedOrigin.headerAndFirstKeyframe().toByteArray(), true);
        long t0 = System.nanoTime();
        Answer a = readToEnd(host.port(), "/live/silent.flv", 10_000);
        assertEquals(200, a.status());
        assertTrue(a.cleanEnd(), "a complete chunked response, not a cut connection");
        assertTrue(wholeTags(a.body()), "the viewer's bytes end on a tag boundary");
        // the stream gives up once its media has not advanced for reconnectMaxSeconds (2 s)
        await("the stalled stream to end", 10_000, () -> statOrGone("live/silent") == 404);
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        int connections = origin.connections.get();
        // backoff 100, 200, 400, ... ms plus 500 ms of stall detection each: a handful, not 5 a second
        assertTrue(connections >= 2 && connections <= 8, connections + " origin connections in " + seconds + " s");
    }

    @Test
    void corruptOriginAfterAGoodStartBacksOffAndEnds() throws Exception {
        ByteArrayOutputStream bytes = ScriptedOrigin.headerAndFirstKeyframe();
        // an inter frame whose only NAL unit declares 0x7fffffff bytes
        byte[] evil = {0x27, 1, 0, 0, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x41, (byte) 0x9a, 0x02};
        bytes.writeBytes(FlvTag.serialize(FlvTag.VIDEO, 5000, evil, 0, evil.length));
        start(bytes.toByteArray(), false);
        Answer a = readToEnd(host.port(), "/live/corrupt.flv", 10_000);
        assertEquals(200, a.status());
        assertTrue(a.cleanEnd());
        await("the corrupt stream to end", 10_000, () -> statOrGone("live/corrupt") == 404);
        int connections = origin.connections.get();
        assertTrue(connections >= 2 && connections <= 8, connections + " origin connections");
    }

    @Test
    void corruptFirstFrameIsA502NamingTheOffset() throws Exception {
        ByteArrayOutputStream bytes = ScriptedOrigin.headerAndFirstKeyframe();
        byte[] good = bytes.toByteArray();
        // the same start, but the keyframe's first NAL length is replaced by 0x7ffffffe (an SEI would be 2 GiB)
        int lastTag = lastTagOffset(good);
        byte[] bad = good.clone();
        bad[lastTag + FlvTag.HEADER_SIZE + 5] = 0x7f;
        bad[lastTag + FlvTag.HEADER_SIZE + 6] = (byte) 0xff;
        bad[lastTag + FlvTag.HEADER_SIZE + 7] = (byte) 0xff;
        bad[lastTag + FlvTag.HEADER_SIZE + 8] = (byte) 0xfe;
        start(bad, true);
        Answer a = readToEnd(host.port(), "/live/badkey.flv", 10_000);
        assertEquals(502, a.status(), a.head());
        String body = new String(a.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("malformed FLV") && body.contains("offset " + lastTag), body);
    }

    private static int lastTagOffset(byte[] flv) {
        int p = 13;
        int last = p;
        while (p < flv.length) {
            last = p;
            int size = ((flv[p + 1] & 0xFF) << 16) | ((flv[p + 2] & 0xFF) << 8) | (flv[p + 3] & 0xFF);
            p += FlvTag.HEADER_SIZE + size + FlvTag.TRAILER_SIZE;
        }
        return last;
    }
}
