package org.xp2p.relay;

import org.xp2p.testkit.Poll;
import org.xp2p.testkit.FlvStreamReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xp2p.flv.AnnexB;
import org.xp2p.flv.FlvReader;
import org.xp2p.host.Host;
import org.xp2p.testkit.RealTools;
import org.xp2p.testkit.ReplayOrigin;

/**
 * The relayed stream judged by real tools (issue "live relay", section "Real components"): what
 * a viewer receives from the relay must demux and decode without a single complaint, keep its
 * timestamps monotonic, pass flvmeta, and carry the chunk markers all the way to the decoder,
 * on the frames where the relay says chunks start. Origins are a live ffmpeg encoder and the
 * real-time {@link ReplayOrigin} over recorded HEVC and long-GOP fixtures.
 */
@Tag("real")
class RelayRealToolsTest {
    private static final Path FIXTURES = Path.of("..", "plugin", "src", "test", "resources", "fixtures");
    private static final Duration MAX_CAPTURE = Duration.ofSeconds(20);
    private static final long MAX_CAPTURE_BYTES = 32L << 20;
    private static final long CHUNK_MILLIS = 1000;

    @TempDir
    Path data;
    @TempDir
    Path work;

    private Host host;
    private ReplayOrigin replay;
    private Process ffmpegOrigin;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        try {
            if (host != null) {
                host.stop();
            }
        } finally {
            if (replay != null) {
                replay.close();
            }
            if (ffmpegOrigin != null) {
                ffmpegOrigin.destroyForcibly();
                ffmpegOrigin.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private void startHost(URI origin) throws Exception {
        host = Host.builder().port(0)
                .setting("xp2p.data", data)
                .setting("xp2p.origin", origin)
                .settings(Map.of("xp2p.relay.chunkMillis", Long.toString(CHUNK_MILLIS)))
                .build().start();
    }

    private URI relayed(String path) {
        return URI.create(host.baseUri() + path);
    }

    private static byte[] fixture(String name) throws IOException {
        Path p = FIXTURES.resolve(name);
        assertTrue(Files.isReadable(p), "fixture " + p.toAbsolutePath() + " (tests run from the module directory)");
        return Files.readAllBytes(p);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls the stream's stats until it has closed at least {@code chunks} chunks. */
    private void awaitChunks(String streamId, int chunks, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Pattern field = Pattern.compile("\"chunks\":(\\d+)");
        Poll.await("stream " + streamId + " to close " + chunks + " chunks", timeout.toMillis(), () -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(relayed("/xp2p/streams?xresid=" + streamId))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = field.matcher(r.body());
            return r.statusCode() == 200 && m.find() && Long.parseLong(m.group(1)) >= chunks;
        });
    }

    /** Markers are numbered one after another within one epoch, the epoch the response announced. */
    private static void assertConsecutiveInOneEpoch(RealCapture c, List<RealCapture.Marked> marks) {
        long epoch = Long.parseLong(c.headers.firstValue("x-xp2p-epoch").orElse("-1"));
        for (int i = 0; i < marks.size(); i++) {
            assertEquals(epoch, marks.get(i).mark().epoch(), "marker " + i + " epoch");
            assertEquals(1, marks.get(i).mark().version(), "marker " + i + " version");
            assertEquals(marks.get(i).tag().timestamp(), marks.get(i).mark().dtsMillis(), "marker " + i + " dts");
            if (i > 0) {
                assertEquals(marks.get(i - 1).mark().seq() + 1, marks.get(i).mark().seq(), "chunk numbering at marker " + i);
            }
        }
    }

    /**
     * The decoder (ffmpeg, showinfo) sees exactly the markers the FLV tags carry, with the same
     * payload, on the frames with the same presentation time; ffprobe reports SEI side data on
     * every one of those frames.
     */
    private static void assertDecoderSeesEveryMarker(RealChecks tools, Path file, List<RealCapture.Marked> marks)
            throws Exception {
        List<RealChecks.Decoded> decoded = tools.decodedMarkers(file);
        List<RealChecks.Decoded> bySeq = decoded.stream().sorted(Comparator.comparingLong(RealChecks.Decoded::seq)).toList();
        assertEquals(marks.stream().map(m -> m.mark().seq()).toList(), bySeq.stream().map(RealChecks.Decoded::seq).toList(),
                "every chunk marker reaches the decoder exactly once");
        for (int i = 0; i < marks.size(); i++) {
            RealCapture.Marked m = marks.get(i);
            RealChecks.Decoded d = bySeq.get(i);
            assertEquals(m.pts(), d.pts(), "chunk " + m.mark().seq() + " marker decoded on the frame of its tag");
            assertEquals(m.mark().epoch(), d.epoch());
            assertEquals(m.mark().keyframe(), d.keyframe());
            assertEquals(m.mark().dtsMillis(), d.dts());
            assertEquals(1, d.version());
        }
        List<Long> seiFrames = tools.framesWithUserDataSei(file);
        for (RealCapture.Marked m : marks) {
            assertTrue(seiFrames.contains(m.pts()),
                    "ffprobe shows user data SEI on the chunk-start frame pts " + m.pts() + ": " + seiFrames);
        }
    }

    @Test
    void liveFfmpegOriginRelaysCleanlyWithMarkersForTheDecoder() throws Exception {
        String ffmpeg = RealTools.require("ffmpeg").toString();
        RealChecks tools = new RealChecks(work);
        int port = freeLoopbackPort();
        // a live camera: real-time H.264 (with B-frames) + AAC, one http-flv client, then it exits
        ffmpegOrigin = new ProcessBuilder(ffmpeg, "-nostdin", "-v", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
                "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-c:a", "aac",
                "-f", "flv", "-listen", "1", "http://127.0.0.1:" + port + "/live/cam.flv")
                .redirectErrorStream(true).redirectOutput(work.resolve("origin.log").toFile()).start();
        startHost(URI.create("http://127.0.0.1:" + port));

        Future<RealCapture> capture = pool.submit(() -> RealCapture.record(relayed("/live/cam.flv"), 8000, MAX_CAPTURE,
                MAX_CAPTURE_BYTES));
        awaitChunks("live/cam", 1, Duration.ofSeconds(15));
        // ffmpeg as a second viewer of the relay; the origin serves one client only, so this
        // also proves the relay pulls once and fans out
        RealChecks.Ran viewer = RealChecks.run(30, work.resolve("viewer.log"), ffmpeg, "-nostdin", "-v", "error",
                "-i", relayed("/live/cam.flv").toString(), "-t", "5", "-f", "null", "-");
        assertEquals(new RealChecks.Ran(0, ""), viewer, "ffmpeg watching the relay");

        RealCapture c = capture.get(30, TimeUnit.SECONDS);
        assertTrue(ffmpegOrigin.isAlive(), "the live origin still serves its single client (the relay): "
                + Files.readString(work.resolve("origin.log")));
        Path file = c.write(work.resolve("capture.flv"));

        assertEquals(List.of("aac", "h264"), tools.codecs(file));
        tools.decodesCleanly(file);
        assertTrue(tools.dtsNeverGoesBackwards(file, "v") >= 150, "video packets in 8 s");
        assertTrue(tools.dtsNeverGoesBackwards(file, "a") >= 150, "audio packets in 8 s");
        tools.flvmetaFindsNoErrors(file);

        List<RealCapture.Marked> marks = c.markers();
        assertTrue(marks.size() >= 7, "one chunk per 1 s GOP over 8 s: " + marks.size());
        assertConsecutiveInOneEpoch(c, marks);
        FlvStreamReader.Tag first = c.videoFrames().get(0);
        assertTrue(first.isKeyframe() && marks.get(0).tag() == first, "the stream starts on a marked keyframe");
        for (FlvStreamReader.Tag t : c.videoFrames()) {
            if (t.isKeyframe()) {
                assertTrue(marks.stream().anyMatch(m -> m.tag() == t && m.mark().keyframe()),
                        "a chunk starts at the keyframe at " + t.timestamp() + " ms");
            }
        }
        assertDecoderSeesEveryMarker(tools, file, marks);
        List<RealChecks.Decoded> inOutputOrder = tools.decodedMarkers(file);
        for (int i = 1; i < inOutputOrder.size(); i++) {
            assertTrue(inOutputOrder.get(i).seq() > inOutputOrder.get(i - 1).seq(), "sequence numbers increase: " + inOutputOrder);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hevc-enhanced.flv", "hevc-legacy.flv"})
    void hevcThroughTheRelayDecodesWithMarkersInOrder(String fixture) throws Exception {
        RealChecks tools = new RealChecks(work);
        replay = new ReplayOrigin(fixture(fixture), 0);
        startHost(replay.baseUri());
        // the recording is 2 s: this spans two loops of it
        RealCapture c = RealCapture.record(relayed("/live/hevc.flv"), 4500, MAX_CAPTURE, MAX_CAPTURE_BYTES);
        Path hevc = work.resolve("capture.hevc");
        Files.write(hevc, AnnexB.convert(FlvReader.readAll(c.flv())));

        List<FlvStreamReader.Tag> frames = c.videoFrames();
        boolean enhanced = fixture.contains("enhanced");
        for (FlvStreamReader.Tag t : frames) {
            assertEquals(enhanced, (t.bodyByte(0) & 0x80) != 0, "the relay keeps the origin's FLV video framing");
        }
        for (int i = 1; i < frames.size(); i++) {
            assertTrue(frames.get(i).timestamp() > frames.get(i - 1).timestamp(), "timestamps grow across the origin's loop");
        }
        tools.decodesCleanly(hevc, "-f", "hevc");
        String counted = RealChecks.run(60, work.resolve("count.log"), tools.ffprobe, "-v", "error", "-f", "hevc",
                "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", hevc.toString()).output();
        assertEquals("hevc," + frames.size(), counted.trim(), "every relayed frame decodes");

        List<RealCapture.Marked> marks = c.markers();
        assertTrue(marks.size() >= 4, "a chunk per 1 s GOP over 4.5 s: " + marks.size());
        assertConsecutiveInOneEpoch(c, marks);
        assertTrue(frames.get(0).isKeyframe() && marks.get(0).tag() == frames.get(0), "the stream starts on a marked keyframe");

        // no B-frames in these recordings: output order is stream order, so frame n is the n-th tag
        List<RealChecks.Decoded> decoded = tools.decodedMarkers(hevc, "-f", "hevc");
        assertEquals(marks.stream().map(m -> m.mark().seq()).toList(), decoded.stream().map(RealChecks.Decoded::seq).toList(),
                "the decoder sees every marker, in order");
        for (int i = 0; i < marks.size(); i++) {
            assertEquals(frames.indexOf(marks.get(i).tag()), decoded.get(i).frame(), "chunk " + decoded.get(i).seq() + " frame");
            assertEquals(marks.get(i).mark().keyframe(), decoded.get(i).keyframe());
            assertEquals(marks.get(i).mark().epoch(), decoded.get(i).epoch());
        }
        assertTrue(tools.framesWithUserDataSei(hevc, "-f", "hevc").size() >= marks.size(),
                "ffprobe reports user data SEI side data on at least every chunk start");
    }

    @Test
    void longGopIsCutAtKeyframesAndAtTargetDurationAndStillDecodes() throws Exception {
        RealChecks tools = new RealChecks(work);
        replay = new ReplayOrigin(fixture("h264-aac-long-gop.flv"), 0);
        startHost(replay.baseUri());
        Future<RealCapture> first = pool.submit(() -> RealCapture.record(relayed("/live/longgop.flv"), 7000, MAX_CAPTURE,
                MAX_CAPTURE_BYTES));
        // a second viewer joins inside the 5 s GOP, while a non-keyframe chunk is open
        awaitChunks("live/longgop", 2, Duration.ofSeconds(15));
        RealCapture joiner = RealCapture.record(relayed("/live/longgop.flv"), 3500, MAX_CAPTURE, MAX_CAPTURE_BYTES);
        RealCapture c = first.get(30, TimeUnit.SECONDS);
        Path file = c.write(work.resolve("capture.flv"));

        // the joiner is sent the GOP from its keyframe chunk on, then the live tags: exactly the
        // bytes the first viewer got, without a gap or a duplicate at the seam, and decodable
        assertTrue(joiner.markers().size() >= 3, "joined inside the GOP: " + joiner.markers().size() + " chunks");
        assertTrue(joiner.tags.size() <= c.tags.size(), "first viewer got more");
        for (int i = 0; i < joiner.tags.size(); i++) {
            assertTrue(Arrays.equals(c.tags.get(i).bytes(), joiner.tags.get(i).bytes()),
                    "joiner's tag " + i + " (ts " + joiner.tags.get(i).timestamp() + ") equals the first viewer's");
        }
        tools.decodesCleanly(joiner.write(work.resolve("joiner.flv")));

        List<RealCapture.Marked> marks = c.markers();
        assertConsecutiveInOneEpoch(c, marks);
        List<FlvStreamReader.Tag> frames = c.videoFrames();
        assertTrue(frames.get(0).isKeyframe() && marks.get(0).tag() == frames.get(0), "the stream starts on a marked keyframe");
        // the cutting rule, replayed independently over the frames as received: a chunk starts at
        // every keyframe, and inside a GOP at the first frame CHUNK_MILLIS after the chunk start
        long chunkStart = frames.get(0).timestamp();
        List<Boolean> expected = new ArrayList<>();
        List<Boolean> actual = new ArrayList<>();
        for (int i = 1; i < frames.size(); i++) {
            FlvStreamReader.Tag t = frames.get(i);
            boolean starts = t.isKeyframe() || t.timestamp() >= chunkStart + CHUNK_MILLIS;
            if (starts) {
                chunkStart = t.timestamp();
            }
            expected.add(starts);
            RealCapture.Marked m = marks.stream().filter(x -> x.tag() == t).findFirst().orElse(null);
            actual.add(m != null);
            if (m != null) {
                assertEquals(t.isKeyframe(), m.mark().keyframe(), "keyframe flag of chunk " + m.mark().seq());
            }
        }
        assertEquals(expected, actual, "chunk starts over the video frames");
        assertTrue(marks.stream().filter(m -> !m.mark().keyframe()).count() >= 3, "chunks cut inside the 5 s GOP");
        assertTrue(marks.stream().filter(m -> m.mark().keyframe()).count() >= 2, "chunks at both keyframes");

        assertEquals(List.of("aac", "h264"), tools.codecs(file));
        tools.decodesCleanly(file);
        assertTrue(tools.dtsNeverGoesBackwards(file, "v") >= 150, "video packets in 7 s");
        assertTrue(tools.dtsNeverGoesBackwards(file, "a") >= 150, "audio packets in 7 s");
        tools.flvmetaFindsNoErrors(file);
        assertDecoderSeesEveryMarker(tools, file, marks);
    }
}
