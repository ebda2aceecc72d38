package org.xp2p.relay;

import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.crypto.StreamCipher;
import org.xp2p.log.WarnLimiter;
import org.xp2p.ops.Xp2pMetrics;

/**
 * One viewer: a cursor into its stream's {@link StreamLog}, drained with non-blocking writes.
 *
 * <p>Why a cursor: the viewer owns no copy of the stream, only how far it got. A pump writes
 * everything between the cursor and the log's head, one write per run of adjoining segments
 * (normally one per chunk), so the fan-out costs per viewer a few writes per merge window, not
 * one per origin read or tag. Before the log, a joiner gets its snapshot (init segment and the
 * closed chunks of the current GOP), again as shared slices.
 *
 * <p>Skip and drop: when the media between cursor and head spans more than
 * {@code skipLagMillis}, or the cursor fell out of the bounded log, the viewer jumps to the
 * newest keyframe chunk (epoch config segments in between are still sent so it can decode); one
 * that must skip {@code maxSkips} times without catching up, or is more than
 * {@code viewerMaxBytes} behind, is disconnected. Nobody else notices.
 *
 * <p>All state is guarded by this object's monitor: a fan-out worker ({@link #pump}) and the
 * container ({@link #onWritePossible}) both drain, never concurrently. Never takes a stream lock.
 */
final class Viewer implements WriteListener {
    private static final Logger LOG = LoggerFactory.getLogger(Viewer.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);
    /** Largest single write (and encrypted record): far above a merge window of any live stream. */
    static final int MAX_WRITE = 4 << 20;
    /**
     * A write at least this large goes to the socket at once, with whatever the container had
     * aggregated before it: Jetty aggregates writes below its outputAggregationSize (8 KiB by
     * default) and Tomcat below its 8 KiB output buffer. Only after a smaller last write is an
     * explicit flush needed; skipping it otherwise saves a round through the container per pump.
     */
    static final int WRITE_THROUGH_BYTES = 8 * 1024;

    interface Listener {
        void skipped(Viewer viewer);

        void closed(Viewer viewer, boolean dropped);
    }

    private final String streamId;
    private final ViewerOutput out;
    private final StreamCipher cipher;
    private final RelayConfig config;
    private final Listener listener;
    private final StreamLog log;
    private final Xp2pMetrics metrics;
    private final int worker;
    /** Snapshot and epoch config segments to send before continuing at the cursor. */
    private final ArrayDeque<Segment> prelude = new ArrayDeque<>();
    private long cursor;
    private boolean waitingForKeyframe;
    private int skipsInARow;
    private boolean needFlush;
    private boolean closed;
    /** Shutdown: write up to {@link #finishAt} (a log index), then end the response. */
    private boolean finishing;
    private long finishAt;
    private boolean started;
    private boolean cipherHeaderPending;
    private boolean firstByteSeen;
    private long bytesSent;

    /**
     * @param snapshot segments the viewer gets first (init segment, chunks of the current GOP)
     * @param cursor   the log index it continues at
     */
    Viewer(String streamId, ViewerOutput out, StreamCipher cipher, RelayConfig config, Listener listener,
            StreamLog log, List<Segment> snapshot, long cursor, int worker, Xp2pMetrics metrics) {
        this.streamId = streamId;
        this.out = out;
        this.cipher = cipher;
        this.config = config;
        this.listener = listener;
        this.log = log;
        this.worker = worker;
        this.metrics = metrics;
        this.prelude.addAll(snapshot);
        this.cursor = cursor;
        this.cipherHeaderPending = cipher != null;
    }

    /**
     * Starts asynchronous writing; until then the response is in blocking mode, so nothing is
     * written before. The container calls {@link #onWritePossible} at once.
     */
    synchronized void start() throws IOException {
        if (!closed) {
            out.start(this);
        }
    }

    @Override
    public synchronized void onWritePossible() {
        started = true;
        pump();
    }

    @Override
    public synchronized void onError(Throwable t) {
        close(false, "connection error: " + t);
    }

    /** Writes what the log holds beyond the cursor, as far as the connection takes it now. */
    synchronized void pump() {
        if (closed) {
            return;
        }
        try {
            // checked even while the socket is blocked: that is when a viewer falls behind
            if (!checkBehind()) {
                return;
            }
            if (!started) {
                return;
            }
            while (!closed && out.isReady()) {
                if (cipherHeaderPending) {
                    cipherHeaderPending = false;
                    byte[] header = cipher.header();
                    out.write(header, 0, header.length);
                    sent(header.length);
                    continue;
                }
                Segment s = prelude.poll();
                if (s != null) {
                    write(s.array(), s.offset(), s.length());
                    continue;
                }
                if (!writeFromLog()) {
                    if (needFlush) {
                        needFlush = false;
                        out.flush();
                        continue;
                    }
                    if (finishing) {
                        // nothing in flight: the response ends after a whole write, so on a tag boundary
                        close(false, "server stopping");
                    }
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            close(false, "write failed: " + e);
        }
    }

    /** One write of adjoining log segments from the cursor on; false when there is nothing to write. */
    private boolean writeFromLog() throws IOException {
        long head = finishing ? Math.min(log.head(), finishAt) : log.head();
        if (waitingForKeyframe) {
            seekKeyframe(head);
        }
        if (cursor >= head) {
            if (!waitingForKeyframe) {
                skipsInARow = 0; // caught up
            }
            return false;
        }
        Segment first = log.get(cursor);
        if (first == null) {
            skip(head); // overwritten while we looked
            return !closed;
        }
        int length = first.length();
        long next = cursor + 1;
        for (Segment prev = first; next < head; next++) {
            Segment s = log.get(next);
            if (s == null || !prev.adjoins(s) || length + s.length() > MAX_WRITE) {
                break;
            }
            length += s.length();
            prev = s;
        }
        cursor = next;
        write(first.array(), first.offset(), length);
        return true;
    }

    /**
     * Skips or drops a viewer that is too far behind; false when it was dropped. Cheap: the
     * distance is known from the first and newest segments alone.
     */
    private boolean checkBehind() {
        if (finishing) {
            return true; // draining for shutdown: what is left goes out as it is
        }
        long head = log.head();
        if (waitingForKeyframe) {
            seekKeyframe(head);
        }
        if (cursor >= head || waitingForKeyframe) {
            return true;
        }
        Segment newest = log.get(head - 1);
        Segment first = log.get(cursor);
        if (newest == null) {
            return true;
        }
        if (first == null) {
            skip(head); // fell out of the bounded log
            return !closed;
        }
        if (newest.end() - (first.end() - first.length()) > config.viewerMaxBytes()) {
            drop("more than " + config.viewerMaxBytes() + " bytes behind");
            return false;
        }
        if (first.skippable() && newest.dts() - first.dts() > config.skipLagMillis()) {
            skip(head);
        }
        return !closed;
    }

    /** Jumps to the newest keyframe chunk, keeping the epoch config segments passed over. */
    private void skip(long head) {
        long key = log.newestKeyBelow(head);
        if (key == cursor) {
            // one long GOP behind (a joiner's snapshot, say): nothing to skip; the byte bound still holds
            return;
        }
        if (++skipsInARow >= config.maxSkips()) {
            drop("still lagging after " + skipsInARow + " skips");
            return;
        }
        long target = key > cursor && key >= log.tail() ? key : head;
        keepConfig(cursor, target);
        cursor = target;
        // the newest keyframe chunk may itself be behind us or gone; then wait for the next one
        waitingForKeyframe = target == head;
        LOG.debug("stream {}: viewer {} fell behind, skipped to {}", streamId, out.remote(),
                waitingForKeyframe ? "the next keyframe" : "the newest keyframe");
        listener.skipped(this);
    }

    /** Moves the cursor to the next keyframe chunk start, keeping config segments on the way. */
    private void seekKeyframe(long head) {
        long from = Math.max(cursor, log.tail());
        for (long i = from; i < head; i++) {
            Segment s = log.get(i);
            if (s != null && s.kind() == Segment.Kind.KEY_CHUNK_START) {
                keepConfig(cursor, i);
                cursor = i;
                waitingForKeyframe = false;
                return;
            }
        }
        keepConfig(cursor, head);
        cursor = head;
    }

    private void keepConfig(long from, long to) {
        for (long i = Math.max(from, log.tail()); i < to; i++) {
            Segment s = log.get(i);
            if (s != null && s.kind() == Segment.Kind.CONFIG) {
                prelude.add(s);
            }
        }
    }

    private void write(byte[] array, int offset, int length) throws IOException {
        if (cipher == null) {
            out.write(array, offset, length);
            sent(length);
        } else {
            byte[] record = cipher.seal(array, offset, length);
            out.write(record, 0, record.length);
            sent(record.length);
        }
        needFlush = length < WRITE_THROUGH_BYTES;
    }

    private void sent(int n) {
        bytesSent += n;
        metrics.flvBytesOut(n);
        if (!firstByteSeen) {
            firstByteSeen = true;
            metrics.firstByte(System.nanoTime() - out.acceptedNanos());
        }
    }

    private void drop(String why) {
        WARNS.warn("dropped", "stream {}: dropping viewer {}: {}", streamId, out.remote(), why);
        close(true, why);
    }

    /**
     * Shutdown, first step: takes nothing newer than the log holds now and ends the response, with
     * its terminating chunk, once that has been written. Writes hold whole tags, so the player sees
     * a complete FLV stream instead of a connection cut inside a tag.
     */
    synchronized void finish() {
        if (closed || finishing) {
            return;
        }
        finishing = true;
        finishAt = log.head();
        pump();
    }

    /**
     * Shutdown, drain time over: drops what is not written yet and ends the response as soon as
     * the write in flight (whole tags) is done, still on a tag boundary.
     */
    synchronized void finishNow() {
        if (closed) {
            return;
        }
        finishing = true;
        finishAt = cursor;
        prelude.clear();
        if (!started) {
            close(false, "server stopping");
            return;
        }
        pump();
    }

    /** Ends this viewer's response (stream stopped, viewer dropped or connection failed). */
    synchronized void close(boolean dropped, String why) {
        if (closed) {
            return;
        }
        closed = true;
        prelude.clear();
        LOG.debug("stream {}: viewer {} closed: {}", streamId, out.remote(), why);
        out.complete();
        listener.closed(this, dropped);
    }

    synchronized long bytesSent() {
        return bytesSent;
    }

    synchronized boolean closed() {
        return closed;
    }

    /** The log index this viewer continues at (tests). */
    synchronized long cursor() {
        return cursor;
    }

    /** The fan-out worker this viewer is pinned to. */
    int worker() {
        return worker;
    }

    String remote() {
        return out.remote();
    }
}
