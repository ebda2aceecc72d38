package org.xp2p.relay;

/**
 * A run of whole FLV tags: a slice of a shared, append-only buffer (usually the buffer of the
 * chunk it belongs to). Never copied per viewer: every viewer, joiner and chunk answer reads the
 * same bytes, and consecutive segments of one chunk lie next to each other in that buffer, so a
 * viewer that is behind by several segments sends them with one write.
 *
 * @param array  the shared buffer; the slice's bytes never change once the segment is published
 * @param offset where the slice starts in {@code array}
 * @param length slice length in bytes
 * @param kind   where the segment sits in the chunk structure
 * @param dts    timestamp (ms) of its first tag, for lag accounting
 * @param end    bytes of the stream up to and including this segment, for queue-size accounting
 * @param index  the segment's position in its {@link StreamLog} (-1 outside the log)
 */
record Segment(byte[] array, int offset, int length, Kind kind, long dts, long end, long index) {
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

    /** A whole array outside the log (init segment, a snapshot chunk). */
    static Segment of(byte[] array, int length, Kind kind, long dts) {
        return new Segment(array, 0, length, kind, dts, -1, -1);
    }

    boolean skippable() {
        return kind != Kind.CONFIG && kind != Kind.INIT;
    }

    /** Whether {@code next} continues this slice in the same buffer, so both go out as one write. */
    boolean adjoins(Segment next) {
        return next.array == array && next.offset == offset + length;
    }
}
