package org.xp2p.bench.sim;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One tree variant against a real node: starts the node (its own JVM) with the variant's
 * settings, connects every peer over loopback and joins it, lets the swarm warm up, measures the
 * window (churn and freezes included), then reads the node's own figures, CPU and heap. Every
 * phase is bounded in time.
 */
final class TreeRun {
    /** Digests a room's stream must have published before its other peers join (a live stream). */
    private static final int LIVE_CHUNKS = 5;
    /** Bound of the wait for every room's stream to be live. */
    private static final double PILOT_MS = 30_000;
    private final Scenario scenario;
    private final String origin;
    private final Map<String, String> settings;
    private final List<String> jvm;
    private final Path dir;
    private final PrintStream out;
    private final int concurrency;
    /** Each room's stream as seen in this run (the mesh baseline replays it). */
    final List<ChunkLog> logs = new ArrayList<>();
    /** Milliseconds the connect phase took. */
    double connectedAfterMs;
    /** Milliseconds until every room's stream was live (the other peers joined from then on). */
    double liveAfterMs;

    TreeRun(Scenario scenario, String origin, Map<String, String> settings, List<String> jvm, Path dir, int concurrency,
            PrintStream out) {
        this.scenario = scenario;
        this.origin = origin;
        this.settings = settings;
        this.jvm = jvm;
        this.dir = dir;
        this.concurrency = concurrency;
        this.out = out;
    }

    Figures run(String name) throws Exception {
        Figures fig = new Figures(name, scenario.rooms());
        Map<String, String> node = new HashMap<>(settings);
        node.putIfAbsent("xp2p.swarm.maxPeersPerRoom", String.valueOf(scenario.roomSize() + 100));
        node.putIfAbsent("xp2p.swarm.maxPeers", String.valueOf(scenario.peers() + 1_000));
        try (NodeProcess server = NodeProcess.start(origin, node, jvm, dir); RealClock clock = new RealClock()) {
            fig.serverHeapBeforeMiB = server.heapAfterGcMiB();
            runAgainst(server, clock, fig);
        }
        return fig;
    }

    private void runAgainst(NodeProcess server, RealClock clock, Figures fig) throws Exception {
        for (int r = 0; r < scenario.rooms(); r++) {
            logs.add(new ChunkLog());
        }
        FrozenWatch frozen = new FrozenWatch(fig);
        Map<String, TreePeer> byId = new HashMap<>();
        List<TreePeer> peers = new ArrayList<>();
        for (PeerProfile p : scenario.profiles()) {
            peers.add(new TreePeer(p, scenario.model(), clock, fig, logs.get(p.room()), Scenario.roomName(p.room()),
                    byId::get, frozen));
        }
        URI signal = URI.create("ws://127.0.0.1:" + server.port() + "/xp2p/signal");
        HttpClient[] clients = new HttpClient[4];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        }
        ModelLag lag = new ModelLag(clock);
        lag.start();

        // connect and join, `concurrency` in flight, bounded by the connect phase
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Semaphore inFlight = new Semaphore(concurrency);
        long deadline = System.nanoTime() + (long) (scenario.connectMs() * 1e6);
        double t0 = clock.now();
        // the first peer of each room starts its stream; the rest join a stream that is live
        List<TreePeer> pilots = new ArrayList<>();
        List<TreePeer> rest = new ArrayList<>();
        for (TreePeer peer : peers) {
            (peer.profile.index() % scenario.roomSize() == 0 ? pilots : rest).add(peer);
        }
        connectAll(pilots, byId, clock, clients, signal, inFlight, deadline, connected, failed);
        long liveBy = System.nanoTime() + (long) PILOT_MS * 1_000_000;
        while (System.nanoTime() < liveBy && System.nanoTime() < deadline && !allLive(clock)) {
            Thread.sleep(200);
        }
        liveAfterMs = clock.now() - t0;
        connectAll(rest, byId, clock, clients, signal, inFlight, deadline, connected, failed);
        if (inFlight.tryAcquire(concurrency, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            inFlight.release(concurrency);
        }
        connectedAfterMs = clock.now() - t0;
        out.printf("  %s: %d connected, %d failed in %.1f s; warming up %.0f s%n", fig.name, connected.get(), failed.get(),
                connectedAfterMs / 1000, scenario.warmUpMs() / 1000);

        // churn from now on, freezes inside the window
        double windowStart = clock.now() + scenario.warmUpMs();
        for (TreePeer peer : peers) {
            Random r = new Random(peer.profile.seed() ^ 0x5eed);
            scheduleChurn(clock, peer, r);
            if (peer.profile.freezeAtMs() >= 0) {
                clock.at(windowStart - clock.now() + peer.profile.freezeAtMs(), peer::freezeNow);
            }
        }
        clock.at(windowStart - clock.now(), () -> {
            fig.windowStart = clock.now();
            fig.windowEnd = clock.now() + scenario.windowMs();
            lag.reset();
        });
        sleepUntil(clock, windowStart);
        double cpu0 = server.cpuSeconds();
        double self0 = selfCpuSeconds();
        double end = windowStart + scenario.windowMs();
        while (clock.now() < end) {
            Thread.sleep(Math.min(1_000, Math.max(1, (long) (end - clock.now()))));
            clock.at(0, () -> sample(peers, fig, clock.now()));
            if ((long) (clock.now() - windowStart) / 1_000 % 20 == 0) {
                out.printf("  %s: %.0f s of %.0f, offload %.4f, late %d of %d chunks, model lag p99 %.0f ms%n", fig.name,
                        (clock.now() - windowStart) / 1000, scenario.windowMs() / 1000, fig.offload(), fig.lateChunks,
                        fig.chunks, lag.p99());
            }
        }
        fig.serverCpuSeconds = server.cpuSeconds() - cpu0;
        fig.clientCpuSeconds = selfCpuSeconds() - self0;
        ChunkLog stream = logs.get(0);
        fig.note = String.format("model lag p99 %.0f ms max %.0f ms; room 0: %d chunks, mean %.0f ms, %.0f kB", lag.p99(),
                lag.max(), stream.ordered().size(), stream.meanDurationMs(), stream.meanSize() / 1e3);
        clock.at(0, () -> frozen.finish(clock.now()));
        Thread.sleep(2_500); // every live peer sends stats once more
        crossCheck(server, clock, peers, byId, fig);
        fig.serverHeapMiB = server.heapAfterGcMiB();
        fig.serverRssMiB = server.rssMiB();
        for (TreePeer p : peers) {
            if (p.socket != null) {
                p.socket.abort();
            }
        }
    }

    /** Whether every room's stream has published at least {@code LIVE_CHUNKS} digests. */
    private boolean allLive(RealClock clock) throws InterruptedException {
        boolean[] live = {true};
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        clock.at(0, () -> {
            for (ChunkLog l : logs) {
                live[0] &= l.ordered().size() >= LIVE_CHUNKS;
            }
            done.countDown();
        });
        done.await(5, TimeUnit.SECONDS);
        return live[0];
    }

    private void connectAll(List<TreePeer> peers, Map<String, TreePeer> byId, RealClock clock, HttpClient[] clients,
                            URI signal, Semaphore inFlight, long deadline, AtomicInteger connected, AtomicInteger failed)
            throws InterruptedException {
        for (TreePeer peer : peers) {
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return;
            }
            SignalSocket socket = new SignalSocket(m -> clock.at(0, () -> {
                if (m.type().equals("joined")) {
                    byId.put(m.peer(), peer);
                }
                peer.onMessage(m);
            }), why -> clock.at(0, () -> peer.onClosed(why)));
            peer.socket = socket;
            clients[peer.profile.index() % clients.length].newWebSocketBuilder().buildAsync(signal, socket)
                    .whenComplete((ws, err) -> {
                        inFlight.release();
                        if (err != null) {
                            failed.incrementAndGet();
                            return;
                        }
                        socket.attach(ws);
                        connected.incrementAndGet();
                        clock.at(0, peer::join);
                    });
        }
    }

    private void scheduleChurn(SimClock clock, TreePeer peer, Random r) {
        double wait = scenario.nextLeaveMs(r);
        if (wait > 1e12) {
            return;
        }
        clock.at(wait, () -> {
            if (peer.frozen) {
                return;
            }
            peer.leaveAndRejoin();
            scheduleChurn(clock, peer, r);
        });
    }

    /** Once a second in the window: members and server children per room, from the peers' view. */
    private void sample(List<TreePeer> peers, Figures fig, double now) {
        if (!fig.counting(now)) {
            return;
        }
        for (TreePeer p : peers) {
            if (p.member && p.joined && p.parent != null) {
                fig.roomMemberSamples[p.profile.room()]++;
                if (p.parent.equals("server")) {
                    fig.roomServerChildSamples[p.profile.room()]++;
                }
            }
        }
        fig.samples++;
    }

    /** The node's /stat and /xp2p/rooms against the counters the peers reported. */
    private void crossCheck(NodeProcess server, RealClock clock, List<TreePeer> peers, Map<String, TreePeer> byId,
                            Figures fig) {
        NodeViews views = new NodeViews(server.port());
        Map<String, Object> all = views.rooms();
        if (all != null) {
            fig.serverOffload = NodeViews.number(all, "offload");
        }
        long[] sim = new long[2];
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        clock.at(0, () -> {
            for (TreePeer p : peers) {
                sim[0] += p.allP2p;
                sim[1] += p.allCdn;
            }
            done.countDown();
        });
        try {
            done.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fig.serverSimOffload = Figures.ratio(sim[0], sim[0] + sim[1]);
        if (scenario.rooms() == 1) {
            Map<String, Object> tree = views.tree(Scenario.roomName(0));
            if (tree != null) {
                fig.nodeDepth = (int) NodeViews.number(tree, "depth");
                fig.nodeServerChildren = NodeViews.number(tree, "serverChildren");
                fig.nodePeers = (int) NodeViews.number(tree, "peers");
                fig.freeSlotsByDepth = NodeViews.freeSlotsByDepth(tree);
                java.util.concurrent.CountDownLatch counted = new java.util.concurrent.CountDownLatch(1);
                Map<String, NodeViews.Slots> slots = NodeViews.slots(tree);
                String percent = settings.get("xp2p.swarm.uploadHeadroomPercent");
                double headroom = percent == null ? PeerModel.SLOT_HEADROOM : Integer.parseInt(percent) / 100.0;
                SlotGap gap = new SlotGap();
                clock.at(0, () -> {
                    slots.forEach((id, node) -> {
                        TreePeer p = byId.get(id);
                        if (p != null && p.profile.uploads() && scenario.model().slotsFor(p.profile.upBytesPerMs()) > 0) {
                            gap.add(node, scenario.model().uplinkSlots(p.profile.upBytesPerMs(), headroom));
                        }
                    });
                    counted.countDown();
                });
                try {
                    counted.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                fig.demoted = gap.givenNone;
                fig.offeringSlots = gap.offering;
                fig.slotGap = gap.toString();
            }
            Map<String, Object> stat = views.stat(Scenario.roomName(0));
            if (stat != null) {
                fig.serverOffload = NodeViews.number(stat, "offload");
            }
        }
    }

    private static void sleepUntil(SimClock clock, double t) throws InterruptedException {
        while (clock.now() < t) {
            Thread.sleep(Math.max(1, Math.min(1_000, (long) (t - clock.now()))));
        }
    }

    static double selfCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
