package org.xp2p.flv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlvReaderTest {
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {Fixtures.TINY, Fixtures.SHORT_GOP, Fixtures.LONG_GOP,
        Fixtures.DEMO, Fixtures.HEVC_LEGACY, Fixtures.HEVC_ENHANCED})
    void readsFixtureAndReserializesIdentically(String fixture) {
        byte[] flv = Fixtures.read(fixture);
        List<FlvTag> tags = FlvReader.readAll(flv);
        assertTrue(tags.size() >= 20, "tags: " + tags.size());
        // header (9) + PreviousTagSize0 (4) + every tag serialized back = the file, byte for byte
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(flv, 0, 13);
        tags.forEach(t -> out.writeBytes(t.serialize()));
        assertArrayEquals(flv, out.toByteArray());
        assertTrue(tags.stream().anyMatch(t -> t.type() == FlvTag.VIDEO));
    }

    @Test
    void everySplitGivesTheSameTags() {
        byte[] flv = Fixtures.read(Fixtures.TINY);
        List<FlvTag> whole = FlvReader.readAll(flv);
        for (int split = 0; split <= flv.length; split++) {
            List<FlvTag> got = new ArrayList<>();
            FlvReader r = new FlvReader(listener(got));
            r.feed(ByteBuffer.wrap(flv, 0, split));
            r.feed(ByteBuffer.wrap(flv, split, flv.length - split));
            r.end();
            assertEquals(whole.size(), got.size(), "split at " + split);
            for (int i = 0; i < whole.size(); i++) {
                assertEquals(whole.get(i).timestamp(), got.get(i).timestamp());
                assertArrayEquals(whole.get(i).body(), got.get(i).body(), "split at " + split + " tag " + i);
            }
        }
    }

    @Test
    void byteByByteFeeding() {
        byte[] flv = Fixtures.read(Fixtures.TINY);
        List<FlvTag> got = new ArrayList<>();
        FlvReader r = new FlvReader(listener(got));
        for (int i = 0; i < flv.length; i++) {
            r.feed(ByteBuffer.wrap(flv, i, 1));
        }
        r.end();
        assertEquals(FlvReader.readAll(flv).size(), got.size());
        assertEquals(flv.length, r.position());
    }

    @Test
    void extendedTimestampIsRead() {
        long ts = (1L << 24) + 12345; // needs the extended byte
        byte[] flv = new TestStream(true, false).audio(ts, TestStream.AAC_FRAME).bytes();
        assertEquals(0x01, flv[13 + 7], "extended timestamp byte");
        assertEquals(ts, FlvReader.readAll(flv).get(0).timestamp());
    }

    @Test
    void badSignature() {
        byte[] notFlv = "HTTP/1.1 404 Not Found\r\n".getBytes();
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> FlvReader.readAll(notFlv));
        assertTrue(e.getMessage().contains("not an FLV stream"), e.getMessage());
        assertTrue(e.getMessage().contains("48 54 54"), e.getMessage());
    }

    @Test
    void badSignatureDetectedOnFirstByte() {
        FlvReader r = new FlvReader(listener(new ArrayList<>()));
        assertThrows(FlvFormatException.class, () -> r.feed(ByteBuffer.wrap(new byte[] {'<'})));
    }

    @Test
    void truncatedTag() {
        byte[] flv = Fixtures.read(Fixtures.TINY);
        byte[] cut = java.util.Arrays.copyOf(flv, flv.length - 7);
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> FlvReader.readAll(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedHeader() {
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> FlvReader.readAll(new byte[] {'F', 'L', 'V', 1}));
        assertTrue(e.getMessage().contains("before the FLV header"), e.getMessage());
    }

    @Test
    void oversizedTag() {
        byte[] flv = new TestStream(false, true).video(0, TestStream.avcConfig(4)).bytes();
        flv[13 + 1] = (byte) 0xFF; // DataSize 0xFFxxxx: far above the 8 MiB limit
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> FlvReader.readAll(flv));
        assertTrue(e.getMessage().contains("above the limit"), e.getMessage());
    }

    @Test
    void wrongPreviousTagSize() {
        byte[] flv = new TestStream(false, true).video(0, TestStream.avcConfig(4)).bytes();
        flv[flv.length - 1]++;
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> FlvReader.readAll(flv));
        assertTrue(e.getMessage().contains("PreviousTagSize"), e.getMessage());
    }

    @Test
    void nonZeroStreamId() {
        byte[] flv = new TestStream(false, true).video(0, TestStream.avcConfig(4)).bytes();
        flv[13 + 10] = 1;
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> FlvReader.readAll(flv));
        assertTrue(e.getMessage().contains("StreamID 1"), e.getMessage());
    }

    @Test
    void encryptedTagsRefused() {
        byte[] flv = new TestStream(false, true).video(0, TestStream.avcConfig(4)).bytes();
        flv[13] |= 0x20;
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> FlvReader.readAll(flv));
        assertTrue(e.getMessage().contains("Filter"), e.getMessage());
    }

    @Test
    void unsupportedVersion() {
        byte[] flv = new TestStream(false, true).bytes();
        flv[3] = 2;
        FlvFormatException e = assertThrows(FlvFormatException.class, () -> FlvReader.readAll(flv));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    private static FlvReader.Listener listener(List<FlvTag> into) {
        return new FlvReader.Listener() {
            @Override
            public void header(FlvReader.FlvHeader header) {
            }

            @Override
            public void tag(FlvTag tag) {
                into.add(tag);
            }
        };
    }
}
