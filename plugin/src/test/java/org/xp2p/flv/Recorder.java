package org.xp2p.flv;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A ChunkSink that keeps everything it is told, for assertions. */
final class Recorder implements ChunkSink {
    record Start(long seq, boolean keyframe, long dts, int tagIndex) {
    }

    record Tag(byte[] bytes, int type, long timestamp) {
    }

    final List<byte[]> inits = new ArrayList<>();
    final List<Start> starts = new ArrayList<>();
    final List<Tag> tags = new ArrayList<>();
    /** every call in order, serialized: lets two runs be compared byte for byte */
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private boolean pendingStart;

    @Override
    public void initSegment(byte[] init) {
        inits.add(init);
        log.write('I');
        log.writeBytes(init);
    }

    @Override
    public void chunkStart(long seq, boolean keyframe, long dtsMillis) {
        starts.add(new Start(seq, keyframe, dtsMillis, tags.size()));
        pendingStart = true;
        log.writeBytes(("S" + seq + "," + keyframe + "," + dtsMillis).getBytes());
    }

    @Override
    public void tag(byte[] tag, int tagType, long timestampMillis) {
        tags.add(new Tag(tag, tagType, timestampMillis));
        pendingStart = false;
        log.writeBytes(("T" + tagType + "," + timestampMillis).getBytes());
        log.writeBytes(tag);
    }

    /** The latest init segment followed by every tag: a playable FLV file. */
    byte[] file() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(inits.get(inits.size() - 1));
        tags.forEach(t -> out.writeBytes(t.bytes()));
        return out.toByteArray();
    }

    /** Whether a chunkStart was not yet followed by its tag. */
    boolean pendingStart() {
        return pendingStart;
    }

    /** Tags of chunk i (from its start to the next start). */
    List<Tag> chunk(int i) {
        int from = starts.get(i).tagIndex();
        int to = i + 1 < starts.size() ? starts.get(i + 1).tagIndex() : tags.size();
        return tags.subList(from, to);
    }

    static Recorder run(ChunkerOptions options, byte[] flv) {
        Recorder r = new Recorder();
        FlvChunker c = new FlvChunker(options, r);
        c.feed(java.nio.ByteBuffer.wrap(flv));
        c.end();
        return r;
    }
}
