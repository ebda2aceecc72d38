package org.xp2p.relay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The closed chunks a stream keeps: the last {@code windowSeconds} of them for peers that missed
 * one, bounded in bytes, and always every chunk since the newest keyframe chunk, because a joining
 * viewer must start decoding there even when a GOP is longer than the window.
 *
 * <p>Not thread-safe: the owning {@link LiveStream} guards it with its lock.
 */
final class ChunkWindow {
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private final long maxMillis;
    private final long maxBytes;
    private long bytes;

    ChunkWindow(long maxMillis, long maxBytes) {
        this.maxMillis = maxMillis;
        this.maxBytes = maxBytes;
    }

    void add(Chunk chunk) {
        chunks.addLast(chunk);
        bytes += chunk.size();
        long newest = chunk.dts();
        while (chunks.size() > 1) {
            Chunk oldest = chunks.peekFirst();
            boolean tooOld = newest - oldest.dts() > maxMillis;
            if (!(tooOld || bytes > maxBytes) || !keyframeAfter(oldest)) {
                break;
            }
            chunks.removeFirst();
            bytes -= oldest.size();
        }
    }

    private boolean keyframeAfter(Chunk oldest) {
        for (Chunk c : chunks) {
            if (c != oldest && c.keyframe()) {
                return true;
            }
        }
        return false;
    }

    Optional<Chunk> get(long seq) {
        for (Chunk c : chunks) {
            if (c.seq() == seq) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The chunks from the newest keyframe chunk on (empty when none is kept). */
    List<Chunk> sinceNewestKeyframe() {
        List<Chunk> out = new ArrayList<>();
        for (Chunk c : chunks) {
            if (c.keyframe()) {
                out.clear();
            }
            if (c.keyframe() || !out.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    /** The chunks kept now, oldest first: an immutable copy for lock-free readers. */
    List<Chunk> toList() {
        return List.copyOf(chunks);
    }

    boolean isEmpty() {
        return chunks.isEmpty();
    }

    long firstSeq() {
        return chunks.isEmpty() ? -1 : chunks.peekFirst().seq();
    }

    long lastSeq() {
        return chunks.isEmpty() ? -1 : chunks.peekLast().seq();
    }
}
