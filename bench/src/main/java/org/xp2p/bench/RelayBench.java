package org.xp2p.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.xp2p.testkit.FlvFile;
import org.xp2p.testkit.ReplayOrigin;

/**
 * The live-relay benchmark: one real-time ~2 Mbit/s stream, a server in its own process, and N
 * viewers from one NIO client; the same load against a peer server in the same run.
 *
 * <pre>java -cp bench/target/xp2p-bench.jar org.xp2p.bench.RelayBench [--viewers 300,1000,2000]
 *     [--seconds 10] [--settle 3] [--late 10] [--peer nms|nginx[,...]] [--server-jvm "..."]</pre>
 *
 * <p>Each server is started once and warmed up, then the audience is ramped through the given N
 * (ascending) without a restart: for each N, a settle period, then the measured window. Per N and
 * server it prints delivered vs expected bytes, viewers lagging more than 1 s behind the live edge
 * at any once-a-second sample, lag p50/p99 over those samples, server CPU (seconds and
 * microseconds per viewer-second delivered, i.e. per 1 s of stream bytes received by a viewer),
 * write system calls per viewer-second delivered (syscw of
 * /proc/PID/io), RSS, origin-to-viewer latency when the origin's emit times are known, and late
 * joiners' time to their first keyframe byte.
 *
 * <p>Peers: {@code nms} is node-media-server 4 ({@code bench/nms}, {@code npm ci --prefix bench/nms}
 * once), fed the same recording over RTMP by ffmpeg; {@code nginx} is nginx as a plain reverse
 * proxy in front of the replay origin (one origin connection per viewer).
 */
public final class RelayBench {
    private static final String XP2P_PATH = "/live/bench.flv";
    /** The server JVM as we recommend running it: a low-pause collector, a bounded heap. */
    static final List<String> DEFAULT_SERVER_JVM = List.of("-Xms512m", "-Xmx1g", "-XX:+UseZGC");
    private static final int WARM_UP_VIEWERS = 100;
    private static final long WARM_UP_MILLIS = 8_000;
    /** Opening the viewers of one step may take this long; a server that stops accepting is saturated. */
    private static final long OPEN_MAX_MILLIS = 60_000;

    record Result(String server, int viewers, double deliveredRatio, int lagging, double lagP50, double lagP99,
                  double cpuSeconds, double windowSeconds, long writeSyscalls, double rssMiB, double latP50,
                  double latP99, double joinP50, double joinMax, int originConnections, double loadCpuSeconds) {
        /** Viewer-seconds of stream delivered: bytes received over the stream's byte rate. */
        double viewerSeconds() {
            return deliveredRatio * viewers * windowSeconds;
        }

        double microsPerViewerSecond() {
            return cpuSeconds * 1e6 / viewerSeconds();
        }

        double syscallsPerViewerSecond() {
            return writeSyscalls / viewerSeconds();
        }
    }

    /** A server under test with its source, for one ramp. */
    private interface Setup extends AutoCloseable {
        long pid();

        int port();

        String path();

        /** Origin emit times by timestamp, or null when unknown (a push source). */
        Map<Long, Long> emitted();

        int originConnections();
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(300, 1000, 2000);
        int seconds = 10;
        int settle = 3;
        int late = 10;
        List<String> peers = List.of();
        List<String> serverJvm = DEFAULT_SERVER_JVM;
        Path nmsDir = Path.of("bench", "nms");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--viewers" -> counts = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).sorted().toList();
                case "--seconds" -> seconds = Math.min(120, Integer.parseInt(args[++i]));
                case "--settle" -> settle = Math.min(60, Integer.parseInt(args[++i]));
                case "--late" -> late = Math.min(100, Integer.parseInt(args[++i]));
                case "--peer" -> peers = List.of(args[++i].split(","));
                case "--server-jvm" -> serverJvm = List.of(args[++i].trim().split("\\s+"));
                case "--nms-dir" -> nmsDir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (counts.get(counts.size() - 1) > 10_000) {
            throw new IllegalArgumentException("at most 10000 viewers");
        }
        byte[] recording;
        try (InputStream in = RelayBench.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            recording = in.readAllBytes();
        }
        FlvFile flv = FlvFile.parse(recording);
        long mediaBytes = flv.mediaTags().stream().mapToLong(t -> t.length).sum();
        double bps = mediaBytes * 1000.0 / flv.durationMillis();
        System.out.printf(Locale.ROOT, "stream: %.2f Mbit/s; per N: %d s settle, %d s measured, %d late joiners;"
                + " xp2p server JVM %s; %d cores%n", bps * 8 / 1e6, settle, seconds, late, serverJvm,
                Runtime.getRuntime().availableProcessors());
        Map<String, List<Result>> results = new LinkedHashMap<>();
        List<String> servers = new ArrayList<>();
        servers.add("xp2p");
        servers.addAll(peers);
        for (String server : servers) {
            try (Setup setup = setup(server, recording, serverJvm, nmsDir)) {
                results.put(server, ramp(server, setup, counts, seconds, settle, late, bps));
            }
        }
        print(counts, servers, results);
    }

    private static Setup setup(String server, byte[] recording, List<String> jvm, Path nmsDir) throws Exception {
        return switch (server) {
            case "xp2p" -> xp2p(recording, jvm);
            case "nginx" -> nginx(recording);
            case "nms" -> nms(recording, nmsDir);
            default -> throw new IllegalArgumentException("unknown server " + server + " (nms, nginx)");
        };
    }

    private static Setup xp2p(byte[] recording, List<String> jvm) throws Exception {
        Path dir = Files.createTempDirectory("xp2p-bench");
        ReplayOrigin origin = new ReplayOrigin(recording, 0);
        Map<Long, Long> emitted = emitTimes(origin);
        int port = freePort();
        ServerProcess server = ServerProcess.xp2p(port, origin.baseUri().toString(), dir.resolve("data"),
                dir.resolve("server.log"), jvm);
        return new OriginSetup(origin, server, port, XP2P_PATH, emitted);
    }

    private static Setup nginx(byte[] recording) throws Exception {
        Path dir = Files.createTempDirectory("xp2p-bench-nginx");
        ReplayOrigin origin = new ReplayOrigin(recording, 0);
        Map<Long, Long> emitted = emitTimes(origin);
        int port = freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, String.join("\n",
                "worker_processes 1;", "daemon off;", "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " warn;",
                "events { worker_connections 16384; }",
                "http {", "  access_log off;",
                "  client_body_temp_path " + dir + "; proxy_temp_path " + dir + ";",
                "  fastcgi_temp_path " + dir + "; uwsgi_temp_path " + dir + "; scgi_temp_path " + dir + ";",
                "  server {", "    listen 127.0.0.1:" + port + ";",
                "    location / { proxy_pass " + origin.baseUri() + "; proxy_buffering off; proxy_http_version 1.1; }",
                "  }", "}", ""));
        ServerProcess server = ServerProcess.command(List.of("/usr/sbin/nginx", "-c", conf.toString()),
                dir.resolve("nginx.out"));
        awaitPort(port);
        return new OriginSetup(origin, server, port, XP2P_PATH, emitted);
    }

    private static Map<Long, Long> emitTimes(ReplayOrigin origin) {
        Map<Long, Long> emitted = new ConcurrentHashMap<>();
        origin.onEmit((ts, nanos) -> {
            emitted.put(ts, nanos);
            emitted.remove(ts - 60_000);
        });
        return emitted;
    }

    private record OriginSetup(ReplayOrigin origin, ServerProcess server, int port, String path,
                               Map<Long, Long> emitted) implements Setup {
        @Override
        public long pid() {
            return server.pid();
        }

        @Override
        public int originConnections() {
            return origin.totalConnections();
        }

        @Override
        public void close() throws Exception {
            server.close();
            origin.close();
        }
    }

    /** node-media-server 4 fed over RTMP by ffmpeg from the same recording, in real time, looping. */
    private static Setup nms(byte[] recording, Path nmsDir) throws Exception {
        Path dir = Files.createTempDirectory("xp2p-bench-nms");
        Path rec = dir.resolve("rec.flv");
        Files.write(rec, recording);
        int rtmp = freePort();
        int http = freePort();
        ServerProcess server = ServerProcess.nms(nmsDir.toAbsolutePath(), rtmp, http, dir.resolve("data"),
                dir.resolve("nms.log"));
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
                "-i", rec.toString(), "-c", "copy", "-f", "flv", "rtmp://127.0.0.1:" + rtmp + "/live/bench")
                .redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(ffmpeg::destroyForcibly, "ffmpeg-reaper"));
        Setup setup = new Setup() {
            @Override
            public long pid() {
                return server.pid();
            }

            @Override
            public int port() {
                return http;
            }

            @Override
            public String path() {
                return "/live/bench.flv";
            }

            @Override
            public Map<Long, Long> emitted() {
                return null;
            }

            @Override
            public int originConnections() {
                return 1;
            }

            @Override
            public void close() throws Exception {
                ffmpeg.destroy();
                if (!ffmpeg.waitFor(10, TimeUnit.SECONDS)) {
                    ffmpeg.destroyForcibly();
                }
                server.close();
            }
        };
        try {
            awaitStream(http, setup.path());
        } catch (IOException | RuntimeException e) {
            setup.close();
            throw e;
        }
        return setup;
    }

    private static List<Result> ramp(String server, Setup s, List<Integer> counts, int seconds, int settle, int late,
            double bps) throws Exception {
        List<Result> out = new ArrayList<>();
        try (FlvLoadClient client = new FlvLoadClient(s.emitted())) {
            // warm-up, not measured: the server's JIT and pools, and the stream flowing
            client.open(s.port(), s.path(), Math.min(WARM_UP_VIEWERS, counts.get(0)), OPEN_MAX_MILLIS);
            park(WARM_UP_MILLIS);
            for (int n : counts) {
                if (!out.isEmpty() && out.get(out.size() - 1).lagging() > out.get(out.size() - 1).viewers() / 2) {
                    // saturated: a larger audience would only take longer to say the same
                    System.out.println("| " + server + " | " + n + " | not run: more than half the viewers lagged at "
                            + out.get(out.size() - 1).viewers() + " |");
                    out.add(null);
                    continue;
                }
                try {
                    client.open(s.port(), s.path(), n - client.size(), OPEN_MAX_MILLIS);
                } catch (IOException e) {
                    System.out.println("| " + server + " | " + n + " | not measured: " + e.getMessage() + " |");
                    out.add(null);
                    break;
                }
                park(settle * 1000L);
                client.measuring(true);
                double cpu0 = ServerProcess.cpuSeconds(s.pid());
                long syscw0 = ServerProcess.writeSyscalls(s.pid());
                double self0 = ServerProcess.cpuSeconds(ProcessHandle.current().pid());
                long t0 = System.nanoTime();
                park(seconds * 1000L);
                double cpu = ServerProcess.cpuSeconds(s.pid()) - cpu0;
                long syscw = ServerProcess.writeSyscalls(s.pid()) - syscw0;
                double self = ServerProcess.cpuSeconds(ProcessHandle.current().pid()) - self0;
                double window = (System.nanoTime() - t0) / 1e9;
                client.measuring(false);
                long bytes = client.bytesMeasured();
                Result r0 = new Result(server, n, bytes / window / (n * bps), client.lagging(1000), client.lagMillis(50),
                        client.lagMillis(99), cpu, window, syscw, ServerProcess.rssMiB(s.pid()),
                        client.latencyMillis(50), client.latencyMillis(99), Double.NaN, Double.NaN,
                        s.originConnections(), self);
                double[] joins = lateJoins(s.port(), s.path(), late);
                Result r = new Result(server, n, r0.deliveredRatio(), r0.lagging(), r0.lagP50(), r0.lagP99(), cpu,
                        window, syscw, r0.rssMiB(), r0.latP50(), r0.latP99(), joins[0], joins[1],
                        r0.originConnections(), self);
                System.out.println(row(r));
                out.add(r);
            }
        }
        while (out.size() < counts.size()) {
            out.add(null);
        }
        return out;
    }

    private static final String HEADER = "| server | viewers | delivered / expected | lagging > 1 s | lag behind edge p50 / p99 ms"
            + " | server CPU s | **CPU µs per viewer-s** | write syscalls per viewer-s | RSS MiB"
            + " | origin-to-viewer p50 / p99 ms | late joiner 1st keyframe p50 / max ms | origin conns | load gen CPU % |";

    private static String row(Result r) {
        if (r == null) {
            return "| (saturated below this N: not run) |";
        }
        return String.format(Locale.ROOT, "| %s | %d | %.1f %% | %d | %.0f / %.0f | %.1f | %.0f | %.1f | %.0f | %s | %.1f / %.1f | %d | %.0f %% |",
                r.server(), r.viewers(), r.deliveredRatio() * 100, r.lagging(), r.lagP50(), r.lagP99(), r.cpuSeconds(),
                r.microsPerViewerSecond(), r.syscallsPerViewerSecond(), r.rssMiB(),
                Double.isNaN(r.latP50()) ? "n/a (push source)" : String.format(Locale.ROOT, "%.1f / %.1f", r.latP50(), r.latP99()),
                r.joinP50(), r.joinMax(), r.originConnections(), r.loadCpuSeconds() * 100 / r.windowSeconds());
    }

    private static void print(List<Integer> counts, List<String> servers, Map<String, List<Result>> results) {
        System.out.println();
        System.out.println(HEADER);
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < counts.size(); i++) {
            for (String server : servers) {
                System.out.println(row(results.get(server).get(i)));
            }
        }
        if (servers.size() > 1) {
            System.out.println();
            for (int i = 0; i < counts.size(); i++) {
                StringBuilder line = new StringBuilder("N=" + counts.get(i) + ": CPU µs per viewer-second");
                Result x = results.get("xp2p").get(i);
                for (String server : servers) {
                    Result r = results.get(server).get(i);
                    if (r == null || x == null) {
                        line.append("  ").append(server).append(r == null ? " saturated" : String.format(Locale.ROOT,
                                " %.0f", r.microsPerViewerSecond()));
                        continue;
                    }
                    line.append(String.format(Locale.ROOT, "  %s %.0f", server, r.microsPerViewerSecond()));
                    if (r != x) {
                        line.append(String.format(Locale.ROOT, " (xp2p/%s = %.2f)", server,
                                x.microsPerViewerSecond() / r.microsPerViewerSecond()));
                    }
                }
                System.out.println(line);
            }
        }
    }

    /**
     * Time from sending the request to the first byte of the first keyframe tag's body. Bounded:
     * each join waits at most 5 s, and after two failures in a row the rest count as failed too.
     */
    private static double[] lateJoins(int port, String path, int count) {
        double[] millis = new double[count];
        Arrays.fill(millis, Double.POSITIVE_INFINITY); // a join that fails or times out counts as infinitely slow
        int failedInARow = 0;
        for (int i = 0; i < count && failedInARow < 2; i++) {
            failedInARow++;
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5_000);
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                long t0 = System.nanoTime();
                out.write(FlvLoadClient.request(path, port));
                out.flush();
                DataInputStream in = new DataInputStream(body(new BufferedInputStream(s.getInputStream())));
                in.skipNBytes(13);
                byte[] h = new byte[11];
                while (true) {
                    in.readFully(h);
                    int size = ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
                    int first = in.read();
                    boolean key = (h[0] & 0x1f) == 9 && ((first & 0x80) != 0 ? ((first >> 4) & 7) == 1 : (first >> 4) == 1);
                    if (key) {
                        int second = in.read();
                        boolean seqHeader = (first & 0x80) != 0 ? (first & 0x0f) == 0 : second == 0;
                        if (!seqHeader) {
                            millis[i] = (System.nanoTime() - t0) / 1e6;
                            failedInARow = 0;
                            break;
                        }
                        in.skipNBytes(size - 2 + 4);
                    } else {
                        in.skipNBytes(size - 1 + 4);
                    }
                }
            } catch (IOException e) {
                System.err.println("late joiner " + i + " failed: " + e);
            }
        }
        Arrays.sort(millis);
        return count == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {millis[(count - 1) / 2], millis[count - 1]};
    }

    /** Reads the response head and returns the body, de-chunked when the server chunks it. */
    private static InputStream body(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed in the response head");
            }
            head.append((char) b);
        }
        if (!head.substring(9, 12).equals("200")) {
            throw new IOException("status " + head.substring(9, 12));
        }
        if (!head.toString().toLowerCase(Locale.ROOT).contains("\ntransfer-encoding: chunked")) {
            return in;
        }
        return new InputStream() {
            private long left;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left == 0) {
                    String line = line();
                    if (line.isEmpty()) {
                        line = line(); // the CRLF after the previous chunk's data
                    }
                    int semi = line.indexOf(';');
                    left = Long.parseLong(semi < 0 ? line.trim() : line.substring(0, semi).trim(), 16);
                    if (left == 0) {
                        return -1;
                    }
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            private String line() throws IOException {
                StringBuilder sb = new StringBuilder();
                for (int c; (c = in.read()) != '\n'; ) {
                    if (c < 0) {
                        throw new EOFException("closed in a chunk header");
                    }
                    if (c != '\r') {
                        sb.append((char) c);
                    }
                }
                return sb.toString();
            }
        };
    }

    /** Waits until the server answers 200 with data on {@code path} (a push source has connected). */
    private static void awaitStream(int port, String path) throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(3000);
                s.getOutputStream().write(FlvLoadClient.request(path, port));
                InputStream in = body(new BufferedInputStream(s.getInputStream()));
                in.readNBytes(64 * 1024);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no stream at " + path + " within 30 s: " + e, e);
                }
                park(500);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                park(50);
            }
        }
    }

    /** The benchmark's measuring windows are wall-clock periods by definition. */
    private static void park(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    private RelayBench() {
    }
}
