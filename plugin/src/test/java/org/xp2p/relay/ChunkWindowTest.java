package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkWindowTest {
    private static Chunk chunk(long seq, boolean key, long dts, int size) {
        return new Chunk("s", 1, seq, key, dts, new byte[size], size);
    }

    @Test
    void keepsTheLastSecondsButNeverTheCurrentGop() {
        ChunkWindow w = new ChunkWindow(3000, 1 << 20);
        w.add(chunk(0, true, 0, 10));
        for (int i = 1; i < 10; i++) {
            w.add(chunk(i, false, i * 1000L, 10)); // one 10 s GOP: nothing may go
        }
        assertEquals(0, w.firstSeq());
        assertEquals(10, w.sinceNewestKeyframe().size());
        w.add(chunk(10, true, 10_000, 10));
        assertEquals(7, w.firstSeq(), "a new keyframe lets chunks older than 3 s go (7 is exactly 3 s old)");
        assertEquals(List.of(10L), w.sinceNewestKeyframe().stream().map(Chunk::seq).toList());
        w.add(chunk(11, false, 11_000, 10));
        assertEquals(List.of(10L, 11L), w.sinceNewestKeyframe().stream().map(Chunk::seq).toList());
        assertTrue(w.get(11).isPresent());
        assertTrue(w.get(6).isEmpty());
    }

    @Test
    void boundsBytesAtKeyframeBoundaries() {
        ChunkWindow w = new ChunkWindow(60_000, 250);
        for (int i = 0; i < 10; i++) {
            w.add(chunk(i, true, i * 1000L, 100));
        }
        assertEquals(8, w.firstSeq(), "at most 250 bytes: chunks 8 and 9");
        assertEquals(9, w.lastSeq());
        assertTrue(new ChunkWindow(1, 1).isEmpty());
    }
}
