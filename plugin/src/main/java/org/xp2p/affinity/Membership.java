package org.xp2p.affinity;

import java.util.List;

/**
 * The set of cluster members this node currently believes are live. Owner choice runs over this
 * list on every stream request, so {@link #live()} must be cheap and never block on I/O.
 */
public interface Membership extends AutoCloseable {
    /** Live members sorted by id; may be empty (then no one may serve a stream). */
    List<ClusterNode> live();

    ClusterNode self();

    @Override
    void close();
}
