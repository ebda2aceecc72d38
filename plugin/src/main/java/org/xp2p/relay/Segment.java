package org.xp2p.relay;

/**
 * A run of whole FLV tags queued to viewers. Immutable and shared by every viewer of the stream:
 * the relay builds it once per origin read, never once per viewer.
 *
 * @param bytes whole serialized tags (each with its PreviousTagSize)
 * @param kind  where the segment sits in the chunk structure
 * @param dts   timestamp (ms) of its first tag, for lag accounting
 */
record Segment(byte[] bytes, Kind kind, long dts) {
    enum Kind {
        /** Starts a chunk that starts with a keyframe: a viewer that skipped may resume here. */
        KEY_CHUNK_START,
        /** Starts a chunk inside a long GOP. */
        CHUNK_START,
        /** Continues the current chunk. */
        CONTINUATION,
        /** Sequence headers or metadata outside any chunk (a new origin epoch): never skipped. */
        CONFIG,
        /** The FLV file header and init tags a viewer gets first. */
        INIT
    }

    boolean skippable() {
        return kind != Kind.CONFIG && kind != Kind.INIT;
    }
}
