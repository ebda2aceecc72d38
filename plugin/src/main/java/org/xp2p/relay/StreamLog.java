package org.xp2p.relay;

/**
 * The live tail of one stream as a bounded ring of {@link Segment}s, written by the origin thread
 * and read by every viewer without a lock.
 *
 * <p>Why a ring and cursors instead of a queue per viewer: the origin thread does one append per
 * read whatever the audience, and a viewer's "queue" is just the distance between its cursor and
 * the head. The ring is the bound on fan-out work: a viewer whose cursor falls out of it has
 * overflowed and must skip to a keyframe, as a lagging one does.
 *
 * <p>Concurrency: one writer. {@link #append} fills slots, {@link #publish} makes them visible
 * with one volatile write; a reader that reads {@link #head()} first sees every slot and every
 * buffer byte below it. A slot the writer has since reused shows another index, so
 * {@link #get} answers null and the reader knows it overflowed.
 *
 * <p>Why the log also lets go of old segments by age and bytes: each segment keeps its chunk's
 * whole buffer reachable, so a ring sized for the busiest origin held about a minute of every
 * stream, 12 MB of a 2 Mbit/s camera with nobody reading it, and a node with 1,000 cameras ran
 * out of heap. No viewer can use a segment older than its skip bound (it would be skipped to the
 * newest keyframe anyway), so segments beyond {@code keepMillis} or {@code keepBytes} behind the
 * newest are released, except from the newest published keyframe chunk on (joiners and skips land
 * there) and in-band codec configuration (small, and a viewer skipping past it still needs it).
 * A released slot reads as overwritten.
 */
final class StreamLog {
    /** Default capacity: about a minute of a typical origin's reads. */
    static final int DEFAULT_CAPACITY = 1 << 12;

    private final Segment[] ring;
    private final int mask;
    private final long keepBytes;
    private final long keepMillis;
    private volatile long head;
    private volatile long publishedKey = -1;
    // writer only
    private long written;
    private long bytes;
    private long pendingKey = -1;
    private long released;

    /** A log bounded by its slot count only. */
    StreamLog(int capacity) {
        this(capacity, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * @param capacity   slots, a power of two
     * @param keepBytes  segments that ended more than this many bytes before the newest are released
     * @param keepMillis segments with a timestamp more than this before the newest are released
     */
    StreamLog(int capacity, long keepBytes, long keepMillis) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        if (keepBytes <= 0 || keepMillis <= 0) {
            throw new IllegalArgumentException("keepBytes and keepMillis must be positive");
        }
        ring = new Segment[capacity];
        mask = capacity - 1;
        this.keepBytes = keepBytes;
        this.keepMillis = keepMillis;
    }

    /** Appends a segment, visible to readers from the next {@link #publish}. Writer only. */
    Segment append(byte[] array, int offset, int length, Segment.Kind kind, long dts) {
        bytes += length;
        Segment s = new Segment(array, offset, length, kind, dts, bytes, written);
        ring[(int) (written & mask)] = s;
        if (kind == Segment.Kind.KEY_CHUNK_START) {
            pendingKey = written;
        }
        written++;
        release(dts);
        return s;
    }

    /**
     * Drops the ring's references to segments no reader can still use. Amortised one step per
     * append; the keyframe chunk readers may be sent to is never released.
     */
    private void release(long newestDts) {
        long keepFrom = publishedKey;
        while (released < keepFrom) {
            int slot = (int) (released & mask);
            Segment old = ring[slot];
            if (old != null && old.index() == released) {
                if (bytes - old.end() <= keepBytes && newestDts - old.dts() <= keepMillis) {
                    return;
                }
                if (old.kind() != Segment.Kind.CONFIG) {
                    ring[slot] = null;
                }
            }
            released++;
        }
    }

    /** Makes every appended segment visible; returns whether there was anything new. Writer only. */
    boolean publish() {
        if (written == head) {
            return false;
        }
        publishedKey = pendingKey;
        head = written;
        return true;
    }

    /** Index the next published segment will get; every index below it has been published. */
    long head() {
        return head;
    }

    /** Index the writer will give its next append (published or not). Writer only. */
    long nextIndex() {
        return written;
    }

    /** Oldest index that may still be held. */
    long tail() {
        return Math.max(0, head - ring.length);
    }

    /** The published segment at {@code index}, or null when it was overwritten (or is not published). */
    Segment get(long index) {
        if (index < 0 || index >= head) {
            return null;
        }
        Segment s = ring[(int) (index & mask)];
        return s != null && s.index() == index ? s : null;
    }

    /** Index of the newest published keyframe chunk start below {@code below}, -1 when none is known. */
    long newestKeyBelow(long below) {
        long key = publishedKey;
        if (key < below) {
            return key;
        }
        // published after the caller read its head: look back from there
        for (long i = below - 1; i >= Math.max(0, below - ring.length); i--) {
            Segment s = get(i);
            if (s == null) {
                return -1;
            }
            if (s.kind() == Segment.Kind.KEY_CHUNK_START) {
                return i;
            }
        }
        return -1;
    }

    int capacity() {
        return ring.length;
    }
}
