package org.xp2p.relay;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.crypto.StreamCipher;
import org.xp2p.flv.ChunkSink;
import org.xp2p.flv.ChunkerOptions;
import org.xp2p.flv.FlvReader;
import org.xp2p.flv.FlvTag;
import org.xp2p.log.WarnLimiter;

/**
 * One relayed stream on this node: the chunks the origin pull produces, the window of recent
 * chunks, and the viewers they fan out to.
 *
 * <p>What keeps the pull running: http-flv viewers (live or waiting), swarm holds (a room of
 * peers that fetch chunks instead, {@link StreamHold}), and init/chunk requests answered in the
 * last {@code idleSeconds}. When none is left for {@code idleSeconds}, the pull stops.
 *
 * <p>Data path, built so that work is per stream and bytes are never copied per viewer: the
 * origin thread serializes each tag into the open chunk's {@link ChunkBuffer} (the only copy),
 * appends one {@link Segment} slice per origin read to the {@link StreamLog}, and publishes it.
 * Viewers are cursors into that log; the {@link FanOut} pumps them once per merge window, so a
 * viewer gets a few large writes instead of one per read. Closed chunks keep the same buffer
 * for the window, joiners and the chunk API.
 *
 * <p>Locks: {@link #lock()} is the origin thread's (one feeder parses a read under it); nobody
 * else takes it. Joiners and the chunk API read an immutable {@link StreamView} and the log, so
 * they never wait for the origin. {@code state} guards the lifecycle (viewers waiting, holds,
 * stop) and is held only briefly, never during I/O or hashing; SHA-256 and swarm publishing run
 * in {@link Delivery#run()}, after the origin thread released its lock. Lock order: origin lock,
 * then {@code state}, then a viewer's monitor; viewer callbacks take neither stream lock.
 */
final class LiveStream implements ChunkSink, Viewer.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(LiveStream.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);
    /** Gap put between the last timestamp of an epoch and the first of the next. */
    private static final long EPOCH_GAP_MILLIS = 40;
    /** FLV file header (9 bytes) plus PreviousTagSize0 (4 bytes) at the start of an init segment. */
    private static final int FLV_HEADER_AND_SIZE0 = 13;

    enum Failure {
        NOT_FOUND(404, "stream not found at the origin"),
        BAD_CONTENT(502, "origin did not send FLV"),
        UNAVAILABLE(502, "origin unavailable"),
        START_TIMEOUT(504, "origin sent no data in time");

        final int status;
        final String message;

        Failure(int status, String message) {
            this.status = status;
            this.message = message;
        }
    }

    /** A request waiting for the stream to be live; {@code head}: a HEAD, answered without becoming a viewer. */
    private record Waiting(ViewerOutput out, StreamCipher cipher, long deadlineNanos, boolean head) {
    }

    final StreamAddress address;
    private final RelayService relay;
    private final RelayConfig config;
    private final RelayClock clock;
    private final FanOut fanOut;
    private final OriginPull pull;
    private final StreamLog log;
    private volatile StreamView view = StreamView.EMPTY;
    /**
     * Whether the stream was ever live: between a new epoch's first bytes and its first chunk the
     * view is not live, and that gap must not count as "never went live".
     */
    private volatile boolean everLive;
    /** Viewers by fan-out worker: each worker pumps its own set, no partitioning per window. */
    private final Set<Viewer>[] viewers;
    private final AtomicBoolean[] pumpPending;

    // the origin thread's, guarded by ingest
    private final Object ingest = new Object();
    private byte[] init;
    private long epoch;
    private long nextSeq;
    private long lastTimestamp = -1;
    private final ChunkWindow window;
    private OpenChunk open;
    private int lastChunkSize;
    private final List<Chunk> undigested = new ArrayList<>();
    /** Epoch last announced live to the swarm; -1 before the stream first went live. */
    private long announcedEpoch = -1;

    // lifecycle, guarded by state
    private final Object state = new Object();
    private final List<Waiting> waiting = new ArrayList<>();
    private volatile boolean anyWaiting;
    private boolean stopped;
    private long idleSinceNanos = -1;
    private int holds;
    private final long startedNanos;
    /** Test seam: runs after a chunk lookup has read the stream. */
    Runnable afterChunkLookup = () -> { };

    // statistics
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    final AtomicLong chunks = new AtomicLong();
    final AtomicLong epochs = new AtomicLong();
    final AtomicLong reconnects = new AtomicLong();
    final AtomicLong droppedViewers = new AtomicLong();
    final AtomicLong skippedViewers = new AtomicLong();
    final AtomicLong viewersServed = new AtomicLong();
    final AtomicLong chunkBytesOut = new AtomicLong();
    final AtomicLong chunkRequests = new AtomicLong();

    /** The chunk being written; its segments are published per origin read. */
    private static final class OpenChunk {
        final long seq;
        final long epoch;
        final boolean keyframe;
        final long dts;
        final long logStart;
        final ChunkBuffer buffer;
        /** Start offset of the run of this read not yet appended to the log, -1 when none. */
        int runStart = -1;
        long runDts;
        boolean firstRunLogged;

        OpenChunk(long seq, long epoch, boolean keyframe, long dts, long logStart, int expectedSize) {
            this.seq = seq;
            this.epoch = epoch;
            this.keyframe = keyframe;
            this.dts = dts;
            this.logStart = logStart;
            this.buffer = new ChunkBuffer(expectedSize);
        }
    }

    @SuppressWarnings("unchecked")
    LiveStream(StreamAddress address, RelayService relay, RelayConfig config) {
        this.address = address;
        this.relay = relay;
        this.config = config;
        // a viewer further behind than the skip bound is moved to the newest keyframe, so twice
        // the bound is all any reader can use (StreamLog says why this matters)
        this.log = new StreamLog(StreamLog.DEFAULT_CAPACITY, 2 * config.viewerMaxBytes(), 2L * config.skipLagMillis());
        this.clock = relay.clock();
        this.fanOut = relay.fanOut();
        this.startedNanos = clock.nanoTime();
        this.window = new ChunkWindow(config.windowSeconds() * 1000L, config.windowMaxBytes());
        this.pull = new OriginPull(this, relay.httpClient(), config, relay.scheduler());
        this.viewers = new Set[fanOut.workers()];
        this.pumpPending = new AtomicBoolean[fanOut.workers()];
        for (int i = 0; i < viewers.length; i++) {
            viewers[i] = ConcurrentHashMap.newKeySet();
            pumpPending[i] = new AtomicBoolean();
        }
    }

    String id() {
        return address.streamId();
    }

    void startPull() {
        pull.start();
    }

    // ------------------------------------------------------------------ viewers

    /**
     * Adds a viewer. @return false when this stream has just stopped: the caller must look up
     * (or create) the stream again.
     */
    boolean watch(ViewerOutput out, StreamCipher cipher) {
        return watch(out, cipher, false);
    }

    /** As {@link #watch(ViewerOutput, StreamCipher)}; {@code head}: answer the headers only, add no viewer. */
    boolean watch(ViewerOutput out, StreamCipher cipher, boolean head) {
        Viewer viewer;
        synchronized (state) {
            if (stopped) {
                return false;
            }
            idleSinceNanos = -1;
            if (!head) {
                viewersServed.incrementAndGet();
                relay.metrics().viewerServed();
            }
            if (!view.live()) {
                waiting.add(new Waiting(out, cipher, clock.nanoTime() + config.startTimeoutMillis() * 1_000_000L,
                        head));
                anyWaiting = true;
                return true;
            }
            viewer = attach(out, cipher, head);
        }
        if (viewer != null) {
            start(viewer);
        }
        return true;
    }

    /**
     * Creates and registers a viewer from the current view; call {@link #start} after the lock.
     * A HEAD gets the same head and no viewer: null.
     */
    private Viewer attach(ViewerOutput out, StreamCipher cipher, boolean head) {
        StreamView v = view;
        out.accept(id(), v.epoch(), cipher != null, config.corsOrigin());
        if (head) {
            out.complete();
            return null;
        }
        // init segment plus everything since the latest keyframe chunk: a joiner decodes at once
        List<Segment> snapshot = new ArrayList<>();
        snapshot.add(Segment.of(v.init(), v.init().length, Segment.Kind.INIT, 0));
        if (!v.openKeyframe()) {
            for (Chunk c : v.sinceNewestKeyframe()) {
                snapshot.add(c.segment());
            }
        }
        int worker = fanOut.assign();
        Viewer viewer = new Viewer(id(), out, cipher, config, this, log, snapshot, v.openLogStart(), worker,
                relay.metrics());
        viewers[worker].add(viewer);
        LOG.debug("stream {}: viewer {} joined ({} watching)", id(), viewer.remote(), viewerCount());
        return viewer;
    }

    /** Starts writing to a new viewer; outside every stream lock, the container may call back at once. */
    private void start(Viewer viewer) {
        try {
            viewer.start();
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("stream {}: viewer left before its first byte: {}", id(), e.toString());
            viewer.close(false, "start failed: " + e);
        }
    }

    /**
     * Adds a swarm hold. @return null when this stream has just stopped: the caller must look up
     * (or create) the stream again.
     */
    StreamHold hold() {
        synchronized (state) {
            if (stopped) {
                return null;
            }
            holds++;
            idleSinceNanos = -1;
        }
        return new Hold();
    }

    /** One swarm room's lease; released once, by its room when it empties. */
    private final class Hold implements StreamHold {
        private boolean released;

        @Override
        public boolean active() {
            synchronized (state) {
                return !released && !stopped;
            }
        }

        @Override
        public void close() {
            synchronized (state) {
                if (released) {
                    return;
                }
                released = true;
                holds--;
            }
            LOG.debug("stream {}: swarm hold released", id());
        }
    }

    int holdCount() {
        synchronized (state) {
            return holds;
        }
    }

    /**
     * A 200 init or chunk answer of {@code bodyBytes} was sent: counted as egress, and it keeps
     * the pull alive for another idle window (peers that only fetch chunks are viewers too).
     */
    void served(int bodyBytes) {
        chunkBytesOut.addAndGet(bodyBytes);
        relay.metrics().chunkServed(bodyBytes);
        chunkRequests.incrementAndGet();
        synchronized (state) {
            idleSinceNanos = -1;
        }
    }

    @Override
    public void skipped(Viewer viewer) {
        skippedViewers.incrementAndGet();
        relay.metrics().viewerSkipped();
    }

    @Override
    public void closed(Viewer viewer, boolean dropped) {
        if (viewers[viewer.worker()].remove(viewer)) {
            bytesOut.addAndGet(viewer.bytesSent());
            if (dropped) {
                droppedViewers.incrementAndGet();
                relay.metrics().viewerDropped();
            }
            LOG.debug("stream {}: viewer {} left ({} watching)", id(), viewer.remote(), viewerCount());
        }
    }

    /** Origin bytes read; called by the origin thread. */
    void bytesIn(long n) {
        bytesIn.addAndGet(n);
        relay.metrics().bytesIn(n);
    }

    /** Bytes sent to viewers, those still watching included. */
    long bytesOutTotal() {
        long total = bytesOut.get();
        for (Set<Viewer> set : viewers) {
            for (Viewer v : set) {
                total += v.bytesSent();
            }
        }
        return total;
    }

    int viewerCount() {
        int n = 0;
        for (Set<Viewer> set : viewers) {
            n += set.size();
        }
        return n;
    }

    /** Pumps the viewers pinned to {@code worker}: one pass per merge window, on that worker. */
    void pump(int worker) {
        pumpPending[worker].set(false);
        for (Viewer v : viewers[worker]) {
            try {
                v.pump();
            } catch (RuntimeException e) {
                v.close(false, "fan-out failed: " + e);
            }
        }
    }

    /** Pumps every viewer on the calling thread (tests, and a manual {@link FanOut}). */
    void pumpAll() {
        for (int w = 0; w < viewers.length; w++) {
            pump(w);
        }
    }

    /** Claims the pending pump of {@code worker}; false when one is already scheduled or nobody watches there. */
    boolean claimPump(int worker) {
        return !viewers[worker].isEmpty() && pumpPending[worker].compareAndSet(false, true);
    }

    // ------------------------------------------------------------------ origin side

    /** The origin thread's lock, held while it feeds one read to the chunker. */
    Object lock() {
        return ingest;
    }

    /** Options for the chunker of a new origin epoch: sequence and timestamps continue. Origin lock held. */
    ChunkerOptions beginEpoch() {
        epoch = Math.max(epoch + 1, clock.currentTimeMillis());
        epochs.incrementAndGet();
        closeOpenChunk();
        updateView();
        long offset = lastTimestamp < 0 ? 0 : lastTimestamp + EPOCH_GAP_MILLIS;
        LOG.info("stream {}: origin epoch {} begins at chunk {} (timestamp offset {} ms)", id(), epoch,
                nextSeq, offset);
        return new ChunkerOptions(epoch, nextSeq, offset, config.chunkMillis());
    }

    @Override
    public void initSegment(byte[] bytes) {
        init = bytes;
        if (open == null && epochs.get() > 1 && bytes.length > FLV_HEADER_AND_SIZE0) {
            // a new origin epoch: viewers already have an FLV header, but the codec configuration
            // may have changed, so its tags go out in-band before the epoch's first frame, stamped
            // with the last timestamp sent so that no viewer sees time go backwards
            long ts = Math.max(lastTimestamp, 0);
            ByteArrayOutputStream tags = new ByteArrayOutputStream(bytes.length);
            for (FlvTag t : FlvReader.readAll(bytes)) {
                tags.writeBytes(new FlvTag(t.type(), ts, t.body()).serialize());
            }
            byte[] config = tags.toByteArray();
            log.append(config, 0, config.length, Segment.Kind.CONFIG, ts);
        }
        updateView();
    }

    @Override
    public void chunkStart(long seq, boolean keyframe, long dtsMillis) {
        closeOpenChunk();
        // sized from the last chunk, so the buffer rarely grows
        open = new OpenChunk(seq, epoch, keyframe, dtsMillis, log.nextIndex(), lastChunkSize + lastChunkSize / 4);
        nextSeq = seq + 1;
        updateView();
    }

    @Override
    public void tag(byte[] tag, int tagType, long timestampMillis) {
        lastTimestamp = Math.max(lastTimestamp, timestampMillis);
        if (open == null) {
            // outside any chunk (the chunker does not emit such tags; kept in order just in case)
            log.append(tag, 0, tag.length, Segment.Kind.CONFIG, timestampMillis);
            return;
        }
        int at = open.buffer.append(tag);
        if (open.runStart < 0) {
            open.runStart = at;
            open.runDts = timestampMillis;
        }
    }

    /** Appends the open chunk's bytes of this read to the log as one segment. */
    private void closeRun() {
        OpenChunk c = open;
        if (c == null || c.runStart < 0) {
            return;
        }
        Segment.Kind kind = c.firstRunLogged ? Segment.Kind.CONTINUATION
                : c.keyframe ? Segment.Kind.KEY_CHUNK_START : Segment.Kind.CHUNK_START;
        log.append(c.buffer.array(), c.runStart, c.buffer.size() - c.runStart, kind, c.runDts);
        c.firstRunLogged = true;
        c.runStart = -1;
    }

    private void closeOpenChunk() {
        closeRun();
        OpenChunk c = open;
        open = null;
        if (c == null || c.buffer.size() == 0) {
            return;
        }
        Chunk chunk = new Chunk(id(), c.epoch, c.seq, c.keyframe, c.dts, c.buffer.array(), c.buffer.size());
        window.add(chunk);
        lastChunkSize = c.buffer.size();
        chunks.incrementAndGet();
        undigested.add(chunk);
    }

    private void updateView() {
        OpenChunk c = open;
        StreamView v = new StreamView(init, epoch, window.toList(), c == null ? -1 : c.seq, c != null && c.keyframe,
                c == null ? log.nextIndex() : c.logStart, nextSeq);
        view = v;
        if (v.live()) {
            everLive = true;
        }
    }

    /**
     * What the origin thread does after a read, outside its lock: hash and publish the chunks
     * closed, announce the stream live, start waiting viewers, and have the fan-out pump.
     */
    record Delivery(LiveStream stream, List<Chunk> closed, StreamPosition live, List<Viewer> started,
            boolean fresh) {
        void run() {
            for (Chunk c : closed) {
                stream.relay.publish(c.digest());
            }
            if (live != null) {
                stream.relay.publishLive(live);
            }
            for (Viewer v : started) {
                stream.start(v);
            }
            if (fresh) {
                stream.fanOut.flushSoon(stream);
            }
        }
    }

    /**
     * Called by the origin thread, holding {@link #lock()}, after each read: publishes the read
     * to the log and returns what is left to do once the lock is released.
     */
    Delivery closeBatch() {
        closeRun();
        boolean fresh = log.publish();
        StreamView v = view;
        StreamPosition live = null;
        if (v.live() && announcedEpoch != v.epoch()) {
            // live, or a new epoch's init segment and first chunk exist
            announcedEpoch = v.epoch();
            live = position();
        }
        List<Viewer> started = List.of();
        if (anyWaiting && v.live()) {
            started = new ArrayList<>();
            synchronized (state) {
                for (Waiting w : waiting) {
                    Viewer viewer = attach(w.out(), w.cipher(), w.head());
                    if (viewer != null) {
                        started.add(viewer);
                    }
                }
                waiting.clear();
                anyWaiting = false;
            }
        }
        List<Chunk> closed = List.of();
        if (!undigested.isEmpty()) {
            closed = List.copyOf(undigested);
            undigested.clear();
        }
        return new Delivery(this, closed, live, started, fresh);
    }

    // ------------------------------------------------------------------ HTTP chunk access

    Optional<byte[]> initSegment() {
        return Optional.ofNullable(view.init());
    }

    /** What the chunk API can answer for one sequence number. */
    enum ChunkState {
        /** Closed and in the window: {@link ChunkLookup#chunk()} is set (200). */
        AVAILABLE,
        /** Open or not started yet (425). */
        NOT_YET,
        /** Closed and already dropped from the window, or before this stream's first chunk (404). */
        GONE
    }

    /** A chunk lookup's answer; {@code chunk} is null unless {@link ChunkState#AVAILABLE}. */
    record ChunkLookup(ChunkState state, Chunk chunk) {
    }

    /**
     * The chunk {@code seq}, or whether it is yet to come or gone, decided from one view: a
     * chunk closing between two separate looks would otherwise seem gone.
     */
    ChunkLookup lookup(long seq) {
        StreamView v = view;
        Optional<Chunk> c = v.chunk(seq);
        ChunkLookup answer = c.isPresent() ? new ChunkLookup(ChunkState.AVAILABLE, c.get())
                : new ChunkLookup(seq >= v.nextClosed() ? ChunkState.NOT_YET : ChunkState.GONE, null);
        afterChunkLookup.run();
        return answer;
    }

    StreamPosition position() {
        StreamView v = view;
        return new StreamPosition(id(), address.path(), v.epoch(), v.lastSeq(), v.firstSeq());
    }

    // ------------------------------------------------------------------ lifecycle

    /** Origin data flowed again after a failure. */
    void originRecovered() {
        reconnects.incrementAndGet();
        relay.metrics().originReconnected();
    }

    /**
     * The origin stalled: ends the live viewers (their players reconnect and wait for the retried
     * pull) but keeps the stream, its window and its swarm rooms while the pull retries.
     */
    void endViewers(String why) {
        List<Viewer> live = allViewers();
        if (!live.isEmpty()) {
            WARNS.warn("stalled", "stream {}: {}; ending {} viewer(s)", id(), why, live.size());
        }
        for (Viewer v : live) {
            v.close(false, why);
        }
    }

    /** The pull gave up: answer waiting viewers with the failure, end live ones, forget the stream. */
    void fail(Failure failure, String detail) {
        List<Waiting> refused;
        synchronized (state) {
            if (stopped) {
                return;
            }
            stopped = true;
            refused = List.copyOf(waiting);
            waiting.clear();
            anyWaiting = false;
        }
        for (Waiting w : refused) {
            w.out().refuse(failure.status, failure.message + " (" + detail + ")");
        }
        List<Viewer> live = allViewers();
        WARNS.warn("failed", "stream {}: {} ({}); ending {} viewer(s)", id(), failure.message, detail, live.size());
        for (Viewer v : live) {
            v.close(false, failure.message);
        }
        pull.stop();
        relay.forget(this);
        relay.metrics().streamFailed(failure.status);
        relay.publishFailure(StreamFailure.of(id(), failure.status, failure.message + " (" + detail + ")"));
    }

    private List<Viewer> allViewers() {
        List<Viewer> all = new ArrayList<>();
        for (Set<Viewer> set : viewers) {
            all.addAll(set);
        }
        return all;
    }

    /** Periodic housekeeping: start timeouts, idle stop. Runs on the relay scheduler. */
    void tick(long nowNanos) {
        boolean stopNow = false;
        boolean neverLive = false;
        List<Waiting> timedOut = new ArrayList<>();
        synchronized (state) {
            if (stopped) {
                return;
            }
            for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                if (nowNanos - w.deadlineNanos() > 0) {
                    it.remove();
                    timedOut.add(w);
                }
            }
            anyWaiting = !waiting.isEmpty();
            // a pull that never went live gives up after the start budget, as a viewer would, so that
            // a room holding it hears of the failure instead of waiting for ever
            neverLive = !everLive
                    && nowNanos - startedNanos > config.startTimeoutMillis() * 1_000_000L;
            if (viewerCount() == 0 && waiting.isEmpty() && holds == 0) {
                if (idleSinceNanos < 0) {
                    idleSinceNanos = nowNanos;
                } else if (nowNanos - idleSinceNanos >= config.idleSeconds() * 1_000_000_000L) {
                    stopped = true;
                    stopNow = true;
                }
            } else {
                idleSinceNanos = -1;
            }
        }
        for (Waiting w : timedOut) {
            w.out().refuse(Failure.START_TIMEOUT.status, Failure.START_TIMEOUT.message);
        }
        if (stopNow) {
            LOG.debug("stream {}: no viewers, holds or chunk requests for {} s, dropping the origin pull", id(),
                    config.idleSeconds());
            pull.stop();
            relay.forget(this);
        } else if (neverLive) {
            boolean failing = pull.failing();
            fail(failing ? Failure.UNAVAILABLE : Failure.START_TIMEOUT,
                    "not live within " + config.startTimeoutMillis() + " ms");
        } else {
            pull.checkStall(nowNanos);
        }
    }

    /**
     * Node shutdown: refuses waiting requests with 503 and lets every viewer finish what the log
     * holds for it now ({@link Viewer#finish}); {@link #finishNow} cuts the rest short, still on a
     * tag boundary.
     */
    void shutdown() {
        List<Waiting> refused;
        synchronized (state) {
            stopped = true;
            refused = List.copyOf(waiting);
            waiting.clear();
            anyWaiting = false;
        }
        for (Waiting w : refused) {
            w.out().refuse(503, "server stopping");
        }
        pull.stop();
        for (Viewer v : allViewers()) {
            v.finish();
        }
    }

    /** Node shutdown, drain time over: ends the viewers still writing after their current write. */
    void finishNow() {
        for (Viewer v : allViewers()) {
            v.finishNow();
        }
    }

    boolean live() {
        return view.live();
    }

    /** Whether the stream stopped (idle, failed or shut down). */
    boolean stopped() {
        synchronized (state) {
            return stopped;
        }
    }

    /** The stream's log (tests). */
    StreamLog log() {
        return log;
    }
}
