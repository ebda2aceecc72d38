package org.xp2p.swarm;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint at {@code /xp2p/signal}: one instance per connection, adapting the
 * container's callbacks to the {@link SwarmHub}. Size and idle limits are set per session so they
 * do not leak into other endpoints of the same container. Public only because the container
 * validates endpoint classes; instances come from {@link SignalConfigurator}.
 */
public final class SignalEndpoint extends Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(SignalEndpoint.class);
    static final String PEER = "xp2p.swarm.peer";

    private final SwarmHub hub;

    SignalEndpoint(SwarmHub hub) {
        this.hub = hub;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        SwarmSettings s = hub.settings();
        session.setMaxTextMessageBufferSize(s.maxMessageBytes());
        session.setMaxBinaryMessageBufferSize(s.maxMessageBytes());
        session.setMaxIdleTimeout(s.idleTimeoutSeconds() * 1000L);
        Object origin = config.getUserProperties().get(SignalConfigurator.ORIGIN);
        SessionLink link = new SessionLink(session, s.sendQueue());
        Peer peer = hub.connect(link, origin instanceof String o ? o : null);
        if (peer == null) {
            link.send(SignalMessage.error("node_full", "this node has " + s.maxPeers() + " peers; try again later", null));
            link.close(SwarmHub.CLOSE_TRY_AGAIN, "node full");
            return;
        }
        session.getUserProperties().put(PEER, peer);
        // Jetty and Tomcat both publish the remote address under this (non-standard) property
        if (session.getUserProperties().get("jakarta.websocket.endpoint.remoteAddress")
                instanceof java.net.InetSocketAddress remote && remote.getAddress() != null) {
            peer.client = remote.getAddress().getHostAddress();
        }
        link.onOverflow(() -> hub.drop(peer, SwarmHub.CLOSE_POLICY, "send queue overflow: peer does not read"));
        session.addMessageHandler(String.class, text -> hub.onText(peer, text));
        // without a binary handler the container would drop binary messages silently, unlimited
        session.addMessageHandler(java.nio.ByteBuffer.class, bytes -> hub.onBinary(peer));
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        if (session.getUserProperties().get(PEER) instanceof Peer peer) {
            // Tomcat passes a null reason phrase (and may pass a null reason): never let that keep a peer in
            String phrase = reason == null || reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase();
            String code = reason == null || reason.getCloseCode() == null ? "?" : String.valueOf(reason.getCloseCode().getCode());
            hub.disconnect(peer, "closed " + code + (phrase.isEmpty() ? "" : " " + phrase));
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        Object peer = session.getUserProperties().get(PEER);
        LOG.debug("swarm: peer {} connection error: {}", peer, error.toString());
    }
}
