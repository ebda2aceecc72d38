package org.xp2p.relay;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the tags of one origin read into as few {@link Segment}s as the chunk structure allows:
 * consecutive tags of one chunk become one array, built once and shared by every viewer.
 *
 * <p>Not thread-safe: the owning {@link LiveStream} uses it under its lock.
 */
final class SegmentBatch {
    private final List<Segment> segments = new ArrayList<>();
    private final List<byte[]> run = new ArrayList<>();
    private int runSize;
    private long runDts;
    private Segment.Kind kind = Segment.Kind.CONFIG;

    /**
     * The next tags start a new run of this kind: a chunk start, or {@link Segment.Kind#CONFIG}
     * for tags outside any chunk (the start of an origin epoch).
     */
    void startRun(Segment.Kind next) {
        closeRun();
        kind = next;
    }

    void add(byte[] tag, long timestampMillis) {
        if (run.isEmpty()) {
            runDts = timestampMillis;
        }
        run.add(tag);
        runSize += tag.length;
    }

    /** A segment built elsewhere (in-band configuration), in order with the tags around it. */
    void addSegment(Segment segment) {
        closeRun();
        segments.add(segment);
    }

    /** The segments gathered since the last call. */
    List<Segment> drain() {
        closeRun();
        List<Segment> out = List.copyOf(segments);
        segments.clear();
        return out;
    }

    private void closeRun() {
        if (run.isEmpty()) {
            return;
        }
        segments.add(new Segment(concat(run, runSize), kind, runDts));
        run.clear();
        runSize = 0;
        if (kind != Segment.Kind.CONFIG) {
            kind = Segment.Kind.CONTINUATION;
        }
    }

    static byte[] concat(List<byte[]> parts, int size) {
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
