package org.xp2p.relay;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.log.WarnLimiter;
import org.xp2p.crypto.StreamCipher;
import org.xp2p.flv.ChunkSink;
import org.xp2p.flv.ChunkerOptions;
import org.xp2p.flv.FlvReader;
import org.xp2p.flv.FlvTag;

/**
 * One relayed stream on this node: the chunks the origin pull produces, the window of recent
 * chunks, and the viewers they fan out to.
 *
 * <p>What keeps the pull running: http-flv viewers (live or waiting), swarm holds (a room of
 * peers that fetch chunks instead, {@link StreamHold}), and init/chunk requests answered in the
 * last {@code idleSeconds}. When none is left for {@code idleSeconds}, the pull stops.
 *
 * <p>The origin thread calls the {@link ChunkSink} methods while it holds {@link #lock}; tags are
 * gathered into one immutable {@link Segment} per origin read and chunk, and the same segment
 * object goes to every viewer. A joining viewer takes the lock too, so its snapshot (init segment,
 * the GOP since the latest keyframe chunk) and its place in the live fan-out meet without a gap
 * or a duplicate.
 *
 * <p>The fan-out itself runs after the lock is released ({@link Delivery}); which viewers get a
 * batch is fixed under the lock, so a joiner gets each read exactly once, in its snapshot or live.
 * Lock order: stream lock, then a viewer's monitor. Viewer callbacks never take the stream lock.
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
    private record Waiting(AsyncContext async, StreamCipher cipher, long deadlineNanos, boolean head) {
    }

    final StreamAddress address;
    private final RelayService relay;
    private final RelayConfig config;
    private final Object lock = new Object();
    private final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
    private final OriginPull pull;

    // guarded by lock
    private byte[] init;
    private long epoch;
    private long nextSeq;
    private long lastTimestamp = -1;
    private final ChunkWindow window;
    private OpenChunk open;
    private final SegmentBatch batch = new SegmentBatch();
    private final List<Waiting> waiting = new ArrayList<>();
    private boolean stopped;
    private long idleSinceNanos = -1;
    private int holds;
    /** Epoch last announced live to the swarm; -1 before the stream first went live. */
    private long announcedEpoch = -1;
    private final long startedNanos = System.nanoTime();
    /** Test seam: runs after a chunk lookup has released the lock. */
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

    private static final class OpenChunk {
        final long seq;
        final boolean keyframe;
        final long dts;
        final List<byte[]> tags = new ArrayList<>();
        int size;

        OpenChunk(long seq, boolean keyframe, long dts) {
            this.seq = seq;
            this.keyframe = keyframe;
            this.dts = dts;
        }
    }

    LiveStream(StreamAddress address, RelayService relay, RelayConfig config) {
        this.address = address;
        this.relay = relay;
        this.config = config;
        this.window = new ChunkWindow(config.windowSeconds() * 1000L, config.windowMaxBytes());
        this.pull = new OriginPull(this, relay.httpClient(), config, relay.scheduler());
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
    boolean watch(AsyncContext async, StreamCipher cipher) {
        return watch(async, cipher, false);
    }

    /** As {@link #watch(AsyncContext, StreamCipher)}; {@code head}: answer the headers only, add no viewer. */
    boolean watch(AsyncContext async, StreamCipher cipher, boolean head) {
        synchronized (lock) {
            if (stopped) {
                return false;
            }
            idleSinceNanos = -1;
            if (!head) {
                viewersServed.incrementAndGet();
                relay.metrics().viewerServed();
            }
            async.getRequest().setAttribute(Viewer.ACCEPTED_NANOS, System.nanoTime());
            if (init == null || open == null) {
                long deadline = System.nanoTime() + config.startTimeoutMillis() * 1_000_000L;
                waiting.add(new Waiting(async, cipher, deadline, head));
                return true;
            }
            attach(async, cipher, head);
            return true;
        }
    }

    /**
     * Adds a swarm hold. @return null when this stream has just stopped: the caller must look up
     * (or create) the stream again.
     */
    StreamHold hold() {
        synchronized (lock) {
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
            synchronized (lock) {
                return !released && !stopped;
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
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
        synchronized (lock) {
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
        synchronized (lock) {
            idleSinceNanos = -1;
        }
    }

    private void attach(AsyncContext async, StreamCipher cipher, boolean head) {
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        response.setStatus(200);
        if (cipher == null) {
            response.setContentType("video/x-flv");
        } else {
            response.setContentType("application/octet-stream");
            response.setHeader("X-Xp2p-Encryption", StreamCipher.CONTENT_ENCODING_NAME);
        }
        response.setHeader("Cache-Control", "no-store");
        if (!config.corsOrigin().isEmpty()) {
            response.setHeader("Access-Control-Allow-Origin", config.corsOrigin());
        }
        response.setHeader("X-Xp2p-Stream", id());
        response.setHeader("X-Xp2p-Epoch", Long.toString(epoch));
        if (head) {
            async.complete();
            return;
        }
        try {
            Viewer viewer = new Viewer(id(), async, cipher, config, this, relay.fanOut().assign(), relay.metrics());
            viewer.offer(snapshot());
            viewers.add(viewer);
            viewer.start();
            LOG.debug("stream {}: viewer {} joined ({} watching)", id(), viewer.remote(), viewers.size());
        } catch (IOException | RuntimeException e) {
            LOG.debug("stream {}: viewer left before its first byte: {}", id(), e.toString());
            try {
                async.complete();
            } catch (RuntimeException ignored) {
                // already completed by the container
            }
        }
    }

    /** Init segment plus everything since the latest keyframe chunk: a joiner decodes at once. */
    private List<Segment> snapshot() {
        List<Segment> out = new ArrayList<>();
        out.add(new Segment(init, Segment.Kind.INIT, 0));
        if (!open.keyframe) {
            for (Chunk c : window.sinceNewestKeyframe()) {
                out.add(new Segment(c.bytes(), c.keyframe() ? Segment.Kind.KEY_CHUNK_START
                        : Segment.Kind.CHUNK_START, c.dts()));
            }
        }
        if (!open.tags.isEmpty()) {
            out.add(new Segment(SegmentBatch.concat(open.tags, open.size),
                    open.keyframe ? Segment.Kind.KEY_CHUNK_START : Segment.Kind.CHUNK_START, open.dts));
        }
        return out;
    }

    @Override
    public void skipped(Viewer viewer) {
        skippedViewers.incrementAndGet();
        relay.metrics().viewerSkipped();
    }

    @Override
    public void closed(Viewer viewer, boolean dropped) {
        if (viewers.remove(viewer)) {
            bytesOut.addAndGet(viewer.bytesSent());
            if (dropped) {
                droppedViewers.incrementAndGet();
                relay.metrics().viewerDropped();
            }
            LOG.debug("stream {}: viewer {} left ({} watching)", id(), viewer.remote(), viewers.size());
        }
    }

    /** Origin bytes read; called under the stream lock. */
    void bytesIn(long n) {
        bytesIn.addAndGet(n);
        relay.metrics().bytesIn(n);
    }

    /** Bytes sent to viewers, those still watching included. */
    long bytesOutTotal() {
        long total = bytesOut.get();
        for (Viewer v : viewers) {
            total += v.bytesSent();
        }
        return total;
    }

    int viewerCount() {
        return viewers.size();
    }

    // ------------------------------------------------------------------ origin side

    /** Options for the chunker of a new origin epoch: sequence and timestamps continue. */
    ChunkerOptions beginEpoch() {
        synchronized (lock) {
            epoch = Math.max(epoch + 1, System.currentTimeMillis());
            epochs.incrementAndGet();
            batch.startRun(Segment.Kind.CONFIG);
            closeOpenChunk();
            long offset = lastTimestamp < 0 ? 0 : lastTimestamp + EPOCH_GAP_MILLIS;
            LOG.info("stream {}: origin epoch {} begins at chunk {} (timestamp offset {} ms)", id(), epoch,
                    nextSeq, offset);
            return new ChunkerOptions(epoch, nextSeq, offset, config.chunkMillis());
        }
    }

    Object lock() {
        return lock;
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
            batch.addSegment(new Segment(tags.toByteArray(), Segment.Kind.CONFIG, ts));
        }
    }

    @Override
    public void chunkStart(long seq, boolean keyframe, long dtsMillis) {
        batch.startRun(keyframe ? Segment.Kind.KEY_CHUNK_START : Segment.Kind.CHUNK_START);
        closeOpenChunk();
        open = new OpenChunk(seq, keyframe, dtsMillis);
        nextSeq = seq + 1;
    }

    @Override
    public void tag(byte[] tag, int tagType, long timestampMillis) {
        batch.add(tag, timestampMillis);
        if (open != null) {
            open.tags.add(tag);
            open.size += tag.length;
        }
        lastTimestamp = Math.max(lastTimestamp, timestampMillis);
    }

    /** A batch of segments and the viewers it goes to, fixed under the stream lock. */
    record Delivery(List<Segment> segments, Viewer[] viewers, FanOut fanOut) {
        /** Runs outside the stream lock so joiners and the HTTP chunk API never wait on a fan-out. */
        void run() {
            if (viewers.length > 0) {
                fanOut.deliver(segments, viewers);
            }
        }
    }

    /**
     * Called by the origin pull, holding the lock, after each origin read: closes the batch and
     * fixes who gets it. A viewer attached later has the batch in its snapshot instead.
     */
    Delivery closeBatch() {
        if (init != null && open != null && announcedEpoch != epoch) {
            // live, or a new epoch's init segment and first chunk exist: the swarm listeners only enqueue
            announcedEpoch = epoch;
            relay.publishLive(position());
        }
        List<Segment> segments = batch.drain();
        Delivery delivery = new Delivery(segments,
                segments.isEmpty() ? new Viewer[0] : viewers.toArray(new Viewer[0]), relay.fanOut());
        if (!waiting.isEmpty() && init != null && open != null) {
            // their snapshots already hold this read
            for (Waiting w : waiting) {
                attach(w.async(), w.cipher(), w.head());
            }
            waiting.clear();
        }
        return delivery;
    }

    private void closeOpenChunk() {
        if (open == null) {
            return;
        }
        OpenChunk c = open;
        open = null;
        if (c.tags.isEmpty()) {
            return;
        }
        byte[] bytes = SegmentBatch.concat(c.tags, c.size);
        ChunkDigest digest = new ChunkDigest(id(), epoch, c.seq, bytes.length, sha256(bytes), c.keyframe);
        window.add(new Chunk(digest, c.dts, bytes));
        chunks.incrementAndGet();
        relay.publish(digest);
    }

    // ------------------------------------------------------------------ HTTP chunk access

    Optional<byte[]> initSegment() {
        synchronized (lock) {
            return Optional.ofNullable(init);
        }
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
     * The chunk {@code seq}, or whether it is yet to come or gone, decided under one lock
     * acquisition: a chunk closing between two separate looks would otherwise seem gone.
     */
    ChunkLookup lookup(long seq) {
        ChunkLookup answer;
        synchronized (lock) {
            Optional<Chunk> c = window.get(seq);
            long nextClosed = open != null ? open.seq : nextSeq;
            answer = c.isPresent() ? new ChunkLookup(ChunkState.AVAILABLE, c.get())
                    : new ChunkLookup(seq >= nextClosed ? ChunkState.NOT_YET : ChunkState.GONE, null);
        }
        afterChunkLookup.run();
        return answer;
    }

    StreamPosition position() {
        synchronized (lock) {
            long first = window.isEmpty() ? (open == null ? -1 : open.seq) : window.firstSeq();
            long last = window.lastSeq();
            return new StreamPosition(id(), address.path(), epoch, last, first);
        }
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
        List<Viewer> live = List.copyOf(viewers);
        if (!live.isEmpty()) {
            WARNS.warn("stalled", "stream {}: {}; ending {} viewer(s)", id(), why, live.size());
        }
        for (Viewer v : live) {
            v.close(false, why);
        }
    }

    /** The pull gave up: answer waiting viewers with the failure, end live ones, forget the stream. */
    void fail(Failure failure, String detail) {
        List<Viewer> live;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            for (Waiting w : waiting) {
                StreamServlet.sendError((HttpServletResponse) w.async().getResponse(), failure.status,
                        failure.message + " (" + detail + ")");
                w.async().complete();
            }
            waiting.clear();
            live = List.copyOf(viewers);
        }
        WARNS.warn("failed", "stream {}: {} ({}); ending {} viewer(s)", id(), failure.message, detail, live.size());
        for (Viewer v : live) {
            v.close(false, failure.message);
        }
        pull.stop();
        relay.forget(this);
        relay.metrics().streamFailed(failure.status);
        relay.publishFailure(StreamFailure.of(id(), failure.status, failure.message + " (" + detail + ")"));
    }

    /** Periodic housekeeping: start timeouts, idle stop. Runs on the relay scheduler. */
    void tick(long nowNanos) {
        boolean stopNow = false;
        boolean neverLive = false;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                if (nowNanos - w.deadlineNanos() > 0) {
                    it.remove();
                    StreamServlet.sendError((HttpServletResponse) w.async().getResponse(),
                            Failure.START_TIMEOUT.status, Failure.START_TIMEOUT.message);
                    w.async().complete();
                }
            }
            // a pull that never went live gives up after the start budget, as a viewer would, so that
            // a room holding it hears of the failure instead of waiting for ever
            neverLive = announcedEpoch < 0 && nowNanos - startedNanos > config.startTimeoutMillis() * 1_000_000L;
            if (viewers.isEmpty() && waiting.isEmpty() && holds == 0) {
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
     * Node shutdown: refuses waiting requests with 503 and lets every viewer finish what is queued
     * ({@link Viewer#finish}); {@link #finishNow} cuts the rest short, still on a tag boundary.
     */
    void shutdown() {
        synchronized (lock) {
            stopped = true;
            for (Waiting w : waiting) {
                StreamServlet.sendError((HttpServletResponse) w.async().getResponse(), 503, "server stopping");
                w.async().complete();
            }
            waiting.clear();
        }
        pull.stop();
        for (Viewer v : List.copyOf(viewers)) {
            v.finish();
        }
    }

    /** Node shutdown, drain time over: ends the viewers still writing after their current segment. */
    void finishNow() {
        for (Viewer v : List.copyOf(viewers)) {
            v.finishNow();
        }
    }

    boolean live() {
        synchronized (lock) {
            return init != null && open != null;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
