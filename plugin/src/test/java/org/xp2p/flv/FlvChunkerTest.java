package org.xp2p.flv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;

class FlvChunkerTest {
    private static final long EPOCH = 0x0000_0100_0000_0002L; // bytes hold 00 00 runs: exercises escaping

    @Test
    void shortGopChunksStartAtEveryKeyframeWithAMarker() {
        byte[] flv = Fixtures.read(Fixtures.SHORT_GOP);
        List<FlvTag> input = FlvReader.readAll(flv);
        long keyframes = input.stream().filter(t -> t.type() == FlvTag.VIDEO && VideoPacket.parse(t.body()).keyframe()
                && VideoPacket.parse(t.body()).kind() == VideoPacket.Kind.FRAME).count();
        Recorder r = Recorder.run(ChunkerOptions.of(EPOCH, 100), flv);
        assertEquals(keyframes, r.starts.size(), "one chunk per keyframe (1 s GOP, 1 s target)");
        assertTrue(keyframes >= 4);
        int lengthSize = lengthSize(r.inits.get(0));
        for (int i = 0; i < r.starts.size(); i++) {
            Recorder.Start s = r.starts.get(i);
            assertEquals(100 + i, s.seq());
            assertTrue(s.keyframe());
            Recorder.Tag first = r.tags.get(s.tagIndex());
            assertEquals(FlvTag.VIDEO, first.type());
            assertEquals(s.dts(), first.timestamp());
            Independent.Found f = Independent.marker(first.bytes(), lengthSize);
            assertNotNull(f, "chunk " + i + " starts with a marked frame");
            assertEquals(EPOCH, f.epoch());
            assertEquals(100 + i, f.seq());
            assertEquals(1, f.flags());
            assertEquals(s.dts(), f.dts());
            assertEquals(1, f.version());
            assertEquals(f.firstVclIndex() - 1, f.nalIndex(), "marker immediately precedes the first slice");
            for (Recorder.Tag t : r.chunk(i).subList(1, r.chunk(i).size())) {
                if (t.type() == FlvTag.VIDEO) {
                    assertNull(Independent.marker(t.bytes(), lengthSize), "only the first frame of a chunk is marked");
                }
            }
        }
        // every tag's DataSize and PreviousTagSize are consistent (checked by Independent.body)
        r.tags.forEach(t -> Independent.body(t.bytes()));
        assertEquals(r.starts.get(0).seq() + r.starts.size(), 100 + r.starts.size());
    }

    @Test
    void outputIsTheInputPlusMarkers() {
        byte[] flv = Fixtures.read(Fixtures.SHORT_GOP);
        List<FlvTag> input = FlvReader.readAll(flv);
        Recorder r = Recorder.run(ChunkerOptions.of(1, 0), flv);
        // ffmpeg writes metadata + both sequence headers first, and starts with a keyframe:
        // nothing is dropped, the three config tags go into the init segment only
        List<FlvTag> media = input.subList(3, input.size());
        assertEquals(media.size(), r.tags.size());
        for (int i = 0; i < media.size(); i++) {
            byte[] body = Independent.body(r.tags.get(i).bytes());
            FlvTag in = media.get(i);
            assertEquals(in.timestamp(), Independent.timestamp(r.tags.get(i).bytes()));
            if (body.length == in.body().length) {
                assertArrayEquals(in.body(), body);
            } else {
                // removing the marker NAL unit (found by the independent parser) gives the input back
                Independent.Found f = Independent.marker(r.tags.get(i).bytes(), 4);
                java.io.ByteArrayOutputStream without = new java.io.ByteArrayOutputStream();
                without.write(body, 0, 5);
                List<Independent.Nal> nals = Independent.nals(body, 5, 4, false);
                for (int n = 0; n < nals.size(); n++) {
                    if (n != f.nalIndex()) {
                        TestStream.nals(without, 4, nals.get(n).raw());
                    }
                }
                assertArrayEquals(in.body(), without.toByteArray());
            }
        }
        // the init segment holds the original header tags with timestamp 0
        List<FlvTag> init = FlvReader.readAll(r.inits.get(0));
        assertEquals(3, init.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(input.get(i).type(), init.get(i).type());
            assertArrayEquals(input.get(i).body(), init.get(i).body());
            assertEquals(0, init.get(i).timestamp());
        }
        assertEquals(0x05, r.inits.get(0)[4], "audio and video flags");
        assertEquals(1, r.inits.size(), "configuration never changed");
    }

    @Test
    void everySplitPointGivesIdenticalOutput() {
        byte[] flv = Fixtures.read(Fixtures.TINY);
        ChunkerOptions options = new ChunkerOptions(EPOCH, 5, 1000, 100);
        byte[] whole = Recorder.run(options, flv).log.toByteArray();
        assertTrue(Recorder.run(options, flv).starts.size() >= 3);
        for (int split = 0; split <= flv.length; split++) {
            Recorder r = new Recorder();
            FlvChunker c = new FlvChunker(options, r);
            c.feed(ByteBuffer.wrap(flv, 0, split));
            c.feed(ByteBuffer.wrap(flv, split, flv.length - split));
            c.end();
            assertArrayEquals(whole, r.log.toByteArray(), "split at " + split);
        }
    }

    @Test
    void longGopIsCutByTargetDuration() {
        byte[] flv = Fixtures.read(Fixtures.LONG_GOP);
        Recorder r = Recorder.run(ChunkerOptions.of(3, 0), flv);
        // 8 s, keyframes at 0 and 5 s: cuts at 0 (key), ~1,2,3,4 (target), 5 (key), ~6,7 (target)
        assertEquals(8, r.starts.size(), r.starts.toString());
        long keys = r.starts.stream().filter(Recorder.Start::keyframe).count();
        assertEquals(2, keys);
        int lengthSize = lengthSize(r.inits.get(0));
        for (int i = 0; i < r.starts.size(); i++) {
            Recorder.Start s = r.starts.get(i);
            Independent.Found f = Independent.marker(r.tags.get(s.tagIndex()).bytes(), lengthSize);
            assertNotNull(f);
            assertEquals(s.keyframe() ? 1 : 0, f.flags());
            if (!s.keyframe()) {
                long previous = r.starts.get(i - 1).dts();
                assertTrue(s.dts() >= previous + 1000, "cut at least the target after the previous start");
                assertTrue(s.dts() < previous + 1000 + 40 + 1, "cut at the first frame past the target (25 fps)");
            }
        }
    }

    /** A relay pulling from another xp2p relay: the old markers go, the output is as if from the origin. */
    @Test
    void rechunkingAMarkedStreamReplacesItsMarkers() {
        byte[] flv = Fixtures.read(Fixtures.LONG_GOP);
        Recorder upstream = Recorder.run(ChunkerOptions.of(111, 1000), flv);
        Recorder direct = Recorder.run(ChunkerOptions.of(222, 0), flv);
        Recorder cascaded = Recorder.run(ChunkerOptions.of(222, 0), upstream.file());
        assertArrayEquals(direct.log.toByteArray(), cascaded.log.toByteArray());
        for (Recorder.Start s : cascaded.starts) {
            assertEquals(222, SeiMarker.find(cascaded.tags.get(s.tagIndex()).bytes()).orElseThrow().epoch());
        }
        long marked = cascaded.tags.stream().filter(t -> SeiMarker.find(t.bytes()).isPresent()).count();
        assertEquals(cascaded.starts.size(), marked);
    }

    @Test
    void timestampOffsetAndExtendedTimestamps() {
        byte[] flv = Fixtures.read(Fixtures.TINY);
        long offset = (1L << 24) + 1_000_000; // all output timestamps need the extended byte
        Recorder r = Recorder.run(new ChunkerOptions(1, 0, offset, 1000), flv);
        List<FlvTag> input = FlvReader.readAll(flv);
        long maxIn = input.stream().mapToLong(FlvTag::timestamp).max().orElseThrow();
        for (Recorder.Tag t : r.tags) {
            assertEquals(t.timestamp(), Independent.timestamp(t.bytes()), "written = reported");
            assertTrue(t.timestamp() >= offset);
            assertEquals(1, t.bytes()[7], "extended timestamp byte");
        }
        assertEquals(offset, r.starts.get(0).dts());
        FlvChunker c = new FlvChunker(new ChunkerOptions(1, 0, offset, 1000), new Recorder());
        c.feed(ByteBuffer.wrap(flv));
        assertEquals(maxIn + offset, c.lastTimestamp());
        assertEquals(c.currentSeq() + 1, c.nextSeq());
        assertTrue(c.headerSeen());
    }

    @Test
    void negativeCompositionTimeIsPreserved() {
        byte[] flv = new TestStream(false, true)
                .video(0, TestStream.avcConfig(4))
                .video(0, TestStream.avcFrame(true, -40, 4, TestStream.SPS, TestStream.PPS, TestStream.IDR))
                .video(40, TestStream.avcFrame(false, -80, 4, TestStream.NON_IDR))
                .bytes();
        Recorder r = Recorder.run(ChunkerOptions.of(1, 0), flv);
        assertEquals(2, r.tags.size());
        for (int i = 0; i < 2; i++) {
            byte[] body = Independent.body(r.tags.get(i).bytes());
            int cts = (body[2] << 16) | ((body[3] & 0xFF) << 8) | (body[4] & 0xFF); // SI24, sign from body[2]
            assertEquals(i == 0 ? -40 : -80, cts);
        }
        assertNotNull(Independent.marker(r.tags.get(0).bytes(), 4));
    }

    @Test
    void enhancedCodedFramesAndCodedFramesX() {
        byte[] config = TestStream.enhancedConfig("avc1", TestStream.avcConfig(2));
        byte[] flv = new TestStream(false, true)
                .video(0, config)
                .video(0, TestStream.enhanced(true, 1, "avc1", 33, 2, TestStream.IDR))
                .video(400, TestStream.enhanced(true, 3, "avc1", null, 2, TestStream.IDR))
                .bytes();
        Recorder r = Recorder.run(new ChunkerOptions(1, 0, 0, 100), flv);
        assertEquals(2, r.starts.size());
        byte[] withCts = Independent.body(r.tags.get(0).bytes());
        assertEquals(33, withCts[7], "CodedFrames keeps its SI24 composition time before the NAL units");
        assertEquals(0, Independent.marker(r.tags.get(0).bytes(), 2).nalIndex());
        assertEquals(0, Independent.marker(r.tags.get(1).bytes(), 2).nalIndex(), "CodedFramesX: NAL units right after the FourCC");
        assertEquals(1, SeiMarker.find(r.tags.get(1).bytes()).orElseThrow().seq());
    }

    @Test
    void unknownFourccPassesThroughUnmarked() {
        byte[] av1 = {(byte) 0x90 | 1, 'a', 'v', '0', '1', 0x12, 0x00, 0x0A, 0x0B};
        byte[] av1Config = {(byte) 0x90, 'a', 'v', '0', '1', (byte) 0x81, 0x00, 0x0C, 0x00};
        byte[] flv = new TestStream(false, true).video(0, av1Config).video(0, av1).video(40, av1).bytes();
        Recorder r = Recorder.run(ChunkerOptions.of(1, 0), flv);
        assertEquals(2, r.starts.size(), "AV1 keyframes still start chunks");
        for (Recorder.Tag t : r.tags) {
            assertArrayEquals(av1, Independent.body(t.bytes()), "bytes unchanged");
        }
        assertEquals(java.util.Optional.empty(), SeiMarker.find(r.tags.get(0).bytes()));
        assertEquals(1, FlvReader.readAll(r.inits.get(0)).size(), "AV1 sequence start kept in the init segment");
    }

    @Test
    void aacPassesThroughAndFeedsTheInitSegment() {
        byte[] flv = new TestStream(true, true)
                .audio(0, TestStream.AAC_CONFIG)
                .video(0, TestStream.avcConfig(4))
                .audio(0, TestStream.AAC_FRAME)                                   // before the keyframe: dropped
                .video(0, TestStream.avcFrame(false, 0, 4, TestStream.NON_IDR))   // before the keyframe: dropped
                .video(40, TestStream.avcFrame(true, 0, 4, TestStream.IDR))
                .audio(46, TestStream.AAC_FRAME)
                .bytes();
        Recorder r = Recorder.run(ChunkerOptions.of(1, 0), flv);
        assertEquals(2, r.tags.size());
        assertEquals(40, r.starts.get(0).dts());
        assertArrayEquals(TestStream.AAC_FRAME, Independent.body(r.tags.get(1).bytes()));
        List<FlvTag> init = FlvReader.readAll(r.inits.get(0));
        assertEquals(List.of(FlvTag.VIDEO, FlvTag.AUDIO), init.stream().map(FlvTag::type).toList(), "video config, then audio config");
        assertArrayEquals(TestStream.AAC_CONFIG, init.get(1).body());
    }

    @Test
    void configChangeUpdatesInitAndIsForwardedInBand() {
        byte[] otherConfig = TestStream.avcConfig(4);
        otherConfig[7] = 0x4D; // another profile
        byte[] flv = new TestStream(false, true)
                .video(0, TestStream.avcConfig(4))
                .video(0, TestStream.avcFrame(true, 0, 4, TestStream.IDR))
                .video(500, TestStream.avcConfig(4))                 // identical repeat: in-band only
                .video(1000, otherConfig)                            // change: new init + in-band
                .video(1000, TestStream.avcFrame(true, 0, 4, TestStream.IDR))
                .bytes();
        Recorder r = Recorder.run(ChunkerOptions.of(1, 0), flv);
        assertEquals(2, r.inits.size());
        assertArrayEquals(otherConfig, FlvReader.readAll(r.inits.get(1)).get(0).body());
        assertEquals(List.of(FlvTag.VIDEO, FlvTag.VIDEO, FlvTag.VIDEO, FlvTag.VIDEO),
                r.tags.stream().map(Recorder.Tag::type).toList());
        assertArrayEquals(otherConfig, Independent.body(r.tags.get(2).bytes()));
        assertEquals(2, r.starts.size());
        assertEquals(3, r.starts.get(1).tagIndex(), "the sequence header ends chunk 0, the keyframe starts chunk 1");
    }

    @Test
    void metadataAndAudioConfigChangesUpdateInitAndGoInBand() {
        byte[] meta1 = TestStream.script("onMetaData", 1);
        byte[] meta2 = TestStream.script("onMetaData", 2);
        byte[] aac2 = {(byte) 0xAF, 0, 0x11, (byte) 0x90}; // AAC-LC 48 kHz mono
        byte[] flv = new TestStream(true, true)
                .tag(FlvTag.SCRIPT, 0, TestStream.script("onTextData", 0))  // before the first chunk: dropped
                .tag(FlvTag.SCRIPT, 0, meta1)
                .video(0, TestStream.avcConfig(4))
                .audio(0, TestStream.AAC_CONFIG)
                .video(0, TestStream.avcFrame(true, 0, 4, TestStream.IDR))
                .tag(FlvTag.SCRIPT, 10, TestStream.script("onTextData", 0)) // in a chunk: forwarded
                .tag(FlvTag.SCRIPT, 20, meta1)                              // same metadata: in-band only
                .tag(FlvTag.SCRIPT, 30, meta2)                              // changed: new init + in-band
                .audio(40, aac2)                                            // changed: new init + in-band
                .bytes();
        Recorder r = Recorder.run(ChunkerOptions.of(1, 0), flv);
        assertEquals(3, r.inits.size());
        List<FlvTag> first = FlvReader.readAll(r.inits.get(0));
        assertEquals(List.of(FlvTag.SCRIPT, FlvTag.VIDEO, FlvTag.AUDIO), first.stream().map(FlvTag::type).toList());
        assertArrayEquals(meta1, first.get(0).body());
        assertArrayEquals(meta2, FlvReader.readAll(r.inits.get(1)).get(0).body());
        List<FlvTag> last = FlvReader.readAll(r.inits.get(2));
        assertArrayEquals(meta2, last.get(0).body());
        assertArrayEquals(aac2, last.get(2).body());
        assertEquals(List.of(FlvTag.VIDEO, FlvTag.SCRIPT, FlvTag.SCRIPT, FlvTag.SCRIPT, FlvTag.AUDIO),
                r.tags.stream().map(Recorder.Tag::type).toList());
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L), r.tags.stream().map(Recorder.Tag::timestamp).toList());
    }

    @Test
    void audioOnlyStreamIsCutByDurationWithoutMarkers() {
        TestStream s = new TestStream(true, false).audio(0, TestStream.AAC_CONFIG);
        for (int ts = 0; ts <= 3000; ts += 23) {
            s.audio(ts, TestStream.AAC_FRAME);
        }
        Recorder r = Recorder.run(ChunkerOptions.of(1, 0), s.bytes());
        // frames every 23 ms up to 2990: cuts at 0, 1012, 2024 (the next would be >= 3024)
        assertEquals(3, r.starts.size(), r.starts.toString());
        assertEquals(0, r.starts.get(0).dts());
        for (int i = 1; i < r.starts.size(); i++) {
            assertTrue(r.starts.get(i).dts() >= r.starts.get(i - 1).dts() + 1000);
            assertTrue(r.starts.get(i).dts() < r.starts.get(i - 1).dts() + 1000 + 23);
        }
        r.tags.forEach(t -> assertArrayEquals(TestStream.AAC_FRAME, Independent.body(t.bytes())));
        assertEquals(0x04, r.inits.get(0)[4], "audio flag only");
    }

    @Test
    void announcedVideoThatNeverComesFallsBackToAudioOnly() {
        TestStream s = new TestStream(true, true).audio(0, TestStream.AAC_CONFIG);
        for (int ts = 0; ts <= 7000; ts += 100) {
            s.audio(ts, TestStream.AAC_FRAME);
        }
        Recorder r = Recorder.run(ChunkerOptions.of(1, 0), s.bytes());
        assertEquals(FlvChunker.VIDEO_WAIT_MILLIS, r.starts.get(0).dts(), "audio waited for video this long");
        assertEquals(3, r.starts.size());
    }

    @Test
    void malformedInputsAreClearErrors() {
        FlvChunker c = new FlvChunker(ChunkerOptions.of(1, 0), new Recorder());
        FlvFormatException e = assertThrows(FlvFormatException.class,
                () -> c.feed(ByteBuffer.wrap("<html>".getBytes())));
        assertTrue(e.getMessage().contains("not an FLV stream"));
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> c.feed(ByteBuffer.wrap(new byte[] {1})));
        assertTrue(again.getMessage().contains("earlier error"));

        byte[] flv = Fixtures.read(Fixtures.TINY);
        FlvChunker t = new FlvChunker(ChunkerOptions.of(1, 0), new Recorder());
        t.feed(ByteBuffer.wrap(flv, 0, flv.length - 1));
        assertTrue(assertThrows(FlvFormatException.class, t::end).getMessage().contains("truncated"));

        byte[] broken = new TestStream(false, true)
                .video(0, TestStream.avcConfig(4))
                .video(0, new byte[] {0x17, 1, 0, 0, 0, 0, 0, 0, 50, 0x65}) // NAL length 50 in 1 byte
                .bytes();
        Recorder beforeError = new Recorder();
        FlvChunker b = new FlvChunker(ChunkerOptions.of(1, 0), beforeError);
        FlvFormatException nal = assertThrows(FlvFormatException.class, () -> b.feed(ByteBuffer.wrap(broken)));
        assertTrue(nal.getMessage().contains("NAL unit of length 50"), nal.getMessage());
        assertTrue(beforeError.starts.isEmpty(), "no chunk announced for a frame that could not be marked");
    }

    /**
     * Issue 10: the NAL lengths of inter frames were not checked; 0x7ffffffe made the marker
     * search allocate about 2 GiB, 0x7fffffff threw ArrayIndexOutOfBounds (the sum overflowed).
     */
    @ParameterizedTest(name = "inter frame NAL length 0x{0}, type {1}")
    @CsvSource({"7ffffffe,6", "7fffffff,6", "7fffffff,1", "fffffffe,1", "7ffffffb,6", "0,1", "6,1"})
    void interFrameNalLengthsAreCheckedBeforeUse(String hexLength, int nalType) {
        long length = Long.parseLong(hexLength, 16);
        byte[] evil = {0x27, 1, 0, 0, 0, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8),
            (byte) length, (byte) nalType, 0x05, 0x10, 0x01, 0x02};
        TestStream s = new TestStream(false, true)
                .video(0, TestStream.avcConfig(4))
                .video(0, TestStream.avcFrame(true, 0, 4, TestStream.IDR))
                .video(40, TestStream.avcFrame(false, 0, 4, TestStream.NON_IDR));
        int offset = s.bytes().length;
        byte[] flv = s.video(80, evil).bytes();
        Recorder r = new Recorder();
        FlvChunker c = new FlvChunker(ChunkerOptions.of(1, 0), r);
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> c.feed(ByteBuffer.wrap(flv)));
        assertTrue(e.getMessage().contains("video tag at offset " + offset), e.getMessage());
        assertTrue(e.getMessage().contains("NAL unit of length " + length), e.getMessage());
        assertEquals(2, r.tags.size(), "the frames before the bad one went out");
    }

    @ParameterizedTest(name = "AVC record {0}")
    @ValueSource(strings = {
        "01 42 c0 1e ff",                    // ends before the SPS count
        "01 42 c0 1e ff e1 00",              // SPS length cut
        "01 42 c0 1e ff e1 7f ff 67",        // SPS of 32767 bytes in a 9-byte record
        "01 42 c0 1e ff e1 00 01 67 01 ff ff" // PPS of 65535 bytes
    })
    void sequenceHeadersAreCheckedAgainstWhatRemains(String record) {
        byte[] rec = java.util.HexFormat.ofDelimiter(" ").parseHex(record);
        byte[] body = new byte[5 + rec.length];
        body[0] = 0x17;
        System.arraycopy(rec, 0, body, 5, rec.length);
        byte[] flv = new TestStream(false, true).video(0, body).bytes();
        FlvChunker c = new FlvChunker(ChunkerOptions.of(1, 0), new Recorder());
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> c.feed(ByteBuffer.wrap(flv)));
        assertTrue(e.getMessage().contains("video tag at offset 13") && e.getMessage().contains("remain"),
                e.getMessage());
    }

    @Test
    void configuredLimitsBoundTagsAndConfiguration() {
        FlvLimits limits = new FlvLimits(FlvLimits.MIN_MAX_TAG_BYTES, FlvLimits.MIN_MAX_CONFIG_BYTES);
        byte[] bigMeta = new byte[2000];
        System.arraycopy(TestStream.script("onMetaData", 1), 0, bigMeta, 0, TestStream.script("onMetaData", 1).length);
        byte[] meta = new TestStream(false, true).tag(18, 0, bigMeta).bytes();
        FlvFormatException e = assertThrows(FlvFormatException.class,
                () -> new FlvChunker(ChunkerOptions.of(1, 0), new Recorder(), limits).feed(ByteBuffer.wrap(meta)));
        assertTrue(e.getMessage().contains("xp2p.relay.maxConfigBytes"), e.getMessage());

        byte[] big = new TestStream(false, true).video(0, new byte[FlvLimits.MIN_MAX_TAG_BYTES + 1]).bytes();
        FlvChunker c = new FlvChunker(ChunkerOptions.of(1, 0), new Recorder(), limits);
        // refused on its 11-byte header, before the body is buffered
        e = assertThrows(FlvFormatException.class, () -> c.feed(ByteBuffer.wrap(big, 0, 13 + 11)));
        assertTrue(e.getMessage().contains("above the limit of " + FlvLimits.MIN_MAX_TAG_BYTES), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new FlvLimits(1000, 1000));
        assertThrows(IllegalArgumentException.class, () -> new FlvLimits(1 << 20, 2 << 20));
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkerOptions(1, -1, 0, 1000));
        assertThrows(IllegalArgumentException.class, () -> new ChunkerOptions(1, 0, -5, 1000));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ChunkerOptions(1, 0, 0, 10))
                .getMessage().contains("targetChunkMillis"));
        assertFalse(new ChunkerOptions(1, 0, 0, 1000).equals(null));
    }

    /** NAL length size from the video sequence header in an init segment. */
    static int lengthSize(byte[] init) {
        for (FlvTag t : FlvReader.readAll(init)) {
            if (t.type() == FlvTag.VIDEO) {
                VideoPacket p = VideoPacket.parse(t.body());
                return VideoPacket.nalLengthSize(p.codec(), t.body(), p.dataOffset());
            }
        }
        throw new AssertionError("no video sequence header in init segment");
    }
}
