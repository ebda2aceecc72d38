package org.xp2p.relay;

import org.xp2p.testkit.Poll;
import org.xp2p.testkit.FlvStreamReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xp2p.testkit.Poll.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A viewer that stops reading is skipped, then dropped; a normal viewer keeps real time. */
class SlowViewerTest {
    @TempDir
    Path data;

    private final RelayFixture fx = new RelayFixture();

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    @Test
    void stalledViewerIsSkippedThenDroppedWhileOthersKeepRealTime() throws Exception {
        fx.start(data, Map.of("xp2p.relay.skipLagMillis", "800", "xp2p.relay.maxSkips", "2",
                "xp2p.relay.viewerMaxBytes", String.valueOf(4 << 20)), 8192);
        HttpResponse<InputStream> normal = fx.open("/live/slow.flv");
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", fx.host.port()), 5000);
            OutputStream out = stalled.getOutputStream();
            out.write("GET /live/slow.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // and never read again

            try (FlvStreamReader r = new FlvStreamReader(normal.body())) {
                long wallStart = System.nanoTime();
                long firstTs = -1;
                long lastTs = -1;
                while (System.nanoTime() - wallStart < 12_000_000_000L) {
                    FlvStreamReader.Tag t = r.next();
                    assertTrue(t != null, "normal viewer's stream ended");
                    firstTs = firstTs < 0 ? t.timestamp() : firstTs;
                    lastTs = t.timestamp();
                    if (fx.stat("live/slow", "droppedViewers") >= 1 && System.nanoTime() - wallStart > 6_000_000_000L) {
                        break;
                    }
                }
                long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
                long mediaMillis = lastTs - firstTs;
                assertTrue(mediaMillis >= wallMillis - 1500,
                        "normal viewer kept real time: media " + mediaMillis + " ms over " + wallMillis + " ms");
            }
            await("the stalled viewer to be dropped", 20_000, () -> {
                try {
                    return fx.stat("live/slow", "droppedViewers") >= 1;
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue(fx.stat("live/slow", "skippedViewers") >= 1, "it was skipped before being dropped");
            assertEquals(1, fx.origin.connections("/live/slow.flv"));
        }
    }
}
