package org.xp2p.swarm;

import org.xp2p.common.TokenBucket;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One signalling connection: its server-assigned id, the way to reach it, the rooms it is in and
 * its inbound budget. A connection may be in several rooms (up to a configured cap) under one id.
 */
final class Peer {
    final String id;
    final PeerLink link;
    final String origin;
    final TokenBucket budget;
    /**
     * Copy-on-write: a connection is in one room or a few (a capped number), read on every message
     * and changed on join and leave only; a concurrent hash set cost 250 bytes per peer for that.
     */
    final Set<String> rooms = new CopyOnWriteArraySet<>();
    /** Set once, by whichever of close, drop or shutdown comes first. */
    final AtomicBoolean gone = new AtomicBoolean();
    /**
     * When the peer last sent anything (hub clock, ms). The container only closes sockets idle in
     * both directions, and the server keeps sending digests, so a hung peer is found by this alone.
     */
    volatile long lastHeardMillis;
    /** The client's address as the container reports it (for the auth callback), or null. */
    volatile String client;

    Peer(String id, PeerLink link, String origin, TokenBucket budget) {
        this.id = id;
        this.link = link;
        this.origin = origin;
        this.budget = budget;
    }

    @Override
    public String toString() {
        return id;
    }
}
