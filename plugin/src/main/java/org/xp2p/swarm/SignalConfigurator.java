package org.xp2p.swarm;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.log.WarnLimiter;

/**
 * Handshake policy for {@code /xp2p/signal}: refuses foreign browser Origins with HTTP 403 before
 * any WebSocket exists (so a page on another site cannot drive a viewer's browser into the swarm),
 * records the Origin for the session, and hands the container endpoints wired to the hub.
 */
final class SignalConfigurator extends ServerEndpointConfig.Configurator {
    private static final Logger LOG = LoggerFactory.getLogger(SignalConfigurator.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);
    static final String ORIGIN = "xp2p.swarm.origin";

    private final SwarmHub hub;

    SignalConfigurator(SwarmHub hub) {
        this.hub = hub;
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        boolean ok = hub.settings().originAllowed(originHeaderValue);
        if (!ok) {
            WARNS.warn("origin", "swarm: handshake from origin {} refused (not in xp2p.swarm.allowedOrigins)", originHeaderValue);
        }
        return ok;
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        List<String> origin = request.getHeaders().get("Origin");
        if (origin != null && !origin.isEmpty()) {
            sec.getUserProperties().put(ORIGIN, origin.get(0));
        }
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return endpointClass.cast(new SignalEndpoint(hub));
    }
}
