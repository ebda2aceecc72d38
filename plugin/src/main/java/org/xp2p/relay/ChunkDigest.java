package org.xp2p.relay;

/**
 * What a correct chunk looks like: published to the swarm so that a peer verifies bytes it got
 * from another peer before playing or forwarding them.
 *
 * @param streamId the stream (room) id
 * @param epoch    the origin-pull epoch the chunk belongs to
 * @param seq      the chunk sequence number, monotonic for the life of the stream on this node
 * @param size     chunk length in bytes (whole FLV tags, SEI marker included)
 * @param sha256   lower-case hex SHA-256 of exactly those bytes
 * @param keyframe whether the chunk starts with a keyframe
 */
public record ChunkDigest(String streamId, long epoch, long seq, int size, String sha256, boolean keyframe) {
}
