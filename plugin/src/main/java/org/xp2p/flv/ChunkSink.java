package org.xp2p.flv;

/**
 * Receives what {@link FlvChunker} makes of an origin stream, in stream order, on the feeding
 * thread. The calls describe a byte stream: a viewer that receives the latest {@link
 * #initSegment} followed by every {@link #tag} from one {@link #chunkStart} on can decode.
 */
public interface ChunkSink {
    /**
     * A new or changed init segment: FLV header, PreviousTagSize0 and the current metadata and
     * sequence header tags (timestamps 0). Called before the first chunk starts and whenever the
     * stream's configuration changes; the array is never mutated afterwards.
     */
    void initSegment(byte[] init);

    /** The next {@link #tag} call starts chunk {@code seq}; {@code dtsMillis} is that tag's timestamp. */
    void chunkStart(long seq, boolean keyframe, long dtsMillis);

    /**
     * One whole serialized tag: 11-byte header + body + UI32 PreviousTagSize, timestamp already
     * rebased and chunk marker already inserted. Never mutated afterwards, so the callee may keep it.
     *
     * @param tagType         8 audio, 9 video, 18 script data
     * @param timestampMillis the timestamp written in the tag (full value, not truncated to 32 bits)
     */
    void tag(byte[] tag, int tagType, long timestampMillis);
}
