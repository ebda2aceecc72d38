package org.xp2p.flv;

/**
 * The largest things an origin may send, checked before anything is allocated for them.
 *
 * <p>Why: every size in FLV and in the NAL syntax inside it is chosen by the sender. A tag that
 * declares 16 MiB makes the reader buffer 16 MiB; a sequence header or onMetaData tag is kept for
 * the stream's life and sent to every joining viewer. These bounds keep one bad origin from costing
 * more than a few tags' worth of memory per stream; within them, every NAL length is checked against
 * the bytes that remain in its tag.
 *
 * @param maxTagBytes    largest tag body ({@code xp2p.relay.maxTagBytes}); a frame above it ends the
 *                       connection as malformed
 * @param maxConfigBytes largest sequence header or onMetaData body ({@code xp2p.relay.maxConfigBytes}),
 *                       at most {@code maxTagBytes}
 */
public record FlvLimits(int maxTagBytes, int maxConfigBytes) {
    /** Default largest tag body: far above any camera frame at 4K. */
    public static final int DEFAULT_MAX_TAG_BYTES = FlvReader.DEFAULT_MAX_TAG_SIZE;
    /** Default largest configuration tag: real ones are well under 1 KiB. */
    public static final int DEFAULT_MAX_CONFIG_BYTES = 64 * 1024;
    /** Smallest allowed {@code maxTagBytes}: a tag limit below this would refuse ordinary keyframes. */
    public static final int MIN_MAX_TAG_BYTES = 64 * 1024;
    /** Smallest allowed {@code maxConfigBytes}. */
    public static final int MIN_MAX_CONFIG_BYTES = 1024;
    /** The defaults. */
    public static final FlvLimits DEFAULTS = new FlvLimits(DEFAULT_MAX_TAG_BYTES, DEFAULT_MAX_CONFIG_BYTES);

    public FlvLimits {
        if (maxTagBytes < MIN_MAX_TAG_BYTES || maxTagBytes > FlvTag.MAX_DATA_SIZE) {
            throw new IllegalArgumentException("maxTagBytes must be in " + MIN_MAX_TAG_BYTES + ".."
                    + FlvTag.MAX_DATA_SIZE + " (the FLV DataSize maximum), got " + maxTagBytes);
        }
        if (maxConfigBytes < MIN_MAX_CONFIG_BYTES || maxConfigBytes > maxTagBytes) {
            throw new IllegalArgumentException("maxConfigBytes must be in " + MIN_MAX_CONFIG_BYTES
                    + "..maxTagBytes (" + maxTagBytes + "), got " + maxConfigBytes);
        }
    }
}
