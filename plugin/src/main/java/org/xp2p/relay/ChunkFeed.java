package org.xp2p.relay;

import java.util.Optional;
import java.util.function.Consumer;

/** The relay's view for the swarm: chunk digests as they are produced, and stream positions. */
public interface ChunkFeed {
    /**
     * Calls {@code listener} for every chunk the relay produces on {@code streamId} from now on, on
     * the relay's thread: the listener must not block. Closing the handle unsubscribes.
     */
    AutoCloseable subscribe(String streamId, Consumer<ChunkDigest> listener);

    /** The stream's position when it is being relayed on this node. */
    Optional<StreamPosition> position(String streamId);
}
