package org.xp2p.bench.sim;

/**
 * Where the upload slots of a run's uploaders went at the end: how many children their links
 * could feed (the model's truth, at the node's headroom) against how many the node's tree gives
 * them, with the difference split by cause.
 *
 * <p>Why: offload is bound by the slots the node believes in, and those fall short of the
 * population's for three different reasons with three different remedies: parents demoted by
 * stall reports (blame), peers never measured (they never had a child to upload to) and
 * measurements below the link (the measured rate includes round trips and waits).
 */
final class SlotGap {
    int offering;
    int givenNone;
    private long uplink;
    private long given;
    private long demoted;
    private int demotedPeers;
    private long unmeasured;
    private int unmeasuredPeers;
    private long measuredBelow;
    private int measuredBelowPeers;
    private long measuredAbove;

    /** One uploading peer: what the node shows for it, and the children its link could feed. */
    void add(NodeViews.Slots node, int uplinkSlots) {
        offering++;
        uplink += uplinkSlots;
        given += node.slots();
        if (node.slots() == 0) {
            givenNone++;
        }
        if (node.demoted()) {
            demoted += uplinkSlots;
            demotedPeers += uplinkSlots > 0 ? 1 : 0;
        } else if (node.measured() < 0) {
            int lost = Math.max(0, uplinkSlots - node.slots());
            unmeasured += lost;
            unmeasuredPeers += lost > 0 ? 1 : 0;
        } else if (node.measured() < uplinkSlots) {
            measuredBelow += uplinkSlots - node.measured();
            measuredBelowPeers++;
        } else {
            measuredAbove += node.measured() - uplinkSlots;
        }
    }

    @Override
    public String toString() {
        return String.format("%d vs %d; lost to demotion %d (%d peers), never measured %d (%d), measured below the link %d (%d); measured above %d",
                uplink, given, demoted, demotedPeers, unmeasured, unmeasuredPeers, measuredBelow, measuredBelowPeers, measuredAbove);
    }
}
