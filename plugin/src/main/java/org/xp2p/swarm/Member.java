package org.xp2p.swarm;

/**
 * A peer's place in one room: what it said it can do at join, and the latest cumulative counters
 * it reported. Guarded by the owning {@link Room}.
 */
final class Member {
    final Peer peer;
    final boolean upload;
    final int slots;
    final String network;
    final long joinedAtMillis;
    long p2pBytes;
    long cdnBytes;
    long uploadBytes;
    long stalls;
    /** Epoch of the last stream description this member was sent (joined or stream); -1: none. Guarded by the room's announce lock. */
    long streamEpoch = -1;
    /**
     * The failure ({@code status error}) this member was last told of since the stream was last
     * live, or null: a later attempt that fails the same way is news only to members that have not
     * heard it. Guarded by the room's announce lock.
     */
    String failureTold;

    Member(Peer peer, boolean upload, int slots, String network, long joinedAtMillis) {
        this.peer = peer;
        this.upload = upload;
        this.slots = slots;
        this.network = network;
        this.joinedAtMillis = joinedAtMillis;
    }
}
