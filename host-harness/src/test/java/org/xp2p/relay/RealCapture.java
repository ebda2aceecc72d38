package org.xp2p.relay;

import org.xp2p.testkit.FlvStreamReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xp2p.flv.ChunkMark;
import org.xp2p.flv.SeiMarker;

/**
 * A bounded recording of a relayed http-flv stream, as a viewer receives it: the FLV header and
 * whole tags only (so the file is a valid FLV for the tools), cut when enough media arrived, and
 * bounded in wall time and bytes so a stalled relay fails the test instead of hanging it.
 */
final class RealCapture {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One video tag carrying an xp2p marker, with the timestamps the tools will report for it. */
    record Marked(ChunkMark mark, FlvStreamReader.Tag tag, long pts) {
    }

    final HttpHeaders headers;
    final byte[] header;
    final List<FlvStreamReader.Tag> tags;
    final long wallMillis;

    private RealCapture(HttpHeaders headers, byte[] header, List<FlvStreamReader.Tag> tags, long wallMillis) {
        this.headers = headers;
        this.header = header;
        this.tags = tags;
        this.wallMillis = wallMillis;
    }

    /**
     * Reads {@code uri} until the video timestamps span {@code mediaMillis}; fails after
     * {@code maxWall} or {@code maxBytes}, or when the stream ends or is not a 200 FLV response.
     */
    static RealCapture record(URI uri, long mediaMillis, Duration maxWall, long maxBytes) throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        InputStream body = response.body();
        if (response.statusCode() != 200) {
            String text;
            try (body) {
                text = new String(body.readNBytes(2000), StandardCharsets.UTF_8);
            }
            fail("GET " + uri + " answered " + response.statusCode() + ": " + text);
        }
        assertEquals("video/x-flv", response.headers().firstValue("content-type").orElse(""));
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        AtomicBoolean expired = new AtomicBoolean();
        long remaining = maxWall.toNanos() - (System.nanoTime() - start);
        ScheduledFuture<?> timer = watchdog.schedule(() -> {
            expired.set(true);
            try {
                body.close();
            } catch (IOException ignored) {
                // closing is how the blocked read gets released; nothing else to do
            }
        }, Math.max(remaining, 1), TimeUnit.NANOSECONDS);
        List<FlvStreamReader.Tag> tags = new ArrayList<>();
        long bytes = 13;
        long firstVideoTs = -1;
        try (FlvStreamReader reader = new FlvStreamReader(body)) {
            while (true) {
                FlvStreamReader.Tag t;
                try {
                    t = reader.next();
                } catch (IOException e) {
                    if (expired.get()) {
                        break;
                    }
                    throw e;
                }
                if (t == null) {
                    break;
                }
                tags.add(t);
                bytes += t.bytes().length;
                if (bytes > maxBytes) {
                    fail("capture of " + uri + " exceeded " + maxBytes + " bytes before " + mediaMillis + " ms of video");
                }
                if (t.isVideoFrame()) {
                    firstVideoTs = firstVideoTs < 0 ? t.timestamp() : firstVideoTs;
                    if (t.timestamp() - firstVideoTs >= mediaMillis) {
                        long wall = (System.nanoTime() - start) / 1_000_000;
                        return new RealCapture(response.headers(), reader.header(), List.copyOf(tags), wall);
                    }
                }
            }
            fail((expired.get() ? "capture timed out after " + maxWall.toMillis() + " ms" : "relayed stream ended")
                    + " with " + tags.size() + " tags, video span "
                    + (firstVideoTs < 0 ? "none" : (tags.get(tags.size() - 1).timestamp() - firstVideoTs) + " ms")
                    + ", wanted " + mediaMillis + " ms from " + uri);
            throw new AssertionError();
        } finally {
            timer.cancel(false);
            watchdog.shutdownNow();
            body.close();
        }
    }

    /** The capture as a playable FLV byte array: header, then every tag as received. */
    byte[] flv() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        for (FlvStreamReader.Tag t : tags) {
            out.writeBytes(t.bytes());
        }
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        return Files.write(file, flv());
    }

    /** Every marked video tag, in stream order, found by the codec's own SEI parser. */
    List<Marked> markers() {
        List<Marked> out = new ArrayList<>();
        for (FlvStreamReader.Tag t : tags) {
            Optional<ChunkMark> m = t.isVideo() ? SeiMarker.find(t.bytes()) : Optional.empty();
            m.ifPresent(mark -> out.add(new Marked(mark, t, t.timestamp() + compositionTime(t))));
        }
        return out;
    }

    /** Video frames (not sequence headers), in stream order. */
    List<FlvStreamReader.Tag> videoFrames() {
        return tags.stream().filter(FlvStreamReader.Tag::isVideoFrame).toList();
    }

    /**
     * The signed 24-bit composition time of a legacy AVC/HEVC frame tag (0 for enhanced frames
     * without one): what a demuxer adds to the tag timestamp to get the presentation time.
     */
    static long compositionTime(FlvStreamReader.Tag t) {
        int b = t.bodyByte(0);
        boolean enhanced = (b & 0x80) != 0;
        int at;
        if (!enhanced) {
            at = 2;
        } else if ((b & 0x0f) == 1) {
            at = 5; // PacketTypeCodedFrames: FourCC then SI24 composition time
        } else {
            return 0;
        }
        int v = (t.bodyByte(at) << 16) | (t.bodyByte(at + 1) << 8) | t.bodyByte(at + 2);
        return (v << 8) >> 8;
    }
}
