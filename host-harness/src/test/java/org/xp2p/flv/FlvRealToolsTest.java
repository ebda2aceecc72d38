package org.xp2p.flv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xp2p.testkit.RealTools;

/**
 * The chunker's output judged by real tools: ffprobe/ffmpeg must demux and decode it without a
 * single complaint, the decoder must surface our SEI on exactly the chunk-start frames, and
 * flvmeta must find the FLV structure sound.
 */
@Tag("real")
class FlvRealToolsTest {
    private static final Path FIXTURES = Path.of("..", "plugin", "src", "test", "resources", "fixtures");
    private static final Pattern USER_DATA = Pattern.compile("UUID=78703270-2d63-6875-6e6b-2d7365692d31\\s*\\n.*User Data=([0-9a-f]+)");
    private static final long EPOCH = 1_700_000_000_000L;

    @TempDir
    Path dir;

    /** Runs the chunker over a fixture, keeping the chunk starts and the playable output. */
    private static final class Output implements ChunkSink {
        final List<Long> seqs = new ArrayList<>();
        final ByteArrayOutputStream tags = new ByteArrayOutputStream();
        byte[] firstInit;

        @Override
        public void initSegment(byte[] init) {
            if (firstInit == null) {
                firstInit = init;
            }
        }

        @Override
        public void chunkStart(long seq, boolean keyframe, long dtsMillis) {
            seqs.add(seq);
        }

        @Override
        public void tag(byte[] tag, int tagType, long timestampMillis) {
            tags.writeBytes(tag);
        }

        byte[] file() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(firstInit);
            out.writeBytes(tags.toByteArray());
            return out.toByteArray();
        }
    }

    private static Output chunk(String fixture, long firstSeq, long offset) throws Exception {
        Output o = new Output();
        FlvChunker c = new FlvChunker(new ChunkerOptions(EPOCH, firstSeq, offset, 1000), o);
        c.feed(ByteBuffer.wrap(Files.readAllBytes(FIXTURES.resolve(fixture))));
        c.end();
        return o;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h264-aac-short-gop.flv", "h264-aac-long-gop.flv"})
    void h264OutputPlaysCleanlyAndDecoderSeesEveryMarker(String fixture) throws Exception {
        String ffprobe = RealTools.require("ffprobe").toString();
        String ffmpeg = RealTools.require("ffmpeg").toString();
        String flvmeta = RealTools.require("flvmeta").toString();
        Output o = chunk(fixture, 41, (1L << 24) + 5); // extended timestamps throughout
        Path file = dir.resolve("out.flv");
        Files.write(file, o.file());

        String codecs = RealTools.run(60, ffprobe, "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                file.toString());
        assertEquals(List.of("aac", "h264"), codecs.lines().map(String::trim).sorted().toList(), codecs);

        assertEquals("", RealTools.run(120, ffmpeg, "-nostdin", "-v", "error", "-i", file.toString(), "-f", "null", "-"),
                "ffmpeg decodes without any error");

        for (String stream : List.of("v", "a")) {
            String dts = RealTools.run(60, ffprobe, "-v", "error", "-select_streams", stream, "-show_entries", "packet=dts",
                    "-of", "csv=p=0", file.toString());
            List<Long> values = dts.lines().map(String::trim).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
            assertTrue(values.size() > 50, stream + " packets: " + values.size());
            assertTrue(values.get(0) >= (1L << 24), "rebased timestamps read back: " + values.get(0));
            for (int i = 1; i < values.size(); i++) {
                assertTrue(values.get(i) >= values.get(i - 1), stream + " DTS goes backwards at packet " + i + ": " + dts);
            }
        }

        String sideData = RealTools.run(120, ffprobe, "-v", "error", "-select_streams", "v", "-show_frames",
                "-show_entries", "frame=key_frame:frame_side_data=side_data_type", "-of", "compact", file.toString());
        long framesWithSei = sideData.lines().filter(l -> l.startsWith("frame|") && l.contains("User Data Unregistered")).count();
        assertTrue(framesWithSei >= o.seqs.size(), "frames with user data SEI: " + framesWithSei);

        // showinfo prints the UUID and the payload the decoder extracted: one marker per chunk, in order
        String info = RealTools.run(120, ffmpeg, "-nostdin", "-v", "info", "-i", file.toString(), "-vf", "showinfo",
                "-f", "null", "-");
        List<Long> decodedSeqs = new ArrayList<>();
        Matcher m = USER_DATA.matcher(info.replaceAll("\\[Parsed_showinfo_0 @ 0x[0-9a-f]+\\] ", ""));
        while (m.find()) {
            byte[] body = HexFormat.of().parseHex(m.group(1));
            assertEquals(1, body[0], "version");
            assertEquals(EPOCH, ByteBuffer.wrap(body, 1, 8).getLong());
            decodedSeqs.add(ByteBuffer.wrap(body, 9, 8).getLong());
        }
        // the decoder outputs in presentation order; each marker appears once
        assertEquals(o.seqs, decodedSeqs.stream().sorted().toList(), info.length() > 4000 ? "" : info);

        String check = RealTools.run(60, flvmeta, "--check", file.toString());
        assertTrue(check.contains("0 error(s)"), check);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hevc-legacy.flv", "hevc-enhanced.flv"})
    void hevcMarkersSurviveToTheDecoder(String fixture) throws Exception {
        String ffprobe = RealTools.require("ffprobe").toString();
        String ffmpeg = RealTools.require("ffmpeg").toString();
        Output o = chunk(fixture, 0, 0);
        Path hevc = dir.resolve("out.hevc");
        Files.write(hevc, AnnexB.convert(FlvReader.readAll(o.file())));

        assertEquals("", RealTools.run(120, ffmpeg, "-nostdin", "-v", "error", "-f", "hevc", "-i", hevc.toString(),
                "-f", "null", "-"), "HEVC with markers decodes without any error");
        String frames = RealTools.run(60, ffprobe, "-v", "error", "-count_frames", "-show_entries",
                "stream=codec_name,nb_read_frames", "-of", "csv=p=0", hevc.toString());
        assertEquals("hevc,50", frames.trim());

        String info = RealTools.run(120, ffmpeg, "-nostdin", "-v", "info", "-f", "hevc", "-i", hevc.toString(),
                "-vf", "showinfo", "-f", "null", "-");
        List<Long> decodedSeqs = new ArrayList<>();
        Matcher m = USER_DATA.matcher(info.replaceAll("\\[Parsed_showinfo_0 @ 0x[0-9a-f]+\\] ", ""));
        while (m.find()) {
            decodedSeqs.add(ByteBuffer.wrap(HexFormat.of().parseHex(m.group(1)), 9, 8).getLong());
        }
        assertEquals(o.seqs, decodedSeqs);
        assertEquals(List.of(0L, 1L), o.seqs);
    }

    @Test
    void markedAnnexBOfH264AlsoDecodes() throws Exception {
        String ffmpeg = RealTools.require("ffmpeg").toString();
        Output o = chunk("h264-aac-short-gop.flv", 0, 0);
        Path h264 = dir.resolve("out.h264");
        Files.write(h264, AnnexB.convert(FlvReader.readAll(o.file())));
        assertEquals("", RealTools.run(120, ffmpeg, "-nostdin", "-v", "error", "-f", "h264", "-i", h264.toString(),
                "-f", "null", "-"));
    }
}
