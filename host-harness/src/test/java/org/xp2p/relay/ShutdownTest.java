package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.testkit.Poll.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: stopping the server cut viewers inside a tag after the 5 s stop timeout ("Stream ends
 * prematurely") and logged nothing. Viewers must get a complete chunked response that ends on a tag
 * boundary, within {@code xp2p.relay.drainMillis}, and the start and end of the shutdown are logged.
 */
class ShutdownTest {
    @TempDir
    Path data;

    private final RelayFixture fx = new RelayFixture();
    private final List<String> relayLog = new CopyOnWriteArrayList<>();
    private final Logger relayLogger = Logger.getLogger("org.xp2p.relay.RelayService");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            relayLog.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void stop() throws Exception {
        relayLogger.removeHandler(capture);
        fx.close();
    }

    @Test
    void viewersEndOnATagBoundaryWithinTheDrainTime() throws Exception {
        relayLogger.addHandler(capture);
        fx.start(data, Map.of("xp2p.relay.drainMillis", "1500"));
        List<Socket> sockets = new CopyOnWriteArrayList<>();
        List<ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();
        List<Thread> readers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = new Socket("127.0.0.1", fx.host.port());
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /live/stop.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Thread t = new Thread(() -> {
                try (InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        synchronized (got) {
                            got.write(buf, 0, n);
                        }
                    }
                } catch (java.io.IOException e) {
                    // reset by the server: the assertions below say what was received
                }
            });
            t.start();
            sockets.add(s);
            received.add(got);
            readers.add(t);
        }
        // live and mid-stream: well past the init segment
        await("the viewers to receive media", 10_000, () -> received.stream().allMatch(b -> size(b) > 100_000));
        long t0 = System.nanoTime();
        fx.host.stop();
        fx.host = null;
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        for (Thread t : readers) {
            t.join(10_000);
        }
        for (ByteArrayOutputStream b : received) {
            byte[] all;
            synchronized (b) {
                all = b.toByteArray();
            }
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            assertTrue(text.startsWith("HTTP/1.1 200"), text.substring(0, Math.min(200, text.length())));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            boolean clean = OriginFaultTest.dechunk(all, headEnd + 4, body);
            assertTrue(clean, "a complete chunked response (terminating chunk), not a cut connection");
            assertTrue(OriginFaultTest.wholeTags(body.toByteArray()), "the stream ends on a tag boundary");
        }
        assertTrue(stopMillis < 5_000, "stopped in " + stopMillis + " ms: within the drain time, not the stop timeout");
        assertTrue(relayLog.stream().anyMatch(m -> m.startsWith("relay: shutting down")), relayLog.toString());
        assertTrue(relayLog.stream().anyMatch(m -> m.startsWith("relay: shut down in")), relayLog.toString());
        for (Socket s : sockets) {
            s.close();
        }
    }

    private static int size(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.size();
        }
    }
}
