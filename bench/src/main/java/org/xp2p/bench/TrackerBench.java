package org.xp2p.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peer half of {@code SwarmBench --peer webtorrent}: the same N peers, room size, offer counts,
 * concurrency and time bounds as the xp2p run, against the JavaScript WebTorrent tracker (npm
 * {@code bittorrent-tracker}, {@code bench/webtorrent-tracker/server.js}) in a child node process
 * on 127.0.0.1. One info_hash per room; every peer that has a partner in its room sends its offers
 * as announces carrying one offer each; the tracker forwards each offer to a random other peer of
 * that swarm, and the receiving peers count the deliveries.
 *
 * <p>Memory comes two ways, neither identical to xp2p's figure: V8 heap used after {@code gc()}
 * (the nearest to the JVM heap after GC) and the node process's RSS from /proc.
 */
final class TrackerBench {
    static final String SETUP_HINT = "run `npm ci --prefix bench/webtorrent-tracker` once (needs node and npm on PATH)";

    private final int peers;
    private final int roomSize;
    private final int messages;
    private final int warmUp;
    private final int seconds;
    private final int concurrency;
    private final Path dir;
    private final PrintStream out;
    private final TrackerBenchFigures figures = new TrackerBenchFigures("WebTorrent tracker (node)");
    private Process node;
    private BufferedReader nodeOut;

    TrackerBench(int peers, int roomSize, int messages, int warmUp, int seconds, int concurrency, Path dir, PrintStream out) {
        this.peers = peers;
        this.roomSize = roomSize;
        this.messages = messages;
        this.warmUp = warmUp;
        this.seconds = seconds;
        this.concurrency = concurrency;
        this.dir = dir;
        this.out = out;
    }

    /** What is missing to run the tracker, or null when node and the installed package are there. */
    static String missingSetup(Path dir) {
        if (!Files.isRegularFile(dir.resolve("server.js"))) {
            return dir.toAbsolutePath() + "/server.js not found: run SwarmBench from the repository root or give --tracker-dir";
        }
        if (!Files.isDirectory(dir.resolve("node_modules/bittorrent-tracker"))) {
            return "bittorrent-tracker is not installed in " + dir + ": " + SETUP_HINT;
        }
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return "`node --version` failed: install Node.js 18+ on PATH";
            }
        } catch (IOException e) {
            return "node not found on PATH (" + e.getMessage() + "): install Node.js 18+, then " + SETUP_HINT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking node";
        }
        return null;
    }

    /** Runs every phase; the figures hold what was measured even when a phase failed or timed out. */
    TrackerBenchFigures run() throws Exception {
        Path log = Files.createTempFile("xp2p-swarmbench-tracker-", ".log");
        node = new ProcessBuilder("node", "--expose-gc", "server.js", "0").directory(dir.toFile())
                .redirectError(log.toFile()).start();
        nodeOut = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        try {
            String ready = readLine(30);
            if (ready == null || !ready.startsWith("READY ")) {
                out.println("WebTorrent tracker did not start (" + ready + "); see " + log);
                return figures;
            }
            URI uri = URI.create("ws://127.0.0.1:" + ready.substring(6).trim());
            measure(uri);
            return figures;
        } finally {
            node.getOutputStream().write("STOP\n".getBytes(StandardCharsets.UTF_8));
            node.getOutputStream().flush();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroy();
            }
            out.println("tracker log: " + log);
        }
    }

    private void measure(URI uri) throws Exception {
        int rooms = (peers + roomSize - 1) / roomSize;
        out.printf("%nSwarmBench peer: WebTorrent tracker (npm bittorrent-tracker %s, node %s): %d peers in %d swarms of %d,"
                + " %d offers per sending peer, target %s%n", packageVersion(), nodeVersion(), peers, rooms, roomSize, messages, uri);
        long heapBefore = heap();
        double rssBefore = ServerProcess.rssMiB(node.pid());
        HttpClient[] clients = new HttpClient[4];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        }
        AtomicLong delivered = new AtomicLong();
        TrackerBenchPeer[] all = new TrackerBenchPeer[peers];
        Semaphore inFlight = new Semaphore(concurrency);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> joins = new ArrayList<>(peers);
        try {
            for (int i = 0; i < peers; i++) {
                if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    out.printf("connect phase timed out after %d peers%n", i);
                    return;
                }
                TrackerBenchPeer peer = new TrackerBenchPeer(i, i / roomSize, delivered);
                all[i] = peer;
                joins.add(clients[i % clients.length].newWebSocketBuilder().buildAsync(uri, peer)
                        .thenCompose(ws -> {
                            peer.ws = ws;
                            return peer.start();
                        })
                        .whenComplete((x, err) -> inFlight.release()));
            }
            if (!allDone(joins, deadline, "join")) {
                return;
            }
            figures.joinAllSeconds = (System.nanoTime() - t0) / 1e9;
            out.printf("connect+announce: %d peers in %.1f s%n", peers, figures.joinAllSeconds);
            double[] cold = latency("first announce (cold tracker, during the connect storm)", all);
            figures.joinP50Ms = cold[0];
            figures.joinP99Ms = cold[1];

            long heapAfter = heap();
            double rssAfter = ServerProcess.rssMiB(node.pid());
            figures.rssKiBPerPeer = (rssAfter - rssBefore) * 1024 / peers;
            out.printf("tracker process RSS (from /proc, not a heap figure): %.1f MiB before, %.1f MiB with %d peers = %.1f KiB per peer%n",
                    rssBefore, rssAfter, peers, figures.rssKiBPerPeer);
            if (heapBefore > 0 && heapAfter > 0) {
                figures.heapKiBPerPeer = (heapAfter - heapBefore) / 1024.0 / peers;
                out.printf("tracker V8 heap used after gc(): %.1f MiB before, %.1f MiB with %d peers = %.1f KiB per peer%n",
                        heapBefore / 1048576.0, heapAfter / 1048576.0, peers, figures.heapKiBPerPeer);
            }

            relay(all, warmUp, delivered, false);
            delivered.set(0);
            double cpu0 = ServerProcess.cpuSeconds(node.pid());
            relay(all, messages, delivered, true);
            double cpu = ServerProcess.cpuSeconds(node.pid()) - cpu0;
            if (figures.relayDelivered > 0) {
                figures.serverCpuMicrosPerMsg = cpu * 1e6 / figures.relayDelivered;
                out.printf("relay CPU: tracker %.2f s (%.1f us per relayed msg, 10 ms /proc ticks); load average %s%n",
                        cpu, figures.serverCpuMicrosPerMsg, Files.readString(Path.of("/proc/loadavg")).trim());
            }
            rejoin(all, inFlight);
        } finally {
            for (TrackerBenchPeer p : all) {
                if (p != null && p.ws != null) {
                    p.ws.abort();
                }
            }
        }
    }

    /** Every peer that has a partner in its room (index xor 1, as in the xp2p run) sends {@code count} offers. */
    private void relay(TrackerBenchPeer[] all, int count, AtomicLong delivered, boolean measured) throws Exception {
        long expected = 0;
        int senders = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < all.length; i++) {
            int partner = i ^ 1;
            if (partner >= all.length || !all[partner].infoHash.equals(all[i].infoHash)) {
                continue;
            }
            TrackerBenchPeer peer = all[i];
            CompletableFuture<WebSocket> chain = CompletableFuture.completedFuture(peer.ws);
            for (int k = 0; k < count; k++) {
                String msg = peer.offerAnnounce(k);
                chain = chain.thenCompose(ws -> ws.sendText(msg, true));
            }
            senders++;
            expected += count;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (delivered.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(2); // benchmark pacing of the progress check only
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long got = delivered.get();
        String phase = measured ? "relay" : "relay (warm-up)";
        if (got < expected) {
            out.printf("%s: only %,d of %,d offers delivered within %d s (%,.0f msgs/s while bounded)%n",
                    phase, got, expected, seconds, got / secs);
        } else if (measured) {
            out.printf("relay: %d offers between %d sending peers in %.2f s = %,.0f relayed msgs/s%n",
                    expected, senders, secs, expected / secs);
        }
        if (measured) {
            figures.relayExpected = expected;
            figures.relayDelivered = got;
            figures.relaySeconds = secs;
        }
    }

    /** Every peer leaves its swarm and announces again, {@code concurrency} at a time, on a warm tracker. */
    private void rejoin(TrackerBenchPeer[] all, Semaphore inFlight) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<CompletableFuture<Void>> joins = new ArrayList<>(all.length);
        for (TrackerBenchPeer peer : all) {
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                out.println("rejoin phase timed out");
                return;
            }
            joins.add(peer.rejoin().whenComplete((x, err) -> inFlight.release()));
        }
        if (allDone(joins, deadline, "rejoin")) {
            double[] warm = latency("rejoin (warm tracker)", all);
            figures.rejoinP50Ms = warm[0];
            figures.rejoinP99Ms = warm[1];
        }
    }

    private boolean allDone(List<CompletableFuture<Void>> joins, long deadline, String phase) {
        try {
            CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (Exception e) {
            long ok = joins.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
            out.printf("%s phase failed: %d of %d announced (%s)%n", phase, ok, peers, e.getCause() == null ? e : e.getCause());
            return false;
        }
    }

    private double[] latency(String what, TrackerBenchPeer[] all) {
        long[] lat = Arrays.stream(all).mapToLong(p -> p.joinLatencyNanos).toArray();
        double[] p = TrackerBenchFigures.percentilesMs(lat);
        out.printf("%s: announce latency p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d in flight)%n",
                what, p[0], p[1], Arrays.stream(lat).max().orElse(0) / 1e6, concurrency);
        return p;
    }

    /** V8 heap used after gc() in the tracker, or -1. */
    private long heap() throws Exception {
        node.getOutputStream().write("HEAP\n".getBytes(StandardCharsets.UTF_8));
        node.getOutputStream().flush();
        String line = readLine(60);
        return line != null && line.startsWith("HEAP ") ? Long.parseLong(line.substring(5).trim()) : -1;
    }

    private String readLine(int timeoutSeconds) throws Exception {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return nodeOut.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    private String packageVersion() {
        try {
            String json = Files.readString(dir.resolve("node_modules/bittorrent-tracker/package.json"));
            var m = java.util.regex.Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return v;
        } catch (Exception e) {
            return "?";
        }
    }
}
