package org.xp2p.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class StreamKeyTest {
    @Test
    void streamsInitAndChunksShareTheirStreamKey() {
        assertEquals(Optional.of("live/cam1"), StreamKey.of("/live/cam1.flv", null));
        assertEquals(Optional.of("live/cam1"), StreamKey.of("/live/cam1.flv", "xp2p=init"));
        assertEquals(Optional.of("live/cam1"), StreamKey.of("/live/cam1.flv", "xp2p=chunk&seq=42&xp2p_hop=1"));
        assertEquals(Optional.of("room-7"), StreamKey.of("/live/cam1.flv", "xresid=room-7&token=a"));
    }

    @Test
    void statAndSignalUseXresid() {
        assertEquals(Optional.of("live/cam1"), StreamKey.of("/stat", "xresid=live%2Fcam1"));
        assertEquals(Optional.of("r1"), StreamKey.of("/xp2p/signal", "a=b&xresid=r1"));
        assertEquals(Optional.of("r1"), StreamKey.of("/xp2p/streams", "xresid=r1"));
        assertTrue(StreamKey.of("/xp2p/streams", null).isEmpty(), "the node's own stream list");
        assertTrue(StreamKey.of("/stat", null).isEmpty());
        assertTrue(StreamKey.of("/xp2p/signal", "xresid=").isEmpty());
    }

    @Test
    void requestsWithoutAStreamPassThrough() {
        assertTrue(StreamKey.of("/code", "xresid=r1").isEmpty());
        assertTrue(StreamKey.of("/xp2p/health", null).isEmpty());
        assertTrue(StreamKey.of("/", null).isEmpty());
        // invalid stream addresses are left to the relay, which explains the error
        assertTrue(StreamKey.of("/live/../x.flv", null).isEmpty());
        assertTrue(StreamKey.of("/live/%2e%2e.flv", null).isEmpty());
    }
}
