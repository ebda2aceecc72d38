package org.xp2p.swarm;

import jakarta.servlet.ServletContext;
import java.time.Clock;
import org.xp2p.config.Settings;
import org.xp2p.keys.KeyLookup;
import org.xp2p.relay.ChunkFeed;

/** STUB (swarm issue): rooms, delivery tree, WebSocket signalling at /xp2p/signal, statistics. */
public final class SwarmService implements AutoCloseable {
    public static SwarmService start(ServletContext ctx, Settings settings, ChunkFeed feed, KeyLookup keys, Clock clock) {
        return new SwarmService();
    }

    @Override
    public void close() {
    }
}
