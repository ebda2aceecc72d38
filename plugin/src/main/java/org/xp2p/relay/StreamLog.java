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
 */
final class StreamLog {
    /** Default capacity: about a minute of a typical origin's reads. */
    static final int DEFAULT_CAPACITY = 1 << 12;

    private final Segment[] ring;
    private final int mask;
    private volatile long head;
    private volatile long publishedKey = -1;
    // writer only
    private long written;
    private long bytes;
    private long pendingKey = -1;

    StreamLog(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        ring = new Segment[capacity];
        mask = capacity - 1;
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
        return s;
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
