package org.xp2p.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a stream looks like between two chunk boundaries: init segment, epoch, the closed chunks
 * of the window, and where the open chunk starts in the {@link StreamLog}.
 *
 * <p>Immutable, replaced by the origin thread at chunk boundaries and init changes and read
 * through one volatile field: the chunk API and joiners answer from one consistent picture and
 * never wait for the origin thread, which holds its own lock while it parses a read.
 *
 * @param init          the current init segment (null before the first)
 * @param epoch         the current origin epoch
 * @param window        the closed chunks kept, oldest first
 * @param openSeq       the open chunk's sequence number, -1 when none is open
 * @param openKeyframe  whether the open chunk starts with a keyframe
 * @param openLogStart  log index of the open chunk's first segment
 * @param nextSeq       the sequence number the next chunk will get
 */
record StreamView(byte[] init, long epoch, List<Chunk> window, long openSeq, boolean openKeyframe,
        long openLogStart, long nextSeq) {
    static final StreamView EMPTY = new StreamView(null, 0, List.of(), -1, false, 0, 0);

    /** Init segment and first chunk exist: a viewer can start. */
    boolean live() {
        return init != null && openSeq >= 0;
    }

    Optional<Chunk> chunk(long seq) {
        // chunks are kept in order with consecutive numbers, so the index is known
        if (window.isEmpty()) {
            return Optional.empty();
        }
        long i = seq - window.get(0).seq();
        if (i >= 0 && i < window.size() && window.get((int) i).seq() == seq) {
            return Optional.of(window.get((int) i));
        }
        for (Chunk c : window) {
            if (c.seq() == seq) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The closed chunks from the newest keyframe chunk on (empty when none is kept). */
    List<Chunk> sinceNewestKeyframe() {
        int from = -1;
        for (int i = window.size() - 1; i >= 0; i--) {
            if (window.get(i).keyframe()) {
                from = i;
                break;
            }
        }
        return from < 0 ? List.of() : new ArrayList<>(window.subList(from, window.size()));
    }

    long firstSeq() {
        return window.isEmpty() ? openSeq : window.get(0).seq();
    }

    long lastSeq() {
        return window.isEmpty() ? -1 : window.get(window.size() - 1).seq();
    }

    /** The first sequence number that is not closed yet. */
    long nextClosed() {
        return openSeq >= 0 ? openSeq : nextSeq;
    }
}
