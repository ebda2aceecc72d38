package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xp2p.testkit.RealTools;

/**
 * What independent tools say about a relayed capture: ffprobe's streams, packets and frame side
 * data, ffmpeg's decoder errors and its showinfo view of the SEI payloads, flvmeta's structural
 * check. Each method asserts or returns exactly what the tool printed, nothing interpreted by
 * the plugin's own code.
 */
final class RealChecks {
    /** showinfo's rendering of our UUID, ASCII "xp2p-chunk-sei-1". */
    static final String XP2P_UUID = "78703270-2d63-6875-6e6b-2d7365692d31";
    private static final Pattern SHOWINFO_PREFIX = Pattern.compile("(?m)^\\[Parsed_showinfo_0 @ 0x[0-9a-f]+\\] ?");
    private static final Pattern FRAME_LINE = Pattern.compile("^\\s*n:\\s*(\\d+)\\s+pts:\\s*(-?\\d+)\\s");

    final String ffmpeg = RealTools.require("ffmpeg").toString();
    final String ffprobe = RealTools.require("ffprobe").toString();

    /** A finished tool run. */
    record Ran(int exit, String output) {
    }

    /** A marker payload as ffmpeg's decoder extracted it from a frame. */
    record Decoded(int frame, long pts, int version, long epoch, long seq, boolean keyframe, long dts) {
    }

    /** Runs a command to completion within {@code timeoutSeconds}, stdout and stderr merged. */
    static Ran run(long timeoutSeconds, Path log, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                fail("command did not finish in " + timeoutSeconds + " s: " + String.join(" ", command));
            }
        } finally {
            p.destroyForcibly();
        }
        return new Ran(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private final Path dir;
    private int runs;

    RealChecks(Path dir) {
        this.dir = dir;
    }

    private String tool(String... command) throws IOException, InterruptedException {
        Ran r = run(120, dir.resolve("tool-" + (++runs) + ".log"), command);
        if (r.exit != 0) {
            fail(String.join(" ", command) + " exited " + r.exit + ": " + abbreviate(r.output));
        }
        return r.output;
    }

    /** Codec names of all streams ffprobe finds, sorted. */
    List<String> codecs(Path file) throws IOException, InterruptedException {
        return tool(ffprobe, "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", file.toString())
                .lines().map(String::trim).filter(s -> !s.isEmpty()).sorted().toList();
    }

    /** ffmpeg decodes every stream of the file and prints no error at all. */
    void decodesCleanly(Path file, String... inputFormat) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-v", "error"));
        cmd.addAll(List.of(inputFormat));
        cmd.addAll(List.of("-i", file.toString(), "-f", "null", "-"));
        assertEquals("", tool(cmd.toArray(String[]::new)), "ffmpeg decodes " + file.getFileName() + " without any error");
    }

    /** Per stream ("v", "a"): DTS of every packet ffprobe demuxes never goes backwards; returns the counts. */
    int dtsNeverGoesBackwards(Path file, String stream) throws IOException, InterruptedException {
        String dts = tool(ffprobe, "-v", "error", "-select_streams", stream, "-show_entries", "packet=dts",
                "-of", "csv=p=0", file.toString());
        List<Long> values = dts.lines().map(String::trim).filter(s -> !s.isEmpty() && !s.equals("N/A"))
                .map(Long::parseLong).toList();
        for (int i = 1; i < values.size(); i++) {
            assertTrue(values.get(i) >= values.get(i - 1),
                    stream + " DTS goes backwards at packet " + i + ": " + values.get(i - 1) + " -> " + values.get(i));
        }
        return values.size();
    }

    /** Presentation timestamps of the video frames ffprobe reports with user-data-unregistered SEI side data. */
    List<Long> framesWithUserDataSei(Path file, String... inputFormat) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ffprobe, "-v", "error"));
        cmd.addAll(List.of(inputFormat));
        cmd.addAll(List.of("-select_streams", "v", "-show_frames", "-show_entries",
                "frame=pts:frame_side_data=side_data_type", "-of", "compact", file.toString()));
        List<Long> out = new ArrayList<>();
        Pattern pts = Pattern.compile("\\|pts=(-?\\d+)");
        for (String line : tool(cmd.toArray(String[]::new)).lines().toList()) {
            if (line.startsWith("frame|") && line.contains("User Data Unregistered")) {
                Matcher m = pts.matcher(line);
                out.add(m.find() ? Long.parseLong(m.group(1)) : Long.MIN_VALUE);
            }
        }
        return out;
    }

    /**
     * The xp2p markers ffmpeg's decoder hands to the showinfo filter, in output (presentation)
     * order, with the frame's index and pts; {@code -copyts} keeps the file's own timestamps.
     */
    List<Decoded> decodedMarkers(Path file, String... inputFormat) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-v", "info", "-copyts"));
        cmd.addAll(List.of(inputFormat));
        cmd.addAll(List.of("-i", file.toString(), "-vf", "showinfo", "-f", "null", "-"));
        String info = SHOWINFO_PREFIX.matcher(tool(cmd.toArray(String[]::new))).replaceAll("");
        List<Decoded> out = new ArrayList<>();
        int frame = -1;
        long pts = 0;
        boolean ours = false;
        for (String line : info.lines().toList()) {
            Matcher f = FRAME_LINE.matcher(line);
            if (f.find()) {
                frame = Integer.parseInt(f.group(1));
                pts = Long.parseLong(f.group(2));
                ours = false;
            } else if (line.startsWith("UUID=")) {
                ours = line.trim().equals("UUID=" + XP2P_UUID);
            } else if (ours && line.startsWith("User Data=")) {
                byte[] b = HexFormat.of().parseHex(line.substring("User Data=".length()).trim());
                ByteBuffer body = ByteBuffer.wrap(b);
                out.add(new Decoded(frame, pts, body.get(0) & 0xff, body.getLong(1), body.getLong(9),
                        (body.get(17) & 1) != 0, body.getLong(18)));
                ours = false;
            }
        }
        return out;
    }

    /** flvmeta finds the FLV structure sound: zero errors. */
    void flvmetaFindsNoErrors(Path file) throws IOException, InterruptedException {
        String flvmeta = RealTools.require("flvmeta").toString();
        Ran r = run(60, dir.resolve("flvmeta-" + (++runs) + ".log"), flvmeta, "--check", file.toString());
        assertTrue(Pattern.compile("(?m)^0 error\\(s\\)").matcher(r.output).find(), "flvmeta --check: " + abbreviate(r.output));
    }

    static String abbreviate(String s) {
        return s.length() <= 4000 ? s : s.substring(0, 2000) + "\n...\n" + s.substring(s.length() - 2000);
    }
}
