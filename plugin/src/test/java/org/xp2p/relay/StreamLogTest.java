package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xp2p.config.Settings;
import org.xp2p.ops.Xp2pMetrics;

/** The bounded log viewers read from, and a viewer that falls out of it. */
class StreamLogTest {
    private static final byte[] BUFFER = new byte[1 << 16];

    private static void append(StreamLog log, int count, long firstDts, int keyEvery) {
        for (int i = 0; i < count; i++) {
            long index = log.nextIndex();
            Segment.Kind kind = index % keyEvery == 0 ? Segment.Kind.KEY_CHUNK_START : Segment.Kind.CONTINUATION;
            log.append(BUFFER, (int) (index * 100 % 60_000), 100, kind, firstDts + i * 40L);
        }
    }

    @Test
    void appendsAreInvisibleUntilPublishedAndOverwrittenSlotsReadAsGone() {
        StreamLog log = new StreamLog(8);
        append(log, 3, 0, 4);
        assertEquals(0, log.head());
        assertNull(log.get(0), "not published yet");
        assertTrue(log.publish());
        assertFalse(log.publish(), "nothing new");
        assertEquals(3, log.head());
        assertEquals(300, log.get(2).end(), "running byte count for queue accounting");
        append(log, 10, 120, 4);
        log.publish();
        assertEquals(13, log.head());
        assertEquals(5, log.tail());
        assertNull(log.get(4), "overwritten by index 12");
        assertEquals(12, log.newestKeyBelow(log.head()));
        assertEquals(8, log.newestKeyBelow(12));
    }

    /** Key chunk at 0, codec config at 1, continuations to 29, a newer key chunk at 30 and one more segment. */
    private static StreamLog logWithTwoKeyChunks(long keepBytes, long keepMillis) {
        StreamLog log = new StreamLog(64, keepBytes, keepMillis);
        for (int i = 0; i < 30; i++) {
            Segment.Kind kind = i == 0 ? Segment.Kind.KEY_CHUNK_START : i == 1 ? Segment.Kind.CONFIG : Segment.Kind.CONTINUATION;
            log.append(BUFFER, i * 100, 100, kind, i * 40L);
            log.publish();
        }
        for (int i = 0; i < 29; i++) {
            assertEquals(i, log.get(i).index(), "the newest keyframe chunk is held whatever its age or size");
        }
        log.append(BUFFER, 3000, 100, Segment.Kind.KEY_CHUNK_START, 1200);
        log.publish();
        log.append(BUFFER, 3100, 100, Segment.Kind.CONTINUATION, 1240);
        log.publish();
        return log;
    }

    @Test
    void segmentsBeyondTheByteBoundAreReleasedButNotCodecConfig() {
        // 32 segments of 100 bytes: those ending 1000 bytes or more before the newest go
        StreamLog log = logWithTwoKeyChunks(1000, Long.MAX_VALUE);
        assertNull(log.get(0), "an old keyframe chunk is released once a newer one is published");
        assertEquals(Segment.Kind.CONFIG, log.get(1).kind(), "codec configuration stays for viewers skipping past it");
        assertNull(log.get(20));
        assertEquals(2200, log.get(21).end());
        assertEquals(31, log.get(31).index());
        assertEquals(30, log.newestKeyBelow(log.head()));
    }

    @Test
    void segmentsOlderThanTheTimeBoundAreReleased() {
        // the newest segment is stamped 1240 ms: those stamped before 1040 ms go
        StreamLog log = logWithTwoKeyChunks(Long.MAX_VALUE, 200);
        assertNull(log.get(25));
        assertEquals(1040, log.get(26).dts());
        assertEquals(Segment.Kind.CONFIG, log.get(1).kind());
    }

    @Test
    void adjoiningSlicesOfOneBufferAreOneWrite() {
        Segment a = new Segment(BUFFER, 0, 100, Segment.Kind.KEY_CHUNK_START, 0, 100, 0);
        Segment b = new Segment(BUFFER, 100, 50, Segment.Kind.CONTINUATION, 40, 150, 1);
        Segment elsewhere = new Segment(new byte[200], 150, 50, Segment.Kind.CONTINUATION, 80, 200, 2);
        assertTrue(a.adjoins(b));
        assertFalse(b.adjoins(elsewhere));
    }

    @Test
    void viewerOverflowingTheLogSkipsToTheNewestKeyframe() throws Exception {
        RelayConfig config = RelayConfig.from(Settings.of(Map.of("xp2p.relay.skipLagMillis", "60000")));
        StreamLog log = new StreamLog(8);
        append(log, 2, 0, 4);
        log.publish();
        FakeViewerOutput out = new FakeViewerOutput();
        int[] skips = {0};
        Viewer viewer = new Viewer("s", out, null, config, new Viewer.Listener() {
            @Override
            public void skipped(Viewer v) {
                skips[0]++;
            }

            @Override
            public void closed(Viewer v, boolean dropped) {
            }
        }, log, List.of(), 0, 0, new Xp2pMetrics());
        out.ready(false);
        viewer.start(); // blocked: the container has not called back yet
        append(log, 20, 80, 4); // the cursor (0) falls out of an 8-slot log
        log.publish();
        viewer.pump();
        assertEquals(1, skips[0]);
        assertEquals(20, viewer.cursor(), "at the newest keyframe chunk start still held");
        out.ready(true);
        assertSame(BUFFER, out.writes.get(0).array());
        assertEquals(log.get(20).offset(), out.writes.get(0).offset());
        assertEquals(22, viewer.cursor(), "then up to the head");
    }
}
