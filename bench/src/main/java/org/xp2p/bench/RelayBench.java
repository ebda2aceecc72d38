package org.xp2p.bench;

import java.io.DataInputStream;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.xp2p.testkit.FlvFile;
import org.xp2p.testkit.ReplayOrigin;

/**
 * The live-relay benchmark: a real-time ~2 Mbit/s origin, the relay in its own process, and N
 * viewers from one NIO client; optionally the same load through nginx as a plain reverse proxy
 * (the usual way to put a cache-less access layer in front of an http-flv origin) for comparison.
 *
 * <pre>java -cp bench/target/xp2p-bench.jar org.xp2p.bench.RelayBench [--viewers 100,500,1000]
 *     [--seconds 10] [--late 10] [--peer nginx]</pre>
 *
 * Prints per N: delivered vs expected throughput, viewers lagging more than 1 s, server CPU seconds
 * over the window, server RSS, added latency (origin emit to viewer receipt of each tag header,
 * p50/p99), late joiners' time to the first keyframe byte (p50/max), origin connections.
 */
public final class RelayBench {
    private static final String PATH = "/live/bench.flv";
    /** The server JVM as we recommend running it: a low-pause collector, a bounded heap. */
    static final List<String> DEFAULT_SERVER_JVM = List.of("-Xms512m", "-Xmx1g", "-XX:+UseZGC");

    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(100, 500, 1000);
        int seconds = 10;
        int late = 10;
        String peer = null;
        List<String> serverJvm = DEFAULT_SERVER_JVM;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--viewers" -> counts = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--seconds" -> seconds = Math.min(120, Integer.parseInt(args[++i]));
                case "--late" -> late = Math.min(100, Integer.parseInt(args[++i]));
                case "--peer" -> peer = args[++i];
                case "--server-jvm" -> serverJvm = List.of(args[++i].trim().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        byte[] recording;
        try (InputStream in = RelayBench.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            recording = in.readAllBytes();
        }
        FlvFile flv = FlvFile.parse(recording);
        long mediaBytes = flv.mediaTags().stream().mapToLong(t -> t.length).sum();
        double streamBytesPerSecond = mediaBytes * 1000.0 / flv.durationMillis();
        System.out.printf("stream: %.2f Mbit/s, measuring %d s per run, %d late joiners, xp2p server JVM %s%n",
                streamBytesPerSecond * 8 / 1e6, seconds, late, serverJvm);
        System.out.println("server  viewers  delivered/expected  lagging>1s  cpu-s  cpu%   rss-MiB  lat-p50-ms  lat-p99-ms  join-key-p50-ms  join-key-max-ms  origin-conns  load-cpu%");
        for (int n : counts) {
            print("xp2p", n, runXp2p(recording, n, seconds, late, streamBytesPerSecond, serverJvm));
            if ("nginx".equals(peer)) {
                print("nginx", n, runNginx(recording, n, seconds, late, streamBytesPerSecond));
            }
        }
    }

    record Result(double deliveredRatio, int lagging, double cpuSeconds, double rssMiB, double p50, double p99,
                  double joinP50, double joinMax, int originConnections, double loadCpuSeconds, int seconds) {
    }

    private static void print(String server, int n, Result r) {
        System.out.printf("%-6s  %7d  %17.1f%%  %10d  %5.1f  %4.0f%%  %7.0f  %10.1f  %10.1f  %15.1f  %15.1f  %12d  %10.0f%%%n",
                server, n, r.deliveredRatio * 100, r.lagging, r.cpuSeconds, r.cpuSeconds * 100 / r.seconds, r.rssMiB,
                r.p50, r.p99, r.joinP50, r.joinMax, r.originConnections, r.loadCpuSeconds * 100 / r.seconds);
    }

    private static Result runXp2p(byte[] recording, int n, int seconds, int late, double bps, List<String> jvm)
            throws Exception {
        Path dir = Files.createTempDirectory("xp2p-bench");
        try (ReplayOrigin origin = new ReplayOrigin(recording, 0)) {
            int port = freePort();
            try (ServerProcess server = ServerProcess.xp2p(port, origin.baseUri().toString(), dir.resolve("data"),
                    dir.resolve("server.log"), jvm)) {
                return measure(origin, server.pid(), port, n, seconds, late, bps);
            }
        }
    }

    private static Result runNginx(byte[] recording, int n, int seconds, int late, double bps) throws Exception {
        Path dir = Files.createTempDirectory("xp2p-bench-nginx");
        try (ReplayOrigin origin = new ReplayOrigin(recording, 0)) {
            int port = freePort();
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, String.join("\n",
                    "worker_processes 1;", "daemon off;", "pid " + dir.resolve("nginx.pid") + ";",
                    "error_log " + dir.resolve("error.log") + " warn;",
                    "events { worker_connections 4096; }",
                    "http {", "  access_log off;",
                    "  client_body_temp_path " + dir + "; proxy_temp_path " + dir + ";",
                    "  fastcgi_temp_path " + dir + "; uwsgi_temp_path " + dir + "; scgi_temp_path " + dir + ";",
                    "  server {", "    listen 127.0.0.1:" + port + ";",
                    "    location / { proxy_pass " + origin.baseUri() + "; proxy_buffering off; proxy_http_version 1.1; }",
                    "  }", "}", ""));
            try (ServerProcess server = ServerProcess.command(List.of("/usr/sbin/nginx", "-c", conf.toString()),
                    dir.resolve("nginx.out"))) {
                awaitPort(port);
                return measure(origin, server.pid(), port, n, seconds, late, bps);
            }
        }
    }

    private static Result measure(ReplayOrigin origin, long pid, int port, int n, int seconds, int late, double bps)
            throws Exception {
        Map<Long, Long> emitted = new ConcurrentHashMap<>();
        origin.onEmit((ts, nanos) -> {
            emitted.put(ts, nanos);
            emitted.remove(ts - 60_000);
        });
        try (FlvLoadClient client = new FlvLoadClient(emitted)) {
            client.open(port, PATH, n);
            park(3_000); // warm-up: every viewer past its start burst
            client.measuring(true);
            double cpu0 = ServerProcess.cpuSeconds(pid);
            double self0 = ServerProcess.cpuSeconds(ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            park(seconds * 1000L);
            client.measuring(false);
            double window = (System.nanoTime() - t0) / 1e9;
            double cpu = ServerProcess.cpuSeconds(pid) - cpu0;
            double self = ServerProcess.cpuSeconds(ProcessHandle.current().pid()) - self0;
            double rss = ServerProcess.rssMiB(pid);
            long originTs = emitted.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
            int lagging = 0;
            for (FlvLoadClient.Viewer v : client.viewers()) {
                if (v.closed || v.status != 200 || originTs - v.lastTs > 1000) {
                    lagging++;
                }
            }
            double delivered = client.bytesMeasured() / window;
            int originConnections = origin.totalConnections();
            double[] joins = lateJoins(port, late);
            return new Result(delivered / (n * bps), lagging, cpu, rss, client.percentileMillis(50),
                    client.percentileMillis(99), joins[0], joins[1], originConnections, self, seconds);
        }
    }

    /** Time from sending the request to the first byte of the first keyframe tag's body. */
    private static double[] lateJoins(int port, int count) throws IOException {
        double[] millis = new double[count];
        for (int i = 0; i < count; i++) {
            millis[i] = Double.POSITIVE_INFINITY; // a join that fails or times out counts as infinitely slow
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                long t0 = System.nanoTime();
                out.write(("GET " + PATH + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        throw new IOException("closed before the body");
                    }
                    matched = b == ((matched % 2 == 0) ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
                }
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
