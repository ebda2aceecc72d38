package org.xp2p.affinity;

import java.util.List;

/**
 * Membership fixed by configuration ({@code xp2p.cluster.nodes}): every listed node is always
 * considered live. Simple and needs no shared database, at the price that a dead node's streams
 * do not move until the configuration changes; the access layer must then stop sending to it.
 */
public final class StaticMembership implements Membership {
    private final ClusterNode self;
    private final List<ClusterNode> nodes;

    public StaticMembership(ClusterNode self, List<ClusterNode> nodes) {
        this.self = self;
        this.nodes = List.copyOf(nodes);
    }

    @Override
    public List<ClusterNode> live() {
        return nodes;
    }

    @Override
    public ClusterNode self() {
        return self;
    }

    @Override
    public void close() {
    }
}
