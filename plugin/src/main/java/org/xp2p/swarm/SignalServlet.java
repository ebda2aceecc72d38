package org.xp2p.swarm;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.Map;
import org.xp2p.http.JsonResponse;

/**
 * {@code GET /xp2p/signal}: upgrades to the signalling WebSocket from a servlet
 * ({@link ServerContainer#upgradeHttpToWebSocket}) instead of registering the endpoint with the
 * container.
 *
 * <p>Why: a container-registered endpoint is upgraded ahead of every webapp filter, so the
 * stream-to-node affinity filter would never see the handshake and a room could split across
 * nodes. Upgrading here runs the whole filter chain first. A request that is not a WebSocket
 * handshake gets 400 with a JSON error.
 */
final class SignalServlet extends HttpServlet {
    private final transient ServerContainer container;
    private final transient ServerEndpointConfig config;

    SignalServlet(ServerContainer container, ServerEndpointConfig config) {
        this.container = container;
        this.config = config;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            JsonResponse.error(resp, 400, "not_websocket", "connect with a WebSocket handshake");
            return;
        }
        try {
            container.upgradeHttpToWebSocket(req, resp, config, Map.of());
        } catch (DeploymentException e) {
            throw new ServletException("swarm: signalling upgrade failed: " + e.getMessage(), e);
        }
    }
}
