package org.xp2p.relay;

/**
 * Where a live stream is now: what a joining peer needs to find its place.
 *
 * @param streamId  the stream (room) id
 * @param path      the stream's request path, e.g. {@code /live/cam1.flv}
 * @param epoch     current origin-pull epoch
 * @param lastSeq   newest chunk sequence produced (-1 when none yet)
 * @param firstSeq  oldest chunk still addressable over HTTP
 */
public record StreamPosition(String streamId, String path, long epoch, long lastSeq, long firstSeq) {
}
