package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One headless viewer's player, modelled on the player SDK (docs/PROTOCOL.md 6b,
 * player/src/scheduler.js, player.js) but with modelled links instead of WebRTC and HTTP:
 * bootstrap over HTTP to the target latency, then every chunk whose digest is known is asked of a
 * peer source (the tree's parent, or the mesh's neighbours: subclasses decide) with the SDK's
 * deadline, else or after the deadline taken from the server. Plays in real time from its buffer
 * (a stall is the next chunk missing when due), serves chunks to others through its
 * {@link Uplink}, and keeps the SDK's cumulative counters. Runs only on the clock's thread.
 */
abstract class SimPeer {
    /** One chunk being fetched for this peer. */
    static final class Fetch {
        final SimPeer child;
        final long seq;
        final long size;
        final long generation;
        boolean finished;
        boolean cancelled;
        /** The tree link or mesh neighbour asked, null when from the server. */
        Object via;
        SimPeer uploader;
        Uplink.Transfer transfer;
        /** What the request says about the child: how many children it feeds itself (SDK: {@code get.children}). */
        int relayPriority;
        /** Model ms when the uploader queued the transfer and when its last byte left; uploads ahead of it then. */
        double queuedAt = Double.NaN;
        double sentAt = Double.NaN;
        int queuedBehind;
        /** Cut-through: when the child's first byte arrived (and the child's uplink busy time then), when its request was held. */
        double firstByteAt = Double.NaN;
        double busyAtFirstByte;
        double heldAt = Double.NaN;
        double busyAtHeld;
        /** When the fetch began, and the deadline its last parent was given (NaN: none). */
        double askedAt;
        double parentDeadlineMs = Double.NaN;

        Fetch(SimPeer child, long seq, long size, long generation) {
            this.child = child;
            this.seq = seq;
            this.size = size;
            this.generation = generation;
        }

        boolean active() {
            return !finished && !cancelled && generation == child.generation;
        }
    }

    private static final int RING = 256;

    final PeerProfile profile;
    final PeerModel model;
    final SimClock clock;
    final Figures fig;
    final ChunkLog log;
    final Random random;
    final Uplink uplink;

    long generation;
    boolean member;
    boolean frozen;
    double frozenAt = Double.NaN;
    double joinSentAt;

    private final long[] ringSeq = new long[RING];
    private final double[] ringDigest = new double[RING];
    private final double[] ringDone = new double[RING];
    long knownMax = -1;
    long newestDone = -1;

    private boolean streamKnown;
    private long streamLastSeq = -1;
    private boolean bootstrapping;
    private long launched = -1;
    private int inFlight;
    final Map<Long, Fetch> fetches = new HashMap<>();
    private final Map<Long, List<Fetch>> holds = new HashMap<>();
    /** The fetch whose completion is being announced to waiting children (cut-through credit). */
    private Fetch completedNow;
    /**
     * Pipelined forwarding: uploads of a chunk this peer is still receiving, by chunk. Their rate is
     * capped at the rate the chunk arrives here; they stop short of its last frame and finish once
     * this peer's own copy completes.
     */
    private final Map<Long, List<Fetch>> forwarding = new HashMap<>();

    private boolean playing;
    private long playSeq;
    private double playEnd;
    private boolean stalled;
    private double stallSince;

    long p2pBytes;
    long cdnBytes;
    long uploadBytes;
    long stalls;
    /** All-time totals over every membership (to compare with the node's cumulative figures). */
    long allP2p;
    long allCdn;

    SimPeer(PeerProfile profile, PeerModel model, SimClock clock, Figures fig, ChunkLog log) {
        this.profile = profile;
        this.model = model;
        this.clock = clock;
        this.fig = fig;
        this.log = log;
        this.random = new Random(profile.seed());
        this.uplink = new Uplink(clock, profile.upBytesPerMs(), model.sequentialUploads(), model.pipelined());
    }

    // ---------------------------------------------------------------- membership

    /** A new membership: empty player, counters from zero (they are per join, section 7). */
    void beginMembership() {
        generation++;
        member = true;
        Arrays.fill(ringSeq, -1);
        knownMax = -1;
        newestDone = -1;
        streamKnown = false;
        streamLastSeq = -1;
        bootstrapping = false;
        launched = -1;
        inFlight = 0;
        fetches.clear();
        holds.clear();
        playing = false;
        stalled = false;
        p2pBytes = 0;
        cdnBytes = 0;
        uploadBytes = 0;
        stalls = 0;
        joinSentAt = clock.now();
    }

    /** The membership ends (leave, close): nothing more is fetched, served or played. */
    void endMembership() {
        generation++;
        member = false;
        for (Fetch f : List.copyOf(fetches.values())) {
            cancel(f);
        }
        fetches.clear();
        holds.clear();
        forwarding.clear();
        uplink.stopAll();
        playing = false;
    }

    /** Stops everything at once, including serving: a hung tab. */
    void freeze() {
        frozen = true;
        frozenAt = clock.now();
        for (Fetch f : List.copyOf(fetches.values())) {
            cancel(f);
        }
        fetches.clear();
        generation++;
        uplink.stopAll();
        holds.clear();
        forwarding.clear();
        playing = false;
    }

    boolean counting() {
        return !frozen && fig.counting(clock.now());
    }

    // ---------------------------------------------------------------- chunk bookkeeping

    private int slot(long seq) {
        return (int) Math.floorMod(seq, (long) RING);
    }

    double digestAt(long seq) {
        int i = slot(seq);
        return ringSeq[i] == seq ? ringDigest[i] : Double.NaN;
    }

    boolean isDone(long seq) {
        int i = slot(seq);
        return ringSeq[i] == seq && !Double.isNaN(ringDone[i]);
    }

    private void touch(long seq) {
        int i = slot(seq);
        if (ringSeq[i] != seq) {
            ringSeq[i] = seq;
            ringDigest[i] = Double.NaN;
            ringDone[i] = Double.NaN;
        }
    }

    private void markDone(long seq) {
        touch(seq);
        ringDone[slot(seq)] = clock.now();
        newestDone = Math.max(newestDone, seq);
    }

    // ---------------------------------------------------------------- stream and digests

    /** The stream is live; {@code lastSeq} is the newest closed chunk (-1: none yet). */
    void streamLive(long lastSeq) {
        streamKnown = true;
        streamLastSeq = Math.max(streamLastSeq, lastSeq);
        if (!playing && !bootstrapping && launched < 0) {
            bootstrap();
        }
    }

    void digest(long seq, long size, boolean keyframe) {
        if (!member || frozen) {
            return;
        }
        log.digest(seq, size, keyframe, clock.now());
        touch(seq);
        if (Double.isNaN(ringDigest[slot(seq)])) {
            ringDigest[slot(seq)] = clock.now();
        }
        knownMax = Math.max(knownMax, seq);
        if (launched >= 0) {
            pump();
        } else if (streamKnown && !bootstrapping) {
            bootstrap();
        }
    }

    /**
     * Init segment, then the newest chunks backwards over HTTP until a keyframe chunk at least the
     * target latency behind the live edge is in hand (player.js bootstrap), one request at a time.
     */
    private void bootstrap() {
        long newest = Math.max(streamLastSeq, knownMax);
        if (newest < 0) {
            return; // no closed chunk yet: the first digest starts it
        }
        bootstrapping = true;
        long gen = generation;
        double t = profile.rttMs() + 1_000 / profile.downBytesPerMs(); // init segment: about 1 kB
        long bytes = 1_000;
        List<Long> got = new ArrayList<>();
        long start = -1;
        double lastMs = newest > 0 ? log.mediaStart(newest) - log.mediaStart(newest - 1) : Double.NaN;
        double edge = log.mediaStart(newest) + (lastMs > 0 ? lastMs : 1_000); // player.js newestChunkMs
        for (long seq = newest; seq >= 0 && got.size() < PeerModel.STARTUP_MAX_CHUNKS; seq--) {
            long size = log.size(seq);
            double busy = size / profile.downBytesPerMs();
            t += busy + profile.rttMs() + LinkTiming.lossPenaltyMs(size, model.loss(), profile.rttMs(), busy, random);
            bytes += size;
            got.add(seq);
            if (log.keyframe(seq)) {
                start = seq;
                if (edge - log.mediaStart(seq) >= model.targetLatencyMs()) {
                    break;
                }
            }
        }
        if (start < 0) {
            start = got.get(got.size() - 1);
        }
        long first = start;
        long total = bytes;
        clock.at(t, () -> {
            if (gen != generation || frozen) {
                return;
            }
            bootstrapping = false;
            cdnBytes += total;
            allCdn += total;
            if (counting()) {
                fig.cdnBytes += total;
                fig.bootstrapCdnBytes += total;
                fig.roomCdn[profile.room()] += total;
                fig.startup.add(clock.now() - joinSentAt);
                fig.startups++;
            }
            for (long s = first; s <= newest; s++) {
                markDone(s);
            }
            startPlayback(first);
            launched = newest + 1;
            pump();
        });
    }

    // ---------------------------------------------------------------- fetching

    private void pump() {
        while (inFlight < PeerModel.MAX_IN_FLIGHT && launched <= knownMax && launched >= 0) {
            long seq = launched++;
            if (isDone(seq)) {
                continue;
            }
            Fetch f = new Fetch(this, seq, log.size(seq), generation);
            f.askedAt = clock.now();
            fetches.put(seq, f);
            inFlight++;
            if (Double.isNaN(digestAt(seq)) || !fromPeers(f)) {
                fromServer(f);
            }
        }
    }

    /** Asks a peer source for the chunk; false to take it from the server now. Sets the deadline. */
    abstract boolean fromPeers(Fetch f);

    /** Depth reported with delay figures (tree depth; 0 for the mesh). */
    abstract int depthNow();

    /** The SDK's deadline for a parent, from the media buffered ahead of the playhead. */
    double parentDeadline() {
        return LinkTiming.parentDeadlineMs(bufferedAheadMs());
    }

    /** scheduler.js: the same, ending at the latest MAX_PARENT_MS after the chunk's digest. */
    double parentDeadline(long seq) {
        double sinceDigest = clock.now() - digestAt(seq);
        return Math.max(PeerModel.MIN_PARENT_MS, Math.min(parentDeadline(), PeerModel.MAX_PARENT_MS - sinceDigest));
    }

    void fromServer(Fetch f) {
        f.via = null;
        f.firstByteAt = clock.now() + profile.rttMs();
        f.busyAtFirstByte = uplink.busyMs();
        if (model.pipelined()) {
            clock.at(profile.rttMs(), () -> firstByte(f));
        }
        double busy = f.size / profile.downBytesPerMs();
        double t = busy + profile.rttMs() + LinkTiming.lossPenaltyMs(f.size, model.loss(), profile.rttMs(), busy, random);
        clock.at(t, () -> complete(f, false));
    }

    /** Abandons a fetch (its transfer stops using the uploader's capacity). */
    void cancel(Fetch f) {
        f.cancelled = true;
        if (f.transfer != null && f.uploader != null) {
            f.uploader.uplink.cancel(f.transfer);
            f.transfer = null;
        }
    }

    /** The deadline passed (or the source failed): abandon the peer and take it over HTTP. */
    void fallBack(Fetch f) {
        if (!f.active()) {
            return;
        }
        if (f.transfer != null && f.uploader != null) {
            f.uploader.uplink.cancel(f.transfer);
            f.transfer = null;
        }
        if (counting()) {
            fig.cdnFallbacks++;
        }
        fromServer(f);
    }

    /** A source said it does not have the chunk (6b.2 {@code missing}): HTTP, not a failure. */
    void missing(Fetch f) {
        if (!f.active() || f.via == null) {
            return;
        }
        if (counting()) {
            fig.missing++;
        }
        fromServer(f);
    }

    void complete(Fetch f, boolean fromPeer) {
        if (!f.active()) {
            return;
        }
        f.finished = true;
        fetches.remove(f.seq);
        inFlight--;
        if (!isDone(f.seq)) {
            markDone(f.seq);
            if (fromPeer) {
                p2pBytes += f.size;
                allP2p += f.size;
            } else {
                cdnBytes += f.size;
                allCdn += f.size;
            }
            if (counting()) {
                double delay = clock.now() - digestAt(f.seq);
                if (fromPeer) {
                    fig.p2pBytes += f.size;
                    fig.roomP2p[profile.room()] += f.size;
                    fig.p2pChunks++;
                } else {
                    fig.cdnBytes += f.size;
                    fig.roomCdn[profile.room()] += f.size;
                }
                if (!Double.isNaN(delay)) {
                    fig.chunks++;
                    fig.delay.add(delay);
                    fig.depth(depthNow()).add(delay);
                    if (delay > fig.maxLatenessMs) {
                        fig.maxLatenessMs = delay;
                        fig.maxLatenessWhy = String.format("%s at depth %d, asked %.0f ms after the digest, parent deadline %.0f ms",
                                fromPeer ? "from a parent" : "over HTTP", depthNow(), f.askedAt - digestAt(f.seq), f.parentDeadlineMs);
                    }
                    if (delay > model.lateMs()) {
                        fig.lateChunks++;
                        if (!fromPeer) {
                            fig.lateFallbacks++;
                        } else if (!Double.isNaN(f.sentAt)) {
                            fig.lateFromPeer++;
                            fig.lateUntilQueuedMs += f.queuedAt - digestAt(f.seq);
                            fig.lateInUplinkMs += f.sentAt - f.queuedAt;
                            fig.lateTailMs += clock.now() - f.sentAt;
                            fig.lateQueuedBehind += f.queuedBehind;
                        }
                    }
                }
            }
            completedNow = f;
            served(f.seq);
            completedNow = null;
            chunkArrived(f.seq);
        }
        pump();
    }

    /** Hook: a chunk became available here (the mesh tells its followers). */
    void served(long seq) {
        List<Fetch> forwarded = forwarding.remove(seq);
        if (forwarded != null) {
            for (Fetch w : forwarded) {
                if (!w.active()) {
                    continue;
                }
                if (w.transfer != null) {
                    uplink.recap(w.transfer, w.child.profile.downBytesPerMs()); // the rest is here: full speed
                } else {
                    lastFrame(w); // it was waiting for this peer's verification
                }
            }
        }
        List<Fetch> waiting = holds.remove(seq);
        if (waiting != null) {
            Fetch first = null;
            for (Fetch w : waiting) {
                if (w.active() && (first == null || w.relayPriority > first.relayPriority)) {
                    first = w;
                }
            }
            for (Fetch w : waiting) {
                if (w.active()) {
                    upload(w, w == first ? cutThroughCredit(w, completedNow) : 0);
                }
            }
        }
    }

    /**
     * Cut-through (PeerModel#cutThrough): the bytes the first waiting child already has when this
     * peer's own copy completes. From the later of its request and this peer's first byte, the
     * parent forwarded at its uplink's rate whenever the uplink was not busy with other uploads,
     * never more than had arrived (all of it, by now) less the last frame, which waits for the
     * parent's verification. Arrival is taken as the only bound once caught up, so the credit is
     * an upper estimate when idle time came early and bytes late.
     */
    private double cutThroughCredit(Fetch w, Fetch mine) {
        if (!model.cutThrough() || mine == null || Double.isNaN(mine.firstByteAt) || Double.isNaN(w.heldAt)) {
            return 0;
        }
        double now = clock.now();
        double from = Math.max(w.heldAt, mine.firstByteAt);
        double busyAtFrom = w.heldAt >= mine.firstByteAt ? w.busyAtHeld : mine.busyAtFirstByte;
        double idle = (now - from) - (uplink.busyMs() - busyAtFrom);
        if (idle <= 0) {
            return 0;
        }
        double rate = Math.min(profile.upBytesPerMs(), w.child.profile.downBytesPerMs());
        return Math.max(0, Math.min(w.size - PeerModel.LAST_FRAME_BYTES, rate * idle));
    }

    // ---------------------------------------------------------------- serving others

    /** A request for {@code f.seq} reached this peer (after half a round trip). */
    void serve(Fetch f) {
        if (!member || frozen || !f.active()) {
            return; // a hung or gone peer answers nothing; the child's deadline fires
        }
        double rtt = LinkTiming.peerRtt(profile.rttMs(), f.child.profile.rttMs());
        Fetch mine = fetches.get(f.seq);
        if (isDone(f.seq)) {
            upload(f, 0);
        } else if (model.pipelined() && mine != null && mine.active() && mine.firstByteAt <= clock.now()) {
            forward(f, mine);
        } else if (f.seq > newestDone && f.seq <= knownMax + 2) {
            holds.computeIfAbsent(f.seq, k -> new ArrayList<>(2)).add(f);
            f.heldAt = clock.now();
            f.busyAtHeld = uplink.busyMs();
            long gen = generation;
            clock.at(PeerModel.PARENT_HOLD_MS, () -> {
                List<Fetch> w = holds.get(f.seq);
                if (gen == generation && w != null && w.remove(f) && f.active()) {
                    clock.at(rtt / 2, () -> f.child.missing(f));
                }
            });
        } else {
            clock.at(rtt / 2, () -> f.child.missing(f));
        }
    }

    /** Pipelined: the first byte of {@code mine} reached this peer; held requests for it start forwarding now. */
    private void firstByte(Fetch mine) {
        if (!mine.active() || !member || frozen) {
            return;
        }
        List<Fetch> waiting = holds.remove(mine.seq);
        if (waiting != null) {
            for (Fetch w : waiting) {
                if (w.active()) {
                    forward(w, mine);
                }
            }
        }
    }

    /**
     * Pipelined cut-through (PeerModel#pipelined): uploads the chunk this peer is receiving in
     * {@code mine}, all but its last frame, no faster than it arrives here (the rate at this
     * moment; the cap lifts when the chunk is complete), on this peer's uplink with the other
     * uploads (shared, or lent in queue order: {@link Uplink}). The last frame leaves once this
     * peer's own copy is complete.
     */
    private void forward(Fetch f, Fetch mine) {
        double arriving = mine.via == null ? profile.downBytesPerMs()
                : mine.uploader == null || mine.transfer == null ? profile.downBytesPerMs() : mine.uploader.uplink.rateOf(mine.transfer);
        double cap = Math.min(f.child.profile.downBytesPerMs(), Math.max(arriving, 1e-3));
        double rtt = LinkTiming.peerRtt(profile.rttMs(), f.child.profile.rttMs());
        long gen = generation;
        f.uploader = this;
        f.queuedAt = clock.now();
        f.queuedBehind = uplink.active();
        forwarding.computeIfAbsent(f.seq, k -> new ArrayList<>(2)).add(f);
        f.transfer = new Uplink.Transfer(Math.max(1, Math.round(f.size - PeerModel.LAST_FRAME_BYTES)), cap, f.relayPriority,
                () -> firstByteLeft(f, rtt), () -> {
            f.transfer = null;
            if (gen != generation || !f.active()) {
                return;
            }
            if (isDone(f.seq)) {
                List<Fetch> w = forwarding.get(f.seq);
                if (w != null) {
                    w.remove(f);
                }
                lastFrame(f);
            } // else it waits in forwarding until served(seq)
        });
        uplink.add(f.transfer);
    }

    /** An upload's first byte left: it reaches the child half a round trip later (pipelined: its own children may start). */
    private void firstByteLeft(Fetch f, double rtt) {
        if (Double.isNaN(f.firstByteAt)) {
            f.firstByteAt = clock.now() + rtt / 2;
            f.busyAtFirstByte = f.child.uplink.busyMs();
            if (model.pipelined()) {
                clock.at(rtt / 2, () -> f.child.firstByte(f));
            }
        }
    }

    /** Pipelined: the last frame of a forwarded chunk, once this peer's copy is complete. */
    private void lastFrame(Fetch f) {
        double rtt = LinkTiming.peerRtt(profile.rttMs(), f.child.profile.rttMs());
        long gen = generation;
        f.transfer = new Uplink.Transfer(Math.round(PeerModel.LAST_FRAME_BYTES), f.child.profile.downBytesPerMs(), f.relayPriority, () -> {
            f.transfer = null;
            f.sentAt = clock.now();
            if (gen == generation) {
                uploadBytes += f.size;
            }
            double tail = rtt / 2 + LinkTiming.lossPenaltyMs(f.size, model.loss(), rtt, clock.now() - f.queuedAt, random);
            clock.at(tail, () -> f.child.complete(f, true));
        });
        uplink.add(f.transfer);
    }

    /** Sends the chunk, less {@code credit} bytes the child already has (cut-through), through the uplink. */
    private void upload(Fetch f, double credit) {
        double rtt = LinkTiming.peerRtt(profile.rttMs(), f.child.profile.rttMs());
        double started = clock.now();
        long gen = generation;
        f.uploader = this;
        f.queuedAt = started;
        f.queuedBehind = uplink.active();
        if (credit > 0) {
            // the SDK's meter counts forwarding time only while bytes were there to send
            uplink.account(credit, credit / Math.min(profile.upBytesPerMs(), f.child.profile.downBytesPerMs()));
        }
        f.transfer = new Uplink.Transfer(Math.max(1, Math.round(f.size - credit)), f.child.profile.downBytesPerMs(), f.relayPriority,
                () -> firstByteLeft(f, rtt), () -> {
            f.transfer = null;
            f.sentAt = clock.now();
            if (gen == generation) {
                uploadBytes += f.size;
            }
            double busy = clock.now() - started;
            double tail = rtt / 2 + LinkTiming.lossPenaltyMs(f.size, model.loss(), rtt, busy, random);
            clock.at(tail, () -> f.child.complete(f, true));
        });
        uplink.add(f.transfer);
    }

    // ---------------------------------------------------------------- playback

    private void startPlayback(long seq) {
        playing = true;
        stalled = false;
        playSeq = seq;
        playEnd = clock.now() + log.durationMs(seq);
        countPlayed();
        schedulePlayhead();
    }

    private void schedulePlayhead() {
        long gen = generation;
        clock.at(playEnd - clock.now(), () -> {
            if (gen == generation && playing) {
                advance();
            }
        });
    }

    private void advance() {
        long next = playSeq + 1;
        if (isDone(next)) {
            playSeq = next;
            playEnd += log.durationMs(next);
            countPlayed();
            schedulePlayhead();
        } else {
            stalled = true;
            stallSince = playEnd;
            stalls++;
            if (counting()) {
                fig.stalls++;
            }
        }
    }

    private void chunkArrived(long seq) {
        if (playing && stalled && seq == playSeq + 1) {
            stalled = false;
            if (counting()) {
                fig.stallMs += clock.now() - stallSince;
            }
            playSeq = seq;
            playEnd = clock.now() + log.durationMs(seq);
            countPlayed();
            schedulePlayhead();
        }
    }

    private void countPlayed() {
        if (counting()) {
            fig.playbackChunks++;
        }
    }

    /** Media buffered ahead of the playhead, in ms (0 before playback, as the SDK's video element). */
    double bufferedAheadMs() {
        if (!playing || stalled) {
            return 0;
        }
        double end = playEnd;
        for (long s = playSeq + 1; isDone(s) && s <= playSeq + 64; s++) {
            end += log.durationMs(s);
        }
        return Math.max(0, end - clock.now());
    }
}
