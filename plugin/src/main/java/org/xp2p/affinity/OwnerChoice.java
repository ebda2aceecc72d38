package org.xp2p.affinity;

import java.util.List;
import java.util.Optional;

/**
 * Picks the one node that owns a stream key among the live members. Every node of a cluster must
 * use the same choice over the same member list, so that all of them agree without talking to each
 * other; an implementation is therefore a pure function of (key, members) and must not depend on
 * the order of the list.
 */
public interface OwnerChoice {
    /** The owner of {@code key}, or empty when {@code members} is empty. */
    Optional<ClusterNode> owner(String key, List<ClusterNode> members);

    /** The choice named by {@code xp2p.cluster.hash}. */
    static OwnerChoice named(String name) {
        return switch (name) {
            case "rendezvous" -> new RendezvousChoice();
            case "nginx" -> new NginxConsistentChoice();
            default -> throw new IllegalArgumentException("unknown owner choice " + name);
        };
    }
}
