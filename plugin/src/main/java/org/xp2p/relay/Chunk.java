package org.xp2p.relay;

/**
 * A closed chunk kept in the stream's window for late joiners and for peers that missed it.
 *
 * @param digest what the swarm publishes about it
 * @param dts    timestamp of its first tag
 * @param bytes  the chunk bytes (whole tags from its marker to the next marker)
 */
record Chunk(ChunkDigest digest, long dts, byte[] bytes) {
    long seq() {
        return digest.seq();
    }

    boolean keyframe() {
        return digest.keyframe();
    }
}
