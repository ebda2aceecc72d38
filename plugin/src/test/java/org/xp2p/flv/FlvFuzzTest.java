package org.xp2p.flv;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of everything that reads origin bytes: the FLV reader, the chunker (which
 * drives VideoPacket, ConfigRecord, Nal and SeiMarker on every frame) and the marker code on its own.
 *
 * <p>The contract under test: untrusted input may only ever cause {@link FlvFormatException}; any
 * other exception or error (index out of bounds, negative array size, out of memory) is a crash,
 * and what the chunker emits must itself be valid FLV.
 *
 * <p>In a normal build these run in regression mode over the committed inputs in
 * {@code src/test/resources/org/xp2p/flv/FlvFuzzTestInputs/<method>/}. {@code JAZZER_FUZZ=1} fuzzes
 * one target for {@code maxDuration} (see {@code .ci/fuzz}); {@code .ci/fuzz-long} runs the same
 * methods through the standalone driver for the long runs in docs/benchmarks.md ("Fuzzing").
 */
class FlvFuzzTest {
    /** Small limits so that the fuzzer reaches the limit checks with small inputs. */
    private static final FlvLimits LIMITS = new FlvLimits(FlvLimits.MIN_MAX_TAG_BYTES, FlvLimits.MIN_MAX_CONFIG_BYTES);

    @FuzzTest(maxDuration = "60s")
    void reader(byte[] data) {
        fuzzReader(data);
    }

    @FuzzTest(maxDuration = "60s")
    void chunker(byte[] data) {
        fuzzChunker(data);
    }

    @FuzzTest(maxDuration = "60s")
    void seiMarker(byte[] data) {
        fuzzSeiMarker(data);
    }

    /** The reader, fed in two pieces split where the input's last byte says. */
    static void fuzzReader(byte[] data) {
        List<FlvTag> tags = new ArrayList<>();
        FlvReader reader = new FlvReader(new FlvReader.Listener() {
            @Override
            public void header(FlvReader.FlvHeader header) {
            }

            @Override
            public void tag(FlvTag tag) {
                tags.add(tag);
            }
        }, LIMITS.maxTagBytes());
        int split = data.length == 0 ? 0 : (data[data.length - 1] & 0xFF) % (data.length + 1);
        try {
            reader.feed(ByteBuffer.wrap(data, 0, split));
            reader.feed(ByteBuffer.wrap(data, split, data.length - split));
            reader.end();
        } catch (FlvFormatException expected) {
            return;
        }
        for (FlvTag t : tags) {
            if (t.body().length > LIMITS.maxTagBytes()) {
                throw new AssertionError("tag above the limit passed: " + t);
            }
        }
    }

    /** The chunker as the origin pull drives it; what it emits must read back as FLV. */
    static void fuzzChunker(byte[] data) {
        Collect sink = new Collect();
        FlvChunker chunker = new FlvChunker(new ChunkerOptions(7, 0, 0, 100), sink, LIMITS);
        int split = data.length / 3;
        try {
            chunker.feed(ByteBuffer.wrap(data, 0, split));
            chunker.feed(ByteBuffer.wrap(data, split, data.length - split));
            chunker.end();
        } catch (FlvFormatException expected) {
            // what was emitted before the error must still be valid
        }
        for (byte[] init : sink.inits) {
            FlvReader.readAll(init);
        }
        if (!sink.tags.isEmpty()) {
            byte[] header = {'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0};
            int size = header.length + sink.tags.stream().mapToInt(t -> t.length).sum();
            ByteBuffer all = ByteBuffer.allocate(size).put(header);
            sink.tags.forEach(all::put);
            FlvReader.readAll(all.array());
        }
    }

    /**
     * The marker on an arbitrary video tag body: find and strip never throw; when the NAL units
     * tile the body, a marker inserted after stripping is found again, unchanged.
     */
    static void fuzzSeiMarker(byte[] body) {
        VideoPacket packet = VideoPacket.parse(body);
        for (int lengthSize = 1; lengthSize <= 4; lengthSize++) {
            SeiMarker.findInBody(body, lengthSize);
            if (!packet.markable()) {
                continue;
            }
            byte[] stripped = SeiMarker.strip(body, packet, lengthSize);
            try {
                Nal.checkTiling(stripped, packet.dataOffset(), lengthSize);
            } catch (FlvFormatException e) {
                continue;
            }
            ChunkMark mark = new ChunkMark(SeiMarker.VERSION, 3, body.length, packet.keyframe(), 40L * body.length);
            byte[] marked = SeiMarker.insert(stripped, packet, lengthSize, mark);
            Optional<ChunkMark> found = SeiMarker.findInBody(marked, lengthSize);
            if (!found.equals(Optional.of(mark))) {
                throw new AssertionError("inserted " + mark + ", found " + found + " (length size " + lengthSize + ")");
            }
            if (!Arrays.equals(SeiMarker.strip(marked, VideoPacket.parse(marked), lengthSize), stripped)) {
                throw new AssertionError("strip did not undo insert (length size " + lengthSize + ")");
            }
        }
        try {
            new AnnexB().convert(body);
        } catch (FlvFormatException expected) {
            // a sequence header or frame that does not parse
        }
    }

    private static final class Collect implements ChunkSink {
        final List<byte[]> inits = new ArrayList<>();
        final List<byte[]> tags = new ArrayList<>();

        @Override
        public void initSegment(byte[] bytes) {
            inits.add(bytes);
        }

        @Override
        public void chunkStart(long seq, boolean keyframe, long dtsMillis) {
        }

        @Override
        public void tag(byte[] tag, int tagType, long timestampMillis) {
            tags.add(tag);
        }
    }
}
