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

    /**
     * Closes the connection without delivering what is still queued for it: for a peer that has
     * been silent past the limit, whose queue holds only routine messages it will never act on.
     */
    default void abandon(int code, String reason) {
        close(code, reason);
    }

    /**
     * Until the returned scope closes, sends made by this thread only queue: the socket writes
     * happen when the outermost scope closes. The hub opens one around work that holds a room's
     * monitor or a map lock, so no lock is ever held across a write (a write is a system call,
     * and a writer preempted on a busy machine would stall every join of that room behind it).
     * Per-link order is unchanged: a link's messages still leave in the order they were sent.
     */
    static Deferral defer() {
        return SessionLink.defer();
    }

    /** A scope of deferred sends; {@link #close} transmits them (outermost scope only). */
    interface Deferral extends AutoCloseable {
        @Override
        void close();
    }
}
