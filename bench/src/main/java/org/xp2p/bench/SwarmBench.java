package org.xp2p.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Signalling benchmark (not a test): N simulated peers join rooms on a swarm node over loopback,
 * then every peer below another peer relays offers to its parent through the server. Prints join latency p50/p99, server
 * heap per connected peer and relayed messages per second.
 *
 * <p>By default the server runs in a child JVM ({@link SwarmBenchServer}) with its own heap cap,
 * so the heap figure counts only the server and the 10,000-peer run fits the per-process
 * file-descriptor limit (each side holds one socket per peer). Every phase is bounded in time.
 *
 * <p>{@code --peer webtorrent} then runs the same load against the JavaScript WebTorrent tracker
 * ({@link TrackerBench}) in the same run and prints both result blocks and a side-by-side table.
 *
 * <pre>java -cp bench/target/xp2p-bench.jar org.xp2p.bench.SwarmBench --peers 10000 --peer webtorrent</pre>
 */
@Command(name = "SwarmBench", mixinStandardHelpOptions = true, description = "xp2p signalling benchmark over loopback")
public final class SwarmBench implements Callable<Integer> {
    @Option(names = "--peers", description = "simulated peers (default ${DEFAULT-VALUE})")
    int peers = 1_000;

    @Option(names = "--room-size", description = "peers per room (default ${DEFAULT-VALUE})")
    int roomSize = 10;

    @Option(names = "--messages", description = "offers each sending peer relays (default ${DEFAULT-VALUE})")
    int messages = 100;

    @Option(names = "--seconds", description = "time bound of each phase (default ${DEFAULT-VALUE})")
    int seconds = 120;

    @Option(names = "--server-heap", description = "-Xmx of the server JVM (default ${DEFAULT-VALUE})")
    String serverHeap = "1g";

    @Option(names = "--server-jvm-arg", description = "extra JVM option for the server JVM (repeatable), e.g. -XX:StartFlightRecording=filename=s.jfr")
    List<String> serverJvmArgs = new ArrayList<>();

    @Option(names = "--warm-up", description = "untimed offers each sending peer relays first, so both JITs are warm (default ${DEFAULT-VALUE})")
    int warmUp = 30;

    @Option(names = "--url", description = "target a running node at this http://127.0.0.1:PORT base instead (no heap figure)")
    URI url;

    @Option(names = "--concurrency", description = "connects and joins in flight (default ${DEFAULT-VALUE})")
    int concurrency = 64;

    @Option(names = "--rejoin-rounds", description = "warm rejoin rounds; the figures are the last round's (default ${DEFAULT-VALUE})")
    int rejoinRounds = 1;

    @Option(names = "--repeat", description = "xp2p runs, each on a fresh server, in this client JVM (default ${DEFAULT-VALUE})")
    int repeat = 1;

    @Option(names = "--peer", description = "also run the same load against a peer server after xp2p: webtorrent"
            + " (the JavaScript WebTorrent tracker, npm bittorrent-tracker; once: npm ci --prefix bench/webtorrent-tracker)")
    String peer;

    @Option(names = "--tracker-dir", description = "folder of the WebTorrent tracker's server.js and node_modules (default ${DEFAULT-VALUE})")
    Path trackerDir = Path.of("bench", "webtorrent-tracker");

    @Option(names = "--serve", hidden = true)
    boolean serve;

    private final PrintStream out = System.out;
    private final TrackerBenchFigures figures = new TrackerBenchFigures("xp2p");

    public static void main(String[] args) {
        System.exit(new CommandLine(new SwarmBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (serve) {
            SwarmBenchServer.run(peers, roomSize);
            return 0;
        }
        if (peer != null) {
            String missing = peer.equals("webtorrent") ? TrackerBench.missingSetup(trackerDir) : "unknown --peer " + peer + ": use webtorrent";
            if (missing != null) {
                out.println(missing);
                return 2;
            }
        }
        int code = 0;
        for (int r = 0; r < repeat && code == 0; r++) {
            code = runXp2p();
        }
        if (peer == null) {
            return code;
        }
        TrackerBenchFigures tracker = new TrackerBench(peers, roomSize, messages, warmUp, seconds, concurrency, trackerDir, out).run();
        TrackerBenchFigures.printSideBySide(out, peers, concurrency, List.of(figures, tracker));
        out.println("xp2p heap = Java heap used after GC in the server JVM; tracker heap = V8 heap used after gc();"
                + " RSS = resident set of the server process from /proc (xp2p's is mostly heap the JVM reserved)");
        return code != 0 ? code : tracker.relayDelivered == tracker.relayExpected && tracker.relayExpected > 0 ? 0 : 1;
    }

    private int runXp2p() throws Exception {
        Process server = null;
        BufferedReader serverOut = null;
        URI base = url;
        Path serverLog = null;
        if (base == null) {
            serverLog = Files.createTempFile("xp2p-swarmbench-server-", ".log");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + serverHeap, "-cp", System.getProperty("java.class.path")));
            cmd.addAll(serverJvmArgs);
            if (System.getProperty("xp2p.war") != null) {
                cmd.add("-Dxp2p.war=" + System.getProperty("xp2p.war"));
            }
            cmd.addAll(List.of(SwarmBench.class.getName(), "--serve", "--peers", String.valueOf(peers),
                    "--room-size", String.valueOf(roomSize)));
            server = new ProcessBuilder(cmd).redirectError(serverLog.toFile()).start();
            serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String first = serverOut.readLine();
            for (int skip = 0; skip < 20 && first != null && !first.startsWith("PORT "); skip++) {
                first = serverOut.readLine(); // JVM notices (e.g. a flight recording starting) come first
            }
            if (first == null || !first.startsWith("PORT ")) {
                out.println("server did not start; see " + serverLog);
                server.destroy();
                return 1;
            }
            base = URI.create("http://127.0.0.1:" + first.substring(5).trim());
        } else if (!InetAddress.getByName(base.getHost()).isLoopbackAddress()) {
            out.println("--url must name a loopback address");
            return 2;
        }
        try {
            return run(base, server, serverOut);
        } finally {
            if (server != null) {
                server.getOutputStream().write("STOP\n".getBytes(StandardCharsets.UTF_8));
                server.getOutputStream().flush();
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroy();
                }
                out.println("server log: " + serverLog);
            }
        }
    }

    private long serverHeap(Process server, BufferedReader serverOut) throws Exception {
        return ask(server, serverOut, "HEAP");
    }

    private static long ask(Process server, BufferedReader serverOut, String what) throws Exception {
        if (server == null) {
            return -1;
        }
        server.getOutputStream().write((what + "\n").getBytes(StandardCharsets.UTF_8));
        server.getOutputStream().flush();
        String line = serverOut.readLine();
        return line != null && line.startsWith(what + " ") ? Long.parseLong(line.substring(what.length() + 1).trim()) : -1;
    }

    private int run(URI base, Process server, BufferedReader serverOut) throws Exception {
        URI signal = URI.create(base.toString().replaceFirst("^http", "ws") + "/xp2p/signal");
        int rooms = (peers + roomSize - 1) / roomSize;
        out.printf("SwarmBench: %d peers in %d rooms of %d, %d offers per sending peer, target %s%n",
                peers, rooms, roomSize, messages, signal);
        long heapBefore = serverHeap(server, serverOut);
        double rssBefore = server == null ? Double.NaN : ServerProcess.rssMiB(server.pid());

        HttpClient[] clients = new HttpClient[4];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        }
        AtomicLong relayed = new AtomicLong();
        SwarmBenchPeer[] all = new SwarmBenchPeer[peers];
        String[] ids = new String[peers];
        Semaphore inFlight = new Semaphore(concurrency);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> joins = new ArrayList<>(peers);
        for (int i = 0; i < peers; i++) {
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                out.printf("connect phase timed out after %d peers%n", i);
                return 1;
            }
            SwarmBenchPeer peer = new SwarmBenchPeer(i, "bench/room" + (i / roomSize), relayed);
            all[i] = peer;
            int index = i;
            joins.add(clients[i % clients.length].newWebSocketBuilder().buildAsync(signal, peer)
                    .thenCompose(ws -> {
                        peer.ws = ws;
                        return peer.join();
                    })
                    .whenComplete((id, err) -> inFlight.release())
                    .thenAccept(id -> ids[index] = id));
        }
        try {
            CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            long ok = Arrays.stream(ids).filter(x -> x != null).count();
            out.printf("join phase failed: %d of %d joined (%s)%n", ok, peers, e.getCause() == null ? e : e.getCause());
            return 1;
        }
        double joinSeconds = (System.nanoTime() - t0) / 1e9;
        out.printf("connect+join: %d peers in %.1f s%n", peers, joinSeconds);
        double[] cold = printLatency("first join (cold server, during the connect storm)", all);
        for (int q = 0; q < 4; q++) {
            long[] part = Arrays.stream(all, q * peers / 4, (q + 1) * peers / 4).mapToLong(p -> p.joinLatencyNanos).sorted().toArray();
            double[] pp = TrackerBenchFigures.percentilesMs(part);
            out.printf("  joins %d-%d: p50 %.2f ms, p99 %.2f ms%n", q * peers / 4, (q + 1) * peers / 4 - 1, pp[0], pp[1]);
        }
        figures.joinAllSeconds = joinSeconds;
        figures.joinP50Ms = cold[0];
        figures.joinP99Ms = cold[1];

        long heapAfter = serverHeap(server, serverOut);
        if (heapBefore > 0 && heapAfter > 0) {
            out.printf("server heap after GC: %.1f MiB before, %.1f MiB with %d peers connected = %.1f KiB per peer (server -Xmx%s)%n",
                    heapBefore / 1048576.0, heapAfter / 1048576.0, peers, (heapAfter - heapBefore) / 1024.0 / peers, serverHeap);
            figures.heapKiBPerPeer = (heapAfter - heapBefore) / 1024.0 / peers;
        }
        if (server != null) {
            figures.rssKiBPerPeer = (ServerProcess.rssMiB(server.pid()) - rssBefore) * 1024 / peers;
        }

        // warm-up round (one offer per sender, not timed), then the measured round
        relay(all, warmUp, relayed, "warm-up");
        relayed.set(0);
        long serverCpu0 = ask(server, serverOut, "CPU");
        long clientCpu0 = SwarmBenchServer.cpuNanos();
        long sent = relay(all, messages, relayed, "measured");
        long serverCpu = ask(server, serverOut, "CPU") - serverCpu0;
        long clientCpu = SwarmBenchServer.cpuNanos() - clientCpu0;
        if (sent > 0) {
            figures.serverCpuMicrosPerMsg = serverCpu / 1e3 / sent;
            out.printf("relay CPU: server %.2f s (%.1f us per relayed msg), clients %.2f s; load average %s%n",
                    serverCpu / 1e9, serverCpu / 1e3 / sent, clientCpu / 1e9, loadAverage());
        }
        boolean rejoined = sent > 0;
        for (int round = 0; round < rejoinRounds && rejoined; round++) {
            rejoined = rejoin(all, inFlight, server, serverOut);
        }
        for (SwarmBenchPeer p : all) {
            if (p.ws != null) {
                p.ws.abort();
            }
        }
        return sent > 0 && rejoined ? 0 : 1;
    }

    /** Every peer leaves and joins its room again, {@code concurrency} at a time, on a warm server. */
    private boolean rejoin(SwarmBenchPeer[] all, Semaphore inFlight, Process server, BufferedReader serverOut) throws Exception {
        long serverCpu0 = ask(server, serverOut, "CPU");
        SwarmBenchPeer.BY_TYPE.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<CompletableFuture<String>> joins = new ArrayList<>(all.length);
        for (SwarmBenchPeer peer : all) {
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                out.println("rejoin phase timed out");
                return false;
            }
            joins.add(peer.rejoin().whenComplete((id, err) -> inFlight.release()));
        }
        try {
            CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            out.println("rejoin phase failed: " + (e.getCause() == null ? e : e.getCause()));
            return false;
        }
        double[] warm = printLatency("rejoin (warm server)", all);
        long serverCpu = ask(server, serverOut, "CPU") - serverCpu0;
        if (server != null) {
            out.printf("rejoin: server CPU %.1f us per leave + join%n", serverCpu / 1e3 / all.length);
        }
        // every message the server sent for the leaves and joins, to anyone: what a join costs beyond its own reply
        out.printf("rejoin: %.1f messages per leave + join, by type %s%n",
                SwarmBenchPeer.BY_TYPE.values().stream().mapToLong(LongAdder::sum).sum() / (double) all.length,
                new TreeMap<>(SwarmBenchPeer.BY_TYPE));
        figures.rejoinP50Ms = warm[0];
        figures.rejoinP99Ms = warm[1];
        return true;
    }

    private double[] printLatency(String what, SwarmBenchPeer[] all) {
        long[] lat = Arrays.stream(all).mapToLong(p -> p.joinLatencyNanos).sorted().toArray();
        double[] p = TrackerBenchFigures.percentilesMs(lat);
        out.printf("%s: join latency p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d in flight)%n", what,
                p[0], p[1], lat[lat.length - 1] / 1e6, concurrency);
        return p;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return String.format("%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /**
     * Every peer below another peer sends its parent {@code count} offers (the server relays offers
     * along tree edges only); returns messages or -1.
     */
    private long relay(SwarmBenchPeer[] all, int count, AtomicLong relayed, String phase) throws Exception {
        List<CompletableFuture<WebSocket>> chains = new ArrayList<>();
        long expected = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < all.length; i++) {
            String partner = all[i].parent;
            if (partner.equals("server")) {
                continue;
            }
            CompletableFuture<WebSocket> chain = CompletableFuture.completedFuture(all[i].ws);
            for (int k = 0; k < count; k++) {
                String msg = "{\"v\":1,\"type\":\"offer\",\"to\":\"" + partner
                        + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"v=0 o=- " + i + " " + k + " IN IP4 127.0.0.1\"}}";
                chain = chain.thenCompose(ws -> ws.sendText(msg, true));
            }
            chains.add(chain);
            expected += count;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (relayed.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(2); // benchmark pacing of the progress check only
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (relayed.get() < expected) {
            out.printf("relay (%s): only %d of %d offers arrived within %d s%n", phase, relayed.get(), expected, seconds);
            return -1;
        }
        if (phase.equals("measured")) {
            out.printf("relay: %d offers between %d sending peers in %.2f s = %,.0f relayed msgs/s%n",
                    expected, chains.size(), secs, expected / secs);
            figures.relayExpected = expected;
            figures.relayDelivered = relayed.get();
            figures.relaySeconds = secs;
        }
        return expected;
    }
}
