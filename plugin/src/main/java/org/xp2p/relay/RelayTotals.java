package org.xp2p.relay;

/**
 * Node-wide relay figures for metrics: streams relayed now and the sums over them.
 *
 * @param streams         streams relayed now
 * @param viewers         viewers connected now
 * @param bytesIn         bytes read from origins by the streams relayed now
 * @param bytesOut        bytes written to viewers by the streams relayed now
 * @param chunks          chunks closed
 * @param originReconnects origin recoveries
 * @param droppedViewers  viewers disconnected for lagging
 * @param skippedViewers  skips of lagging viewers
 * @param chunkBytesOut   body bytes of 200 init and chunk answers ({@code ?xp2p=init|chunk})
 * @param chunkRequests   200 init and chunk answers
 * @param holds           swarm rooms holding a stream now
 */
public record RelayTotals(int streams, long viewers, long bytesIn, long bytesOut, long chunks,
        long originReconnects, long droppedViewers, long skippedViewers, long chunkBytesOut, long chunkRequests,
        long holds) {
}
