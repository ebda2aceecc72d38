package org.xp2p.relay;

/**
 * A lease that keeps a stream's origin pull running without an HTTP viewer: held by a swarm room
 * while it has members, whose peers fetch the init segment and chunks over HTTP (or from each
 * other) instead of watching the http-flv stream. Closing it is idempotent; once the last hold,
 * viewer and chunk request are gone the stream stops after {@code xp2p.idleSeconds}.
 */
public interface StreamHold extends AutoCloseable {
    /** A hold on nothing: the pull was refused or has failed. */
    StreamHold NONE = new StreamHold() {
        @Override
        public boolean active() {
            return false;
        }

        @Override
        public void close() {
        }
    };

    /** False once the stream it holds has stopped (failed): a new hold starts a new pull. */
    boolean active();

    @Override
    void close();
}
