package org.xp2p.swarm;

/**
 * The way out to one connected peer. Implementations never block the caller: a message that
 * cannot be queued means the peer cannot keep up, and the link closes it instead of slowing
 * the room (or the relay thread delivering digests) down.
 */
interface PeerLink {
    /** Queues one text message; false when the peer is gone or was just dropped for overflow. */
    boolean send(String text);

    /** Closes the connection with a WebSocket close code and a short reason. */
    void close(int code, String reason);
}
