package org.xp2p.common;

/**
 * The plugin's fixed endpoints inside its context (docs/PROTOCOL.md). One list, because features
 * register them and the affinity layer must know which of them name a stream.
 */
public final class Paths {
    /** Key service: {@code POST /code}, {@code GET /code/{code}}. */
    public static final String CODE = "/code";
    /** Room statistics, {@code GET /stat?xresid=R}. */
    public static final String STAT = "/stat";
    /** Signalling WebSocket. */
    public static final String SIGNAL = "/xp2p/signal";
    /** Relay statistics, {@code GET /xp2p/streams[?xresid=R]}. */
    public static final String STREAM_STATS = "/xp2p/streams";
    /** Room trees for operators, {@code GET /xp2p/rooms[/R]}. */
    public static final String ROOMS = "/xp2p/rooms";
    public static final String HEALTH = "/xp2p/health";
    public static final String METRICS = "/xp2p/metrics";

    private Paths() {
    }
}
