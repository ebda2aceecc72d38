package org.xp2p.swarm;

import org.xp2p.common.Paths;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.auth.StreamAuth;
import org.xp2p.config.Settings;
import org.xp2p.keys.KeyLookup;
import org.xp2p.ops.Xp2pMetrics;
import org.xp2p.relay.ChunkFeed;

/**
 * The P2P swarm of this node: the signalling WebSocket at {@code /xp2p/signal}, the statistics
 * query {@code /stat} and the dashboard views {@code /xp2p/rooms}. Everything is registered here,
 * programmatically, so the WAR needs no annotation scanning.
 */
public final class SwarmService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmService.class);
    static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";

    private final SwarmHub hub;

    private SwarmService(SwarmHub hub) {
        this.hub = hub;
    }

    public static SwarmService start(ServletContext ctx, Settings settings, ChunkFeed feed, KeyLookup keys, Clock clock,
            Xp2pMetrics metrics) {
        return start(ctx, settings, feed, keys, clock, metrics, StreamAuth.from(settings, clock));
    }

    /** @param auth per-stream authorization ({@code xp2p.auth.*}), shared with the relay; closed by its owner */
    public static SwarmService start(ServletContext ctx, Settings settings, ChunkFeed feed, KeyLookup keys, Clock clock,
            Xp2pMetrics metrics, StreamAuth auth) {
        SwarmSettings s = SwarmSettings.from(settings);
        if (!(ctx.getAttribute(SERVER_CONTAINER) instanceof ServerContainer container)) {
            throw new IllegalStateException("swarm: the container offers no Jakarta WebSocket server (context attribute "
                    + SERVER_CONTAINER + " missing); enable WebSocket support in the container");
        }
        SwarmHub hub = new SwarmHub(s, feed, keys, clock, ctx.getContextPath(), metrics, auth);
        ServerEndpointConfig endpoint = ServerEndpointConfig.Builder.create(SignalEndpoint.class, Paths.SIGNAL)
                .configurator(new SignalConfigurator(hub)).build();
        ctx.addServlet("xp2p-signal", new SignalServlet(container, endpoint)).addMapping(Paths.SIGNAL);
        ctx.addServlet("xp2p-stat", new StatServlet(hub)).addMapping(Paths.STAT);
        ctx.addServlet("xp2p-rooms", new RoomsServlet(hub)).addMapping(Paths.ROOMS, Paths.ROOMS + "/*");
        LOG.info("swarm: signalling at {}{} (auth {}, max depth {}, {} ICE servers, origins {})", ctx.getContextPath(),
                Paths.SIGNAL, s.auth(), s.maxDepth(), s.iceServers().size(),
                s.allowedOrigins().isEmpty() ? "any" : s.allowedOrigins());
        return new SwarmService(hub);
    }

    /** Signalling connections open now (for ops metrics). */
    public int connections() {
        return hub.connections();
    }

    /** Rooms with at least one peer now (for ops metrics). */
    public int rooms() {
        return hub.roomFlows().size();
    }

    /** Closes every peer with 1001 (going away) so clients reconnect elsewhere at once. */
    @Override
    public void close() {
        hub.close();
        LOG.info("swarm: stopped, peers closed with 1001");
    }
}
