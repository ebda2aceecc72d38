package org.xp2p.bench.sim;

/**
 * The modelled population and network, one value per simulator option: what the peers' links
 * and behaviour look like. Defaults are the target scenario of issue 9.
 *
 * @param uploadMinMbps   smallest uplink (log-uniform between min and max)
 * @param uploadMaxMbps   largest uplink
 * @param downloadMbps    every peer's downlink
 * @param rttMinMs        smallest round-trip time to the network (uniform between min and max)
 * @param rttMaxMs        largest round-trip time
 * @param loss            packet loss probability; each loss costs one round trip (retransmission)
 * @param cellular        share of peers on cellular: they join with upload false (leaves)
 * @param churnPerMinute  share of peers leaving (and rejoining) per minute
 * @param rejoinAfterMs   how long a churned peer stays away before joining again
 * @param frozen          share of peers that freeze once during the measured window
 * @param slots           children a peer offers in its join (the player SDK's default is 4)
 * @param slotsByUplink   not what the SDK does today: offer only as many slots as the uplink can
 *                        feed, {@code floor(uplink / (1.25 × stream bitrate))}, at most {@code slots}
 * @param streamMbps      the stream's bitrate (measured from the recording)
 * @param linkSetupMs     cost of a new peer link on top of one round trip (ICE, DTLS, SCTP)
 * @param targetLatencyMs the player's startup target behind the live edge (SDK default 3000)
 * @param lateMs          a chunk complete later than this after its digest counts as late
 * @param sequentialUploads the SDK's upload queue: one chunk at a time, children that relay first
 *                        (false: all children at once, sharing the uplink, as the SDK did before)
 * @param reportsUploadRate the SDK's {@code stats.uploadRate}, throughput while uploading (false:
 *                        none, as the simulated peers sent before the node used it)
 * @param cutThrough      the SDK's forwarding (PROTOCOL 6b.4): a parent forwards a chunk's frames to
 *                        the first child waiting for it while they still arrive, holding back only
 *                        the last frame until its own copy is verified (false: store and forward,
 *                        the whole chunk first, as the SDK did before)
 * @param reportsDeadline the SDK's blame rule (scheduler.js {@code blameAfterMs}): a deadline that
 *                        ended sooner than {@link #BLAME_AFTER_MS} after the digest is reported only
 *                        when the parent missed the previous chunk too, and a {@code stall} says when
 *                        the deadline ended ({@code afterDigestMs}), so the node strikes only parents
 *                        that missed a deadline of 2 s or more (false: every miss is reported and
 *                        strikes, as with the SDK before)
 * @param lendsTurn       an experiment, not the SDK: the upload queue lends its turn, so an upload
 *                        forwarding a chunk still arriving leaves the capacity it cannot use to the
 *                        next upload in the queue and goes on alongside (false: only the first
 *                        waiting child is forwarded cut-through, as the SDK does)
 */
record PeerModel(double uploadMinMbps, double uploadMaxMbps, double downloadMbps, double rttMinMs, double rttMaxMs,
                 double loss, double cellular, double churnPerMinute, double rejoinAfterMs, double frozen, int slots, boolean slotsByUplink, double streamMbps,
                 double linkSetupMs, double targetLatencyMs, double lateMs, boolean sequentialUploads,
                 boolean reportsUploadRate, boolean cutThrough, boolean reportsDeadline, boolean lendsTurn) {
    /** Player SDK constants (player/src/scheduler.js DEFAULTS, player.js). */
    static final double HTTP_BUDGET_MS = 700;
    static final double MIN_PARENT_MS = 250;
    static final double MAX_PARENT_MS = 4000;
    static final double BLAME_AFTER_MS = 2000;
    static final int MAX_IN_FLIGHT = 3;
    static final double PARENT_HOLD_MS = 8000;
    static final double CHANNEL_OPEN_MS = 5000;
    static final int STARTUP_MAX_CHUNKS = 8;
    static final double STATS_EVERY_MS = 2000;
    /** Uplink headroom per child when slots follow the uplink. */
    static final double SLOT_HEADROOM = 1.25;
    /** Payload of the last frame of a chunk, held back by a cut-through parent until it verified the chunk (frame.js). */
    static final double LAST_FRAME_BYTES = 16384 - 20;

    /** The peers as they were before issue 9's tree work: 4 slots, parallel uploads, no upload rate reported. */
    PeerModel before() {
        return new PeerModel(uploadMinMbps, uploadMaxMbps, downloadMbps, rttMinMs, rttMaxMs, loss, cellular, churnPerMinute,
                rejoinAfterMs, frozen, Math.min(slots, 4), slotsByUplink, streamMbps, linkSetupMs, targetLatencyMs, lateMs, false, false, false, false, false);
    }

    /** The same peers forwarding only whole, verified chunks (store and forward, the SDK before cut-through). */
    PeerModel storeAndForward() {
        return new PeerModel(uploadMinMbps, uploadMaxMbps, downloadMbps, rttMinMs, rttMaxMs, loss, cellular, churnPerMinute,
                rejoinAfterMs, frozen, slots, slotsByUplink, streamMbps, linkSetupMs, targetLatencyMs, lateMs, true,
                reportsUploadRate, false, reportsDeadline, false);
    }

    /** The same peers reporting stalls without {@code afterDigestMs} (the SDK before it): every report strikes. */
    PeerModel blamingEveryMiss() {
        return new PeerModel(uploadMinMbps, uploadMaxMbps, downloadMbps, rttMinMs, rttMaxMs, loss, cellular, churnPerMinute,
                rejoinAfterMs, frozen, slots, slotsByUplink, streamMbps, linkSetupMs, targetLatencyMs, lateMs, sequentialUploads,
                reportsUploadRate, cutThrough, false, lendsTurn);
    }

    /**
     * Every waiting child is forwarded a chunk while it arrives: with the queue lending its turn
     * (the *lending* variant), or with parallel uploads (the *pipelined* variant, each upload
     * sharing the uplink). Neither is the SDK: both did worse at 10,000 peers (docs/benchmarks.md).
     */
    boolean pipelined() {
        return cutThrough && (lendsTurn || !sequentialUploads);
    }

    /** An experiment, not the SDK: every child's upload at once, each forwarded as the chunk arrives (no queue). */
    PeerModel parallelPipelined() {
        return new PeerModel(uploadMinMbps, uploadMaxMbps, downloadMbps, rttMinMs, rttMaxMs, loss, cellular, churnPerMinute,
                rejoinAfterMs, frozen, slots, slotsByUplink, streamMbps, linkSetupMs, targetLatencyMs, lateMs, false,
                reportsUploadRate, true, reportsDeadline, false);
    }

    /**
     * An experiment, not the SDK: the upload queue lends its turn while a forwarded chunk's bytes
     * are still to come, so every waiting child is forwarded as the chunk arrives, relays first.
     */
    PeerModel lendingTurns() {
        return new PeerModel(uploadMinMbps, uploadMaxMbps, downloadMbps, rttMinMs, rttMaxMs, loss, cellular, churnPerMinute,
                rejoinAfterMs, frozen, slots, slotsByUplink, streamMbps, linkSetupMs, targetLatencyMs, lateMs, true,
                reportsUploadRate, true, reportsDeadline, true);
    }

    /** Children this uplink can feed at {@code headroom} × the stream's bitrate each, at most {@code slots}. */
    int uplinkSlots(double upBytesPerMs, double headroom) {
        return (int) Math.min(slots, Math.floor(upBytesPerMs / LinkTiming.mbpsToBytesPerMs(streamMbps * headroom)));
    }

    /** The slots a peer with this uplink puts in its join. */
    int slotsFor(double upBytesPerMs) {
        return slotsByUplink ? uplinkSlots(upBytesPerMs, SLOT_HEADROOM) : slots;
    }
}
