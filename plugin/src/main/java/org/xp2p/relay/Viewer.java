package org.xp2p.relay;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.log.WarnLimiter;
import org.xp2p.crypto.StreamCipher;
import org.xp2p.ops.Xp2pMetrics;

/**
 * One viewer's connection: a bounded queue of shared segments drained with asynchronous servlet
 * writes, so no thread waits on a slow socket.
 *
 * <p>Why skip and drop here: the relay thread only appends references to immutable segments and
 * tries a non-blocking write; if a viewer's socket cannot keep up, its queue grows. When the queue
 * spans more than {@code skipLagMillis} of media, the viewer jumps to the next keyframe chunk
 * (config segments are kept so it can still decode); a viewer that must skip {@code maxSkips}
 * times without ever catching up, or whose queue passes {@code viewerMaxBytes}, is disconnected.
 * Nobody else notices: other viewers have their own queues.
 *
 * <p>All state is guarded by this object's monitor: the relay thread ({@link #offer}) and the
 * container thread ({@link #onWritePossible}) both drain, never concurrently.
 */
final class Viewer implements WriteListener {
    private static final Logger LOG = LoggerFactory.getLogger(Viewer.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);

    interface Listener {
        void skipped(Viewer viewer);

        void closed(Viewer viewer, boolean dropped);
    }

    private final String streamId;
    private final String remote;
    private final AsyncContext async;
    private final ServletOutputStream out;
    private final StreamCipher cipher;
    private final RelayConfig config;
    private final Listener listener;
    private final ArrayDeque<Segment> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean waitingForKeyframe;
    private int skipsInARow;
    private boolean needFlush;
    private boolean closed;
    /** Shutdown: take nothing new, end the response once the queue is written. */
    private boolean finishing;
    private boolean started;
    private boolean cipherHeaderPending;
    private long bytesSent;
    /** Request attribute: {@link System#nanoTime()} when the request was accepted (first-byte histogram). */
    static final String ACCEPTED_NANOS = "org.xp2p.relay.acceptedNanos";
    private final Xp2pMetrics metrics;
    private final long acceptedNanos;
    private boolean firstByteSeen;

    private final int worker;

    Viewer(String streamId, AsyncContext async, StreamCipher cipher, RelayConfig config, Listener listener,
            int worker, Xp2pMetrics metrics) throws IOException {
        this.worker = worker;
        this.metrics = metrics;
        this.acceptedNanos = async.getRequest().getAttribute(ACCEPTED_NANOS) instanceof Long t ? t : System.nanoTime();
        this.streamId = streamId;
        this.remote = async.getRequest().getRemoteAddr() + ":" + async.getRequest().getRemotePort();
        this.async = async;
        this.out = async.getResponse().getOutputStream();
        this.cipher = cipher;
        this.config = config;
        this.listener = listener;
        this.cipherHeaderPending = cipher != null;
    }

    /**
     * Starts asynchronous writing; call once, after the first segments were offered. Until the
     * listener is set the stream is in blocking mode, so nothing is written before.
     */
    synchronized void start() {
        out.setWriteListener(this);
        started = true;
    }

    synchronized void offer(List<Segment> segments) {
        if (closed || finishing) {
            return;
        }
        for (Segment s : segments) {
            if (waitingForKeyframe && s.skippable()) {
                if (s.kind() != Segment.Kind.KEY_CHUNK_START) {
                    continue;
                }
                waitingForKeyframe = false;
            }
            queue.add(s);
            queuedBytes += s.bytes().length;
        }
        if (queuedBytes > config.viewerMaxBytes()) {
            drop("queue exceeded " + config.viewerMaxBytes() + " bytes");
            return;
        }
        if (lagMillis() > config.skipLagMillis()) {
            skip();
            if (closed) {
                return;
            }
        }
        drain();
    }

    private long lagMillis() {
        Segment first = null;
        for (Segment s : queue) {
            if (s.skippable()) {
                first = s;
                break;
            }
        }
        Segment last = queue.peekLast();
        return first == null || last == null ? 0 : last.dts() - first.dts();
    }

    /** Drops queued media up to the next keyframe chunk, keeping config and init segments. */
    private void skip() {
        Segment firstMedia = null;
        Segment lastKey = null;
        for (Segment s : queue) {
            if (firstMedia == null && s.skippable()) {
                firstMedia = s;
            }
            if (s.kind() == Segment.Kind.KEY_CHUNK_START) {
                lastKey = s;
            }
        }
        if (lastKey != null && lastKey == firstMedia) {
            // one long GOP queued (a joiner's snapshot): nothing to skip; the byte bound still holds
            return;
        }
        if (++skipsInARow >= config.maxSkips()) {
            drop("still lagging after " + skipsInARow + " skips");
            return;
        }
        ArrayDeque<Segment> kept = new ArrayDeque<>();
        boolean keep = false;
        for (Segment s : queue) {
            if (s == lastKey) {
                keep = true;
            }
            if (keep || !s.skippable()) {
                kept.add(s);
            }
        }
        // the newest keyframe chunk may itself be far behind; then wait for the next one
        queue.clear();
        queuedBytes = 0;
        for (Segment s : kept) {
            queue.add(s);
            queuedBytes += s.bytes().length;
        }
        waitingForKeyframe = lastKey == null;
        LOG.debug("stream {}: viewer {} lagged more than {} ms, skipped to {}", streamId, remote,
                config.skipLagMillis(), lastKey == null ? "the next keyframe" : "the newest keyframe");
        listener.skipped(this);
    }

    private void drain() {
        if (!started) {
            return;
        }
        try {
            if (cipherHeaderPending && out.isReady()) {
                cipherHeaderPending = false;
                byte[] header = cipher.header();
                out.write(header);
                sent(header.length);
                needFlush = true;
            }
            while (!closed && out.isReady()) {
                Segment s = queue.poll();
                if (s == null) {
                    skipsInARow = 0;
                    if (needFlush) {
                        needFlush = false;
                        out.flush();
                        continue;
                    }
                    if (finishing) {
                        // nothing in flight: the response ends after a whole segment, so on a tag boundary
                        close(false, "server stopping");
                    }
                    return;
                }
                queuedBytes -= s.bytes().length;
                byte[] bytes = cipher == null ? s.bytes() : cipher.seal(s.bytes());
                out.write(bytes);
                sent(bytes.length);
                needFlush = true;
            }
        } catch (IOException | RuntimeException e) {
            close(false, "write failed: " + e);
        }
    }

    private void sent(int n) {
        bytesSent += n;
        metrics.flvBytesOut(n);
        if (!firstByteSeen) {
            firstByteSeen = true;
            metrics.firstByte(System.nanoTime() - acceptedNanos);
        }
    }

    @Override
    public synchronized void onWritePossible() {
        started = true;
        drain();
    }

    @Override
    public synchronized void onError(Throwable t) {
        close(false, "connection error: " + t);
    }

    private void drop(String why) {
        WARNS.warn("dropped", "stream {}: dropping viewer {}: {}", streamId, remote, why);
        close(true, why);
    }

    /**
     * Shutdown, first step: takes no more segments and ends the response, with its terminating
     * chunk, once what is queued has been written. Segments hold whole tags, so the player sees a
     * complete FLV stream instead of a connection cut inside a tag.
     */
    synchronized void finish() {
        if (closed) {
            return;
        }
        finishing = true;
        drain();
    }

    /**
     * Shutdown, drain time over: drops what is still queued and ends the response as soon as the
     * write in flight (a whole segment) is done, still on a tag boundary.
     */
    synchronized void finishNow() {
        if (closed) {
            return;
        }
        finishing = true;
        queue.clear();
        queuedBytes = 0;
        if (!started) {
            close(false, "server stopping");
            return;
        }
        drain();
    }

    /** Ends this viewer's response (stream stopped, viewer dropped or connection failed). */
    synchronized void close(boolean dropped, String why) {
        if (closed) {
            return;
        }
        closed = true;
        queue.clear();
        queuedBytes = 0;
        LOG.debug("stream {}: viewer {} closed: {}", streamId, remote, why);
        try {
            async.complete();
        } catch (RuntimeException e) {
            LOG.debug("stream {}: completing viewer {} failed: {}", streamId, remote, e.toString());
        }
        listener.closed(this, dropped);
    }

    synchronized long bytesSent() {
        return bytesSent;
    }

    /** The fan-out worker this viewer is pinned to. */
    int worker() {
        return worker;
    }

    String remote() {
        return remote;
    }
}
