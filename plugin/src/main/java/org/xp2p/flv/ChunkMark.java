package org.xp2p.flv;

/**
 * The content of an xp2p chunk marker SEI (see docs/PROTOCOL.md section 3).
 *
 * @param version   marker format version, {@link SeiMarker#VERSION}
 * @param epoch     origin-pull epoch
 * @param seq       chunk sequence number
 * @param keyframe  the chunk starts with a keyframe
 * @param dtsMillis timestamp of the tag carrying the marker, as sent
 */
public record ChunkMark(int version, long epoch, long seq, boolean keyframe, long dtsMillis) {
}
