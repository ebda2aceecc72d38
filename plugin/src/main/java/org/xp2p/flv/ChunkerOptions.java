package org.xp2p.flv;

/**
 * How {@link FlvChunker} numbers and cuts a stream.
 *
 * @param epoch                 origin-pull epoch written into every chunk marker (any value)
 * @param firstSeq              sequence number of the first chunk, {@code >= 0}
 * @param timestampOffsetMillis added to every tag timestamp, {@code >= 0}: the relay rebases a new
 *                              origin connection so that viewers see monotonic timestamps
 * @param targetChunkMillis     inside long GOPs a chunk is cut at the first video frame this long
 *                              after the chunk start; {@code 100..60000}
 */
public record ChunkerOptions(long epoch, long firstSeq, long timestampOffsetMillis, long targetChunkMillis) {
    public static final long DEFAULT_TARGET_CHUNK_MILLIS = 1000;
    public static final long MIN_TARGET_CHUNK_MILLIS = 100;
    public static final long MAX_TARGET_CHUNK_MILLIS = 60_000;

    public ChunkerOptions {
        if (firstSeq < 0) {
            throw new IllegalArgumentException("firstSeq must be >= 0, got " + firstSeq);
        }
        if (timestampOffsetMillis < 0) {
            throw new IllegalArgumentException("timestampOffsetMillis must be >= 0, got " + timestampOffsetMillis);
        }
        if (targetChunkMillis < MIN_TARGET_CHUNK_MILLIS || targetChunkMillis > MAX_TARGET_CHUNK_MILLIS) {
            throw new IllegalArgumentException("targetChunkMillis must be in " + MIN_TARGET_CHUNK_MILLIS + ".."
                    + MAX_TARGET_CHUNK_MILLIS + ", got " + targetChunkMillis);
        }
    }

    /** Epoch and first sequence, no timestamp offset, default target chunk duration. */
    public static ChunkerOptions of(long epoch, long firstSeq) {
        return new ChunkerOptions(epoch, firstSeq, 0, DEFAULT_TARGET_CHUNK_MILLIS);
    }
}
