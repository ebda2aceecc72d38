package org.xp2p.bench.sim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Times how long a frozen parent keeps its children: from the freeze until each child that had it
 * as parent has been sent another parent (by a stall report the child made, or by the server's
 * silence sweep removing the frozen peer). Model thread only.
 */
final class FrozenWatch {
    private record Watch(double frozenAt, Set<String> children) {
    }

    private final Figures fig;
    private final Map<String, Watch> byParent = new HashMap<>();

    FrozenWatch(Figures fig) {
        this.fig = fig;
    }

    /** {@code parent} froze at {@code now} with these children (its latest {@code children} list). */
    void frozen(String parent, Set<String> children, double now) {
        fig.frozen++;
        if (!children.isEmpty()) {
            fig.frozenWithChildren++;
            byParent.put(parent, new Watch(now, new HashSet<>(children)));
        }
    }

    /** {@code child} no longer has {@code oldParent} as parent (moved, or left the room). */
    void detached(String child, String oldParent, double now) {
        Watch w = oldParent == null ? null : byParent.get(oldParent);
        if (w != null && w.children.remove(child) && w.children.isEmpty()) {
            byParent.remove(oldParent);
            fig.frozenReplaced.add(now - w.frozenAt);
        }
    }

    /**
     * At the end: frozen parents some child of which was never moved, with how long before the end
     * each froze (one that froze just before the end has not yet had the time it is allowed).
     */
    void finish(double now) {
        fig.frozenNotReplaced = byParent.size();
        for (Watch w : byParent.values()) {
            fig.frozenUnresolvedAgesMs.add(now - w.frozenAt());
        }
    }
}
