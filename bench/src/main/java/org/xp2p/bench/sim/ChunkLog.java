package org.xp2p.bench.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One room's stream as the simulator saw it: each chunk's size, keyframe flag and the moment its
 * digest first reached any peer. Gives chunk durations to the playback model (a chunk lasts until
 * the next digest: the relay closes a chunk when the next one starts) and, in order, the schedule
 * the random-mesh baseline replays so that both see the same stream.
 */
final class ChunkLog {
    /** One digest. */
    record Chunk(long seq, long size, boolean keyframe, double digestAt) {
    }

    private final Map<Long, Chunk> bySeq = new HashMap<>();
    private final List<Chunk> ordered = new ArrayList<>();
    private long newest = -1;
    private long totalBytes;

    /** Records a digest the first time any peer of the room sees it. */
    void digest(long seq, long size, boolean keyframe, double now) {
        if (bySeq.containsKey(seq)) {
            return;
        }
        Chunk c = new Chunk(seq, size, keyframe, now);
        bySeq.put(seq, c);
        ordered.add(c);
        newest = Math.max(newest, seq);
        totalBytes += size;
    }

    Chunk get(long seq) {
        return bySeq.get(seq);
    }

    long newest() {
        return newest;
    }

    List<Chunk> ordered() {
        return ordered;
    }

    /** Mean chunk duration seen so far (1 s, the relay's default target, before two digests). */
    double meanDurationMs() {
        if (ordered.size() < 2) {
            return 1_000;
        }
        return (ordered.get(ordered.size() - 1).digestAt() - ordered.get(0).digestAt()) / (ordered.size() - 1);
    }

    long meanSize() {
        return ordered.isEmpty() ? 250_000 : totalBytes / ordered.size();
    }

    /** Media duration of chunk {@code seq}: until the next digest, else the mean. */
    double durationMs(long seq) {
        Chunk c = bySeq.get(seq);
        Chunk n = bySeq.get(seq + 1);
        return c != null && n != null ? n.digestAt() - c.digestAt() : meanDurationMs();
    }

    long size(long seq) {
        Chunk c = bySeq.get(seq);
        return c == null ? meanSize() : c.size();
    }

    boolean keyframe(long seq) {
        Chunk c = bySeq.get(seq);
        return c == null || c.keyframe();
    }

    /** Media start of chunk {@code seq} on the digest clock: the previous chunk's digest. */
    double mediaStart(long seq) {
        Chunk p = bySeq.get(seq - 1);
        if (p != null) {
            return p.digestAt();
        }
        Chunk c = bySeq.get(seq);
        return c != null ? c.digestAt() - meanDurationMs() : Double.NaN;
    }
}
