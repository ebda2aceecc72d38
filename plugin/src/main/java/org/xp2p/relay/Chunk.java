package org.xp2p.relay;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A closed chunk kept in the stream's window for late joiners and for peers that missed it.
 *
 * <p>Its bytes are the first {@link #size()} bytes of the very buffer the origin thread filled
 * and viewers were sent from: closing a chunk copies nothing. The SHA-256 is computed on first
 * use, outside any stream lock (by the origin thread after it released the lock, or by a chunk
 * request that got there first), because hashing a chunk takes long enough to stall joiners.
 */
final class Chunk {
    private final String streamId;
    private final long epoch;
    private final long seq;
    private final boolean keyframe;
    private final long dts;
    private final byte[] array;
    private final int size;
    /** Written at most a few times with equal values: a benign race that avoids a lock. */
    private volatile ChunkDigest digest;

    Chunk(String streamId, long epoch, long seq, boolean keyframe, long dts, byte[] array, int size) {
        this.streamId = streamId;
        this.epoch = epoch;
        this.seq = seq;
        this.keyframe = keyframe;
        this.dts = dts;
        this.array = array;
        this.size = size;
    }

    long seq() {
        return seq;
    }

    long epoch() {
        return epoch;
    }

    boolean keyframe() {
        return keyframe;
    }

    /** Timestamp of its first tag. */
    long dts() {
        return dts;
    }

    int size() {
        return size;
    }

    /** The shared buffer; only its first {@link #size()} bytes belong to the chunk. Never mutate. */
    byte[] array() {
        return array;
    }

    /** The chunk as a segment for a joiner's snapshot. */
    Segment segment() {
        return Segment.of(array, size, keyframe ? Segment.Kind.KEY_CHUNK_START : Segment.Kind.CHUNK_START, dts);
    }

    /** What the swarm publishes about this chunk; hashes on first call. */
    ChunkDigest digest() {
        ChunkDigest d = digest;
        if (d == null) {
            d = new ChunkDigest(streamId, epoch, seq, size, sha256(array, size), keyframe);
            digest = d;
        }
        return d;
    }

    private static String sha256(byte[] bytes, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes, 0, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
