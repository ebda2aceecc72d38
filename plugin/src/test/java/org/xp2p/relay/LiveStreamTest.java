package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xp2p.config.Settings;
import org.xp2p.flv.FlvTag;
import org.xp2p.flv.InitSegment;
import org.xp2p.ops.Xp2pMetrics;

/**
 * The relay core without sockets or sleeps: a stream fed as the origin thread feeds it, viewers
 * on in-memory connections, time moved by hand, and the fan-out pumped explicitly.
 */
class LiveStreamTest {
    private static final int FRAME_MILLIS = 40;
    private final ManualClock clock = new ManualClock();
    private RelayService relay;
    private LiveStream stream;
    private long seq;
    private long ts;

    private void start(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("xp2p.relay.skipLagMillis", "1000", "xp2p.relay.maxSkips", "2",
                "xp2p.idleSeconds", "10", "xp2p.relay.startTimeoutMillis", "2000"));
        all.putAll(settings);
        RelayConfig config = RelayConfig.from(Settings.of(all));
        relay = new RelayService(config, code -> Optional.empty(), new Xp2pMetrics(), clock, new FanOut(0, 0));
        stream = new LiveStream(StreamAddress.parse("/live/s.flv", null), relay, config);
        relay.register(stream);
    }

    @AfterEach
    void close() {
        relay.close();
    }

    // ------------------------------------------------------------------ driving the stream

    private static byte[] init(int configByte) {
        InitSegment init = new InitSegment();
        init.videoConfig(new byte[] {0x17, 0, 0, 0, 0, 1, 0x64, 0, (byte) configByte});
        return init.build(false, true);
    }

    private static byte[] frame(long ts, boolean key) {
        byte[] body = new byte[1000];
        body[0] = (byte) (key ? 0x17 : 0x27);
        body[1] = 1;
        return FlvTag.serialize(FlvTag.VIDEO, ts, body, 0, body.length);
    }

    /** One origin read, as OriginPull does it: feed under the origin lock, deliver after. */
    private void read(Consumer<LiveStream> feed) {
        LiveStream.Delivery delivery;
        synchronized (stream.lock()) {
            feed.accept(stream);
            delivery = stream.closeBatch();
        }
        delivery.run();
    }

    private void newEpoch(int configByte) {
        read(s -> {
            s.beginEpoch();
            s.initSegment(init(configByte));
        });
    }

    /** One read holding one 40 ms frame; a keyframe chunk starts every second, a GOP chunk at 500 ms. */
    private void frames(int count) {
        for (int i = 0; i < count; i++) {
            long t = ts;
            read(s -> {
                if (t % 1000 == 0) {
                    s.chunkStart(seq++, true, t);
                } else if (t % 1000 == 480) {
                    s.chunkStart(seq++, false, t);
                }
                s.tag(frame(t, t % 1000 == 0), FlvTag.VIDEO, t);
            });
            ts += FRAME_MILLIS;
            clock.advanceMillis(FRAME_MILLIS);
        }
    }

    private FakeViewerOutput watch() {
        FakeViewerOutput out = new FakeViewerOutput();
        assertTrue(stream.watch(out, null));
        return out;
    }

    private Viewer viewerOf(FakeViewerOutput out) throws Exception {
        var f = FakeViewerOutput.class.getDeclaredField("listener");
        f.setAccessible(true);
        return (Viewer) f.get(out);
    }

    // ------------------------------------------------------------------ fan-out

    @Test
    void oneReadIsOneSharedSliceAndAWindowOfReadsIsOneWrite() {
        start(Map.of());
        newEpoch(1);
        frames(1);
        FakeViewerOutput out = watch();
        assertEquals(200, out.status);
        assertEquals(2, out.writes.size(), "init segment, then the first read");
        frames(5); // five reads inside one merge window
        stream.pumpAll();
        assertEquals(3, out.writes.size(), "the five reads adjoin in the chunk buffer: one write");
        frames(20); // closes chunk 0 (0..480 ms)
        stream.pumpAll();
        LiveStream.ChunkLookup chunk0 = stream.lookup(0);
        assertEquals(LiveStream.ChunkState.AVAILABLE, chunk0.state());
        assertSame(chunk0.chunk().array(), out.writes.get(1).array(),
                "viewer, window and chunk API share the chunk's buffer; nothing was copied");
    }

    @Test
    void joinerGetsInitAndTheCurrentGopAsSharedSlicesThenTheLiveTail() {
        start(Map.of());
        newEpoch(1);
        frames(15); // chunk 0 (key) closed, chunk 1 (no keyframe) open
        FakeViewerOutput joiner = watch();
        Chunk key = stream.lookup(0).chunk();
        assertArrayEquals(init(1), java.util.Arrays.copyOf(joiner.writes.get(0).array(), joiner.writes.get(0).length()));
        assertSame(key.array(), joiner.writes.get(1).array());
        assertEquals(key.size(), joiner.writes.get(1).length());
        frames(3);
        stream.pumpAll();
        // every frame exactly once, in order: 15 + 3 tags after the init segment
        List<Long> timestamps = tagTimestamps(joiner.bytes.toByteArray(), init(1).length);
        assertEquals(18, timestamps.size());
        for (int i = 0; i < timestamps.size(); i++) {
            assertEquals(i * (long) FRAME_MILLIS, timestamps.get(i));
        }
    }

    // ------------------------------------------------------------------ skip and drop

    @Test
    void blockedViewerSkipsToTheNewestKeyframeAndCatchesUpFromThere() {
        start(Map.of("xp2p.relay.maxSkips", "3"));
        newEpoch(1);
        frames(1);
        FakeViewerOutput out = watch();
        out.ready(false);
        frames(40); // 1.6 s: lag passes 1000 ms
        stream.pumpAll();
        assertEquals(1, stream.skippedViewers.get());
        int before = out.writes.size();
        frames(10); // to 2.04 s; the keyframe chunk at 2000 ms is the newest
        out.ready(true);
        FakeViewerOutput.Write first = out.writes.get(before);
        List<Long> resumed = tagTimestamps(out.bytes.toByteArray(), out.bytes.size() - totalLength(out, before));
        assertEquals(1000L, resumed.get(0), "resumed at the keyframe chunk that was newest when it skipped");
        assertNotNull(first);
        assertFalse(out.completed);
    }

    @Test
    void viewerThatNeverCatchesUpIsDroppedAfterMaxSkips() {
        start(Map.of());
        newEpoch(1);
        frames(1);
        FakeViewerOutput out = watch();
        FakeViewerOutput healthy = watch();
        out.ready(false);
        for (int i = 0; i < 100 && !out.completed; i++) {
            frames(5);
            stream.pumpAll();
        }
        assertTrue(out.completed, "dropped");
        assertEquals(1, stream.droppedViewers.get());
        assertEquals(1, stream.viewerCount(), "the healthy viewer stays");
        assertFalse(healthy.completed);
    }

    @Test
    void viewerTooManyBytesBehindIsDropped() {
        start(Map.of("xp2p.relay.viewerMaxBytes", String.valueOf(64 << 10), "xp2p.relay.skipLagMillis", "60000"));
        newEpoch(1);
        frames(1);
        FakeViewerOutput out = watch();
        out.ready(false);
        frames(70); // ~70 KB behind
        stream.pumpAll();
        assertTrue(out.completed);
        assertEquals(1, stream.droppedViewers.get());
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void idleStreamStopsAfterIdleSecondsWithoutViewers() throws Exception {
        start(Map.of());
        newEpoch(1);
        frames(1);
        FakeViewerOutput out = watch();
        viewerOf(out).onError(new IOException("client left"));
        assertEquals(0, stream.viewerCount());
        stream.tick(clock.nanoTime()); // idle from now
        clock.advanceMillis(9_999);
        stream.tick(clock.nanoTime());
        assertTrue(relay.stream("live/s").isPresent(), "still inside the idle window");
        clock.advanceMillis(1);
        stream.tick(clock.nanoTime());
        assertTrue(stream.stopped());
        assertTrue(relay.stream("live/s").isEmpty(), "forgotten: the next viewer starts a new pull");
        assertFalse(stream.watch(new FakeViewerOutput(), null), "a stopped stream takes nobody");
    }

    @Test
    void viewerRejoiningInsideTheIdleWindowKeepsThePull() throws Exception {
        start(Map.of());
        newEpoch(1);
        frames(1);
        viewerOf(watch()).onError(new IOException("client left"));
        stream.tick(clock.nanoTime());
        clock.advanceMillis(9_000);
        FakeViewerOutput again = watch();
        assertEquals(200, again.status, "joins the running stream at once");
        clock.advanceMillis(5_000);
        stream.tick(clock.nanoTime());
        assertFalse(stream.stopped(), "the idle window restarted when the viewer came back");
        viewerOf(again).onError(new IOException("client left"));
        stream.tick(clock.nanoTime());
        clock.advanceMillis(10_000);
        stream.tick(clock.nanoTime());
        assertTrue(stream.stopped());
    }

    @Test
    void chunkRequestsAloneKeepThePullAlive() {
        start(Map.of());
        newEpoch(1);
        frames(30);
        for (int i = 0; i < 5; i++) {
            stream.tick(clock.nanoTime());
            clock.advanceMillis(5_000);
            stream.served(100);
        }
        assertFalse(stream.stopped());
    }

    @Test
    void viewerWaitingForAStreamThatNeverStartsGets504AndTheStreamFails() {
        start(Map.of());
        List<StreamFailure> failures = new CopyOnWriteArrayList<>();
        relay.subscribe("live/s", new Recorder(new ArrayList<>(), new ArrayList<>(), failures));
        FakeViewerOutput out = watch();
        assertEquals(0, out.status, "waits: nothing sent yet");
        clock.advanceMillis(2_001);
        stream.tick(clock.nanoTime());
        assertEquals(504, out.status);
        assertTrue(out.completed);
        assertTrue(stream.stopped());
        assertEquals(504, failures.get(0).status());
    }

    @Test
    void aNewEpochWaitingForItsFirstChunkIsNotAStreamThatNeverStarted() {
        start(Map.of());
        newEpoch(1);
        frames(5);
        FakeViewerOutput out = watch();
        clock.advanceMillis(3_000);
        newEpoch(1); // the origin reconnected: header and config, no frame yet
        clock.advanceMillis(3_000); // past the 2 s start budget since the stream started
        stream.tick(clock.nanoTime());
        assertFalse(stream.stopped(), "it went live once; the origin's silence is the stall check's business");
        assertFalse(out.completed);
    }

    @Test
    void waitingViewerStartsWithTheFirstChunk() {
        start(Map.of());
        FakeViewerOutput out = watch();
        newEpoch(1);
        assertEquals(0, out.status, "an init segment alone is not live");
        frames(1);
        assertEquals(200, out.status);
        assertEquals(2, out.writes.size(), "init segment and the first read");
    }

    @Test
    void newOriginEpochContinuesSequenceAndTimeAndSendsTheNewConfigInBand() {
        start(Map.of());
        List<ChunkDigest> digests = new CopyOnWriteArrayList<>();
        List<StreamPosition> lives = new CopyOnWriteArrayList<>();
        relay.subscribe("live/s", new Recorder(digests, lives, new ArrayList<>()));
        newEpoch(1);
        frames(25); // chunks 0, 1 closed at 1000 ms? chunk 2 opens at 1000 ms with the 26th frame
        FakeViewerOutput out = watch();
        long firstEpoch = stream.position().epoch();
        clock.advanceMillis(3_000); // the origin failed over; the next connection delivers
        // the new connection's chunker restarts its timestamps; the stream offsets them
        var options = new Object() {
            org.xp2p.flv.ChunkerOptions value;
        };
        read(s -> {
            options.value = s.beginEpoch();
            s.initSegment(init(2));
        });
        assertTrue(options.value.epoch() > firstEpoch);
        assertEquals(seq, options.value.firstSeq(), "sequence numbers continue");
        assertTrue(options.value.timestampOffsetMillis() > (ts - FRAME_MILLIS), "time never goes backwards");
        ts = options.value.timestampOffsetMillis();
        long t = ts;
        read(s -> {
            s.chunkStart(seq++, true, t);
            s.tag(frame(t, true), FlvTag.VIDEO, t);
        });
        stream.pumpAll();
        assertEquals(options.value.epoch(), stream.position().epoch());
        assertEquals(2, lives.size(), "live announced for each epoch");
        // the last chunk of the first epoch keeps its epoch; the new one has the new epoch
        ChunkDigest last = digests.get(digests.size() - 1);
        assertEquals(firstEpoch, last.epoch());
        byte[] sent = out.bytes.toByteArray();
        byte[] newConfig = java.util.Arrays.copyOfRange(init(2), 13, init(2).length);
        assertTrue(indexOf(sent, java.util.Arrays.copyOfRange(newConfig, 11, newConfig.length - 4)) > 0,
                "the new sequence header went out in-band");
        FakeViewerOutput joiner = watch();
        assertArrayEquals(init(2), java.util.Arrays.copyOf(joiner.writes.get(0).array(), joiner.writes.get(0).length()),
                "a joiner of the new epoch gets the new init segment");
    }

    // ------------------------------------------------------------------ helpers

    private record Recorder(List<ChunkDigest> digests, List<StreamPosition> lives, List<StreamFailure> failures)
            implements ChunkFeed.StreamListener {
        @Override
        public void digest(ChunkDigest digest) {
            digests.add(digest);
        }

        @Override
        public void live(StreamPosition position) {
            lives.add(position);
        }

        @Override
        public void failed(StreamFailure failure) {
            failures.add(failure);
        }
    }

    private static int totalLength(FakeViewerOutput out, int fromWrite) {
        int n = 0;
        for (int i = fromWrite; i < out.writes.size(); i++) {
            n += out.writes.get(i).length();
        }
        return n;
    }

    /** Timestamps of the whole tags in {@code flv} from {@code offset} on. */
    private static List<Long> tagTimestamps(byte[] flv, int offset) {
        List<Long> out = new ArrayList<>();
        int at = offset;
        while (at + 11 <= flv.length) {
            int size = ((flv[at + 1] & 0xff) << 16) | ((flv[at + 2] & 0xff) << 8) | (flv[at + 3] & 0xff);
            long t = ((flv[at + 4] & 0xffL) << 16) | ((flv[at + 5] & 0xffL) << 8) | (flv[at + 6] & 0xffL)
                    | ((flv[at + 7] & 0xffL) << 24);
            out.add(t);
            at += 11 + size + 4;
        }
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
