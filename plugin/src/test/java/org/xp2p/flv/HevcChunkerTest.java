package org.xp2p.flv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HEVC in legacy (CodecID 12) and Enhanced ({@code hvc1}) FLV, from the x265 fixture. */
class HevcChunkerTest {
    @ParameterizedTest
    @ValueSource(strings = {Fixtures.HEVC_LEGACY, Fixtures.HEVC_ENHANCED})
    void keyframeChunksCarryAnHevcPrefixSeiBeforeTheFirstSlice(String fixture) {
        byte[] flv = Fixtures.read(fixture);
        Recorder r = Recorder.run(new ChunkerOptions(77, 1, 0, 1000), flv);
        // 2 s at 25 fps, keyframe every 25 frames, 1 s target: two chunks, both on keyframes
        assertEquals(2, r.starts.size(), r.starts.toString());
        assertEquals(50, r.tags.size());
        for (int i = 0; i < r.starts.size(); i++) {
            Recorder.Start s = r.starts.get(i);
            assertTrue(s.keyframe());
            assertEquals(i * 1000, s.dts());
            byte[] first = r.tags.get(s.tagIndex()).bytes();
            Independent.Found f = Independent.marker(first, 4);
            assertNotNull(f);
            assertEquals(1 + i, f.seq());
            assertEquals(77, f.epoch());
            assertEquals(f.firstVclIndex() - 1, f.nalIndex(), "right before the first slice");
            List<Independent.Nal> nals = Independent.nals(Independent.body(first), nalOffset(first), 4, true);
            assertEquals(39, nals.get(f.nalIndex()).type(), "PREFIX_SEI_NUT");
            assertEquals(0x4E, nals.get(f.nalIndex()).raw()[0]);
            assertEquals(0x01, nals.get(f.nalIndex()).raw()[1]);
            if (i == 0) {
                // the first access unit carries VPS, SPS, PPS: the marker follows them
                assertEquals(List.of(32, 33, 34), nals.subList(0, 3).stream().map(Independent.Nal::type).toList());
            }
        }
        for (int i = 0; i < r.tags.size(); i++) {
            final int index = i;
            if (r.starts.stream().noneMatch(s -> s.tagIndex() == index)) {
                assertNull(Independent.marker(r.tags.get(i).bytes(), 4));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.HEVC_LEGACY, Fixtures.HEVC_ENHANCED})
    void annexBOfTheMarkedStreamIsTheOriginalPlusMarkers(String fixture) {
        byte[] flv = Fixtures.read(fixture);
        Recorder r = Recorder.run(ChunkerOptions.of(5, 0), flv);
        java.io.ByteArrayOutputStream marked = new java.io.ByteArrayOutputStream();
        marked.writeBytes(r.inits.get(0));
        r.tags.forEach(t -> marked.writeBytes(t.bytes()));
        List<byte[]> got = FixtureMuxer.nals(AnnexB.convert(FlvReader.readAll(marked.toByteArray())));
        List<byte[]> original = FixtureMuxer.nals(Fixtures.read("hevc-320x180.hevc"));
        List<byte[]> withoutMarkers = got.stream()
                .filter(n -> SeiMarker.parseNal(VideoPacket.Codec.HEVC, n, 0, n.length).isEmpty()).toList();
        assertEquals(r.starts.size(), got.size() - withoutMarkers.size(), "one marker per chunk");
        // every slice arrives unchanged and in order (AnnexB repeats parameter sets before keyframes)
        List<byte[]> slices = withoutMarkers.stream().filter(n -> FixtureMuxer.type(n) < 32).toList();
        assertEquals(original.stream().filter(n -> FixtureMuxer.type(n) == 39).count(),
                withoutMarkers.stream().filter(n -> FixtureMuxer.type(n) == 39).count(), "the encoder's own SEI kept, no stray SEI");
        List<byte[]> originalSlices = original.stream().filter(n -> FixtureMuxer.type(n) < 32).toList();
        assertEquals(originalSlices.size(), slices.size());
        for (int i = 0; i < slices.size(); i++) {
            assertArrayEquals(originalSlices.get(i), slices.get(i), "slice " + i);
        }
    }

    private static int nalOffset(byte[] tag) {
        int b0 = tag[11] & 0xFF;
        return (b0 & 0x80) != 0 && (b0 & 0x0F) == 3 ? 5 : (b0 & 0x80) != 0 ? 8 : 5;
    }
}
