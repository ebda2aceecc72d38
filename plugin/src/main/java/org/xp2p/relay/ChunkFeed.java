package org.xp2p.relay;

import java.util.Optional;

/**
 * The relay's view for the swarm: chunk digests as they are produced, stream positions, the
 * moments a stream goes live or fails, and holds that keep a pull running for a room of peers.
 */
public interface ChunkFeed {
    /**
     * What the relay tells a subscriber about one stream. Called on the relay's threads (digests
     * and live on the origin thread, after it released the stream's locks, in chunk order):
     * implementations must only enqueue, never block or call back into the relay, since the next
     * origin read waits for them.
     */
    interface StreamListener {
        /** A chunk was closed. */
        void digest(ChunkDigest digest);

        /** The stream became live (init segment and first chunk exist), or a new origin epoch did. */
        void live(StreamPosition position);

        /** The pull failed or was refused; the stream is no longer relayed (holds on it are dead). */
        void failed(StreamFailure failure);
    }

    /**
     * Calls {@code listener} for everything the relay reports on {@code streamId} from now on,
     * whether or not the stream is relayed yet. Closing the handle unsubscribes.
     */
    AutoCloseable subscribe(String streamId, StreamListener listener);

    /** The stream's position when it is live on this node. */
    Optional<StreamPosition> position(String streamId);

    /**
     * Keeps the stream's origin pull running, starting it when needed, under the same rules and
     * limits as an http-flv viewer. Never blocks on the origin: a refusal (no origin, node limit)
     * and any later failure are reported to the stream's listeners; the returned hold is then
     * inactive.
     */
    StreamHold hold(StreamAddress address);
}
