package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xp2p.config.Settings;

/**
 * A swarm room that closes (its last peer left) while a new room for the same stream subscribes:
 * the old room's unsubscribe empties the stream's listener list and removes it from the map at the
 * moment the new room has fetched that list but not yet added itself. The new room then sits in a
 * list nobody reads and never hears a digest again.
 */
class RelaySubscriptionRaceTest {
    private final RelayService relay = new RelayService(RelayConfig.from(Settings.of(Map.of())), code -> Optional.empty(),
            new org.xp2p.ops.Xp2pMetrics());

    @AfterEach
    void close() {
        relay.close();
    }

    static final class Recorder implements ChunkFeed.StreamListener {
        final List<ChunkDigest> digests = new CopyOnWriteArrayList<>();

        @Override
        public void digest(ChunkDigest digest) {
            digests.add(digest);
        }

        @Override
        public void live(StreamPosition position) {
        }

        @Override
        public void failed(StreamFailure failure) {
        }
    }

    @Test
    void oldRoomUnsubscribingDuringNewRoomsSubscribeKeepsTheNewSubscription() throws Exception {
        Recorder oldRoom = new Recorder();
        Recorder newRoom = new Recorder();
        AutoCloseable oldSubscription = relay.subscribe("s", oldRoom);
        // the old room's leave closes its subscription while the new room's subscribe is under way
        relay.subscribeGap = () -> {
            relay.subscribeGap = () -> { };
            try {
                oldSubscription.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        relay.subscribe("s", newRoom);

        ChunkDigest d = new ChunkDigest("s", 1, 7, 10, "00", true);
        relay.publish(d);
        assertEquals(List.of(d), newRoom.digests, "the new room must still receive the stream's digests");
        assertEquals(List.of(), oldRoom.digests);
    }
}
