package org.xp2p.flv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SeiMarkerTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    /** The worked example of docs/PROTOCOL.md section 3, byte for byte. */
    @Test
    void workedExampleMatchesProtocolDoc() {
        ChunkMark mark = new ChunkMark(1, 1_700_000_000_000L, 7, true, 40);
        assertEquals("06 05 2a 78 70 32 70 2d 63 68 75 6e 6b 2d 73 65 69 2d 31 01 00 00 03 01 8b cf e5 68 00 00 03 00 00"
                + " 03 00 00 03 00 00 07 01 00 00 03 00 00 03 00 00 03 00 28 80",
                HEX.formatHex(SeiMarker.build(VideoPacket.Codec.AVC, mark)));
        assertEquals("4e 01 05 2a 78 70 32 70 2d 63 68 75 6e 6b 2d 73 65 69 2d 31 01 00 00 03 01 8b cf e5 68 00 00 03 00"
                + " 00 03 00 00 03 00 00 07 01 00 00 03 00 00 03 00 00 03 00 28 80",
                HEX.formatHex(SeiMarker.build(VideoPacket.Codec.HEVC, mark)));
        // unescaped payload: UUID, version, epoch, seq, flags, dts
        assertEquals("78 70 32 70 2d 63 68 75 6e 6b 2d 73 65 69 2d 31 01 00 00 01 8b cf e5 68 00 00 00 00 00 00 00 00 07"
                + " 01 00 00 00 00 00 00 00 28", HEX.formatHex(SeiMarker.payload(mark)));
    }

    /**
     * Values whose big-endian bytes hold 00 00 00, 00 00 01, 00 00 02 and 00 00 03 runs: each must
     * come out escaped, and read back unchanged (by the library and by the independent parser).
     */
    @ParameterizedTest
    @CsvSource({
        "0, 0, 0",
        "1, 2, 3",
        "3, 65536, 131072",
        "196608, 16777216, 50331648",
        "-1, 9223372036854775807, -9223372036854775808",
        "4294967296, 1099511627776, 258",
        "281474976710656, 3, 1",
    })
    void emulationPreventionRoundTrip(long epoch, long seq, long dts) {
        for (VideoPacket.Codec codec : new VideoPacket.Codec[] {VideoPacket.Codec.AVC, VideoPacket.Codec.HEVC}) {
            ChunkMark mark = new ChunkMark(1, epoch, seq, seq % 2 == 0, dts);
            byte[] nal = SeiMarker.build(codec, mark);
            Independent.assertProperlyEscaped(nal);
            assertEquals(Optional.of(mark), SeiMarker.parseNal(codec, nal, 0, nal.length));
            int header = codec == VideoPacket.Codec.HEVC ? 2 : 1;
            byte[] rbsp = Independent.unescape(nal, header);
            assertEquals(2 + 42 + 1, rbsp.length);
            byte[] payload = java.util.Arrays.copyOfRange(rbsp, 2, 44);
            assertArrayEquals(SeiMarker.payload(mark), payload);
        }
    }

    @Test
    void escapingInsertsThreeOnlyBeforeLowBytes() {
        assertEquals("00 00 03 00", HEX.formatHex(Nal.escape(new byte[] {0, 0, 0}, 0)));
        assertEquals("00 00 03 01", HEX.formatHex(Nal.escape(new byte[] {0, 0, 1}, 0)));
        assertEquals("00 00 03 02", HEX.formatHex(Nal.escape(new byte[] {0, 0, 2}, 0)));
        assertEquals("00 00 03 03", HEX.formatHex(Nal.escape(new byte[] {0, 0, 3}, 0)));
        assertEquals("00 00 04", HEX.formatHex(Nal.escape(new byte[] {0, 0, 4}, 0)));
        assertEquals("00 00 03 00 00 03 00", HEX.formatHex(Nal.escape(new byte[] {0, 0, 0, 0, 0}, 0)));
        assertEquals("00 00 00", HEX.formatHex(Nal.escape(new byte[] {0, 0, 0}, 1)), "header bytes are not escaped");
        byte[] tricky = {0, 0, 3, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0};
        assertArrayEquals(tricky, Nal.unescape(Nal.escape(tricky, 0), 0, Nal.escape(tricky, 0).length));
    }

    @Test
    void insertGoesBeforeFirstSliceAfterParameterSets() {
        byte[] body = TestStream.avcFrame(true, 80, 4, TestStream.AUD, TestStream.SPS, TestStream.PPS, TestStream.IDR, TestStream.IDR);
        VideoPacket p = VideoPacket.parse(body);
        ChunkMark mark = new ChunkMark(1, 5, 6, true, 7);
        byte[] marked = SeiMarker.insert(body, p, 4, mark);
        byte[] tag = FlvTag.serialize(FlvTag.VIDEO, 7, marked, 0, marked.length);
        Independent.Found f = Independent.marker(tag, 4);
        assertEquals(3, f.nalIndex(), "after AUD, SPS, PPS");
        assertEquals(4, f.firstVclIndex(), "immediately before the IDR slice");
        assertEquals(Optional.of(mark), SeiMarker.find(tag));
        assertEquals(Optional.of(mark), SeiMarker.find(tag, 4));
        // the original NAL units are untouched and in order
        var nals = Independent.nals(marked, 5, 4, false);
        assertArrayEquals(TestStream.AUD, nals.get(0).raw());
        assertArrayEquals(TestStream.IDR, nals.get(4).raw());
        assertArrayEquals(TestStream.IDR, nals.get(5).raw());
        assertEquals(80, ((marked[2] & 0xFF) << 16) | ((marked[3] & 0xFF) << 8) | (marked[4] & 0xFF), "CTS kept");
    }

    @ParameterizedTest
    @CsvSource({"1", "2", "3", "4"})
    void everyNalLengthSize(int lengthSize) {
        byte[] body = TestStream.avcFrame(false, 0, lengthSize, TestStream.NON_IDR);
        ChunkMark mark = new ChunkMark(1, 9, 10, false, 11);
        byte[] marked = SeiMarker.insert(body, VideoPacket.parse(body), lengthSize, mark);
        byte[] tag = FlvTag.serialize(FlvTag.VIDEO, 11, marked, 0, marked.length);
        assertEquals(0, Independent.marker(tag, lengthSize).nalIndex());
        assertEquals(Optional.of(mark), SeiMarker.find(tag, lengthSize));
        assertEquals(Optional.of(mark), SeiMarker.find(tag));
    }

    @Test
    void malformedNalLengthIsAClearError() {
        byte[] body = TestStream.avcFrame(true, 0, 4, TestStream.IDR);
        body[8] = 99; // NAL length 99 in a 6-byte NAL
        FlvFormatException e = org.junit.jupiter.api.Assertions.assertThrows(FlvFormatException.class,
                () -> SeiMarker.insert(body, VideoPacket.parse(body), 4, new ChunkMark(1, 0, 0, true, 0)));
        assertTrue(e.getMessage().contains("NAL unit of length 99"), e.getMessage());
    }

    @Test
    void findIgnoresUnmarkedAndForeignSei() {
        byte[] foreignSei = {0x06, 0x05, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, (byte) 0x80};
        byte[] body = TestStream.avcFrame(true, 0, 4, foreignSei, TestStream.IDR);
        assertEquals(Optional.empty(), SeiMarker.find(FlvTag.serialize(FlvTag.VIDEO, 0, body, 0, body.length)));
        byte[] audio = FlvTag.serialize(FlvTag.AUDIO, 0, TestStream.AAC_FRAME, 0, TestStream.AAC_FRAME.length);
        assertEquals(Optional.empty(), SeiMarker.find(audio));
    }
}
