package org.xp2p.bench.sim;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.xp2p.testkit.FlvFile;
import org.xp2p.testkit.ReplayOrigin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Swarm simulator (issue 9; a command, not a CI step): N headless peers speak the real signalling
 * protocol to a real xp2p node (its own JVM) that relays the bundled recording from a replay
 * origin, while their links (uplink shared among transfers, downlink, RTT, loss), playback,
 * churn and freezes are modelled. Runs the tree with rebalancing on and off against fresh nodes,
 * then a random-mesh baseline on the same population and stream, and prints one side-by-side
 * table with the targets.
 *
 * <pre>java -cp bench/target/xp2p-bench.jar org.xp2p.bench.sim.SwarmSim --peers 10000 --rooms 1</pre>
 */
@Command(name = "SwarmSim", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Swarm simulator: real signalling to a real node, modelled peer links")
public final class SwarmSim implements Callable<Integer> {
    @Option(names = "--peers", description = "peers in all (default ${DEFAULT-VALUE}; with --room-size: rooms × room size)")
    int peers = 300;
    @Option(names = "--rooms", description = "rooms, one stream each (default ${DEFAULT-VALUE})")
    int rooms = 1;
    @Option(names = "--room-size", description = "peers per room (default: peers / rooms)")
    Integer roomSize;
    @Option(names = "--seconds", description = "measured window in seconds (default ${DEFAULT-VALUE})")
    int seconds = 120;
    @Option(names = "--warm-up", description = "seconds after the connect phase before measuring (default ${DEFAULT-VALUE})")
    int warmUp = 30;
    @Option(names = "--connect-seconds", description = "bound of the connect-and-join phase (default ${DEFAULT-VALUE})")
    int connectSeconds = 120;
    @Option(names = "--concurrency", description = "connects in flight (default ${DEFAULT-VALUE})")
    int concurrency = 64;
    @Option(names = "--variants", split = ",", description = "of rebalance, no-rebalance, lending, pipelined, store-forward, blame-all, before, mesh (default: rebalance, before, mesh);"
            + " lending = rebalance with an upload queue that lends its turn while a forwarded chunk's bytes are still to come (an experiment, not the SDK);"
            + " pipelined = rebalance with no queue: every child's upload at once, each forwarded as the chunk arrives (an experiment, not the SDK);"
            + " store-forward = rebalance with parents forwarding only whole verified chunks (the SDK before PROTOCOL 6b.4's cut-through);"
            + " blame-all = rebalance with stall reports that do not say when the deadline ended, so each one strikes (the SDK before afterDigestMs);"
            + " before = the node and SDK before issue 9's tree work: 4 declared slots trusted, demotion for good, 4 moves/s, parallel uploads, no uploadRate (swaps cannot be turned off)")
    List<String> variants = List.of("rebalance", "before", "mesh");

    @Option(names = "--up-min", description = "smallest uplink Mbit/s, log-uniform (default ${DEFAULT-VALUE})")
    double upMin = 0.5;
    @Option(names = "--up-max", description = "largest uplink Mbit/s (default ${DEFAULT-VALUE})")
    double upMax = 20;
    @Option(names = "--down", description = "downlink Mbit/s (default ${DEFAULT-VALUE})")
    double down = 50;
    @Option(names = "--rtt-min", description = "smallest RTT ms, uniform (default ${DEFAULT-VALUE})")
    double rttMin = 20;
    @Option(names = "--rtt-max", description = "largest RTT ms (default ${DEFAULT-VALUE})")
    double rttMax = 120;
    @Option(names = "--loss", description = "packet loss, each costs a round trip (default ${DEFAULT-VALUE})")
    double loss = 0.005;
    @Option(names = "--cellular", description = "share of cellular leaves (default ${DEFAULT-VALUE})")
    double cellular = 0.30;
    @Option(names = "--churn", description = "share of peers leaving and rejoining per minute (default ${DEFAULT-VALUE})")
    double churn = 0.05;
    @Option(names = "--rejoin-after", description = "seconds a churned peer stays away (default ${DEFAULT-VALUE})")
    double rejoinAfter = 2;
    @Option(names = "--frozen", description = "share of peers freezing once in the window (default ${DEFAULT-VALUE})")
    double frozen = 0.02;
    @Option(names = "--slots", description = "slots each uploading peer offers in its join (SDK default ${DEFAULT-VALUE})")
    int slots = 8;
    @Option(names = "--slots-by-uplink", description = "not the SDK's behaviour today: slots = floor(uplink / (1.25 × bitrate)), at most --slots")
    boolean slotsByUplink;
    @Option(names = "--link-setup", description = "ms a new peer link costs on top of one RTT (default ${DEFAULT-VALUE})")
    double linkSetup = 200;
    @Option(names = "--target-latency", description = "player startup target behind live, s (SDK default ${DEFAULT-VALUE})")
    double targetLatency = 3;
    @Option(names = "--late", description = "a chunk later than this many ms after its digest is late (default ${DEFAULT-VALUE})")
    double late = 2_000;
    @Option(names = "--mesh-k", description = "neighbours per peer in the mesh baseline (default ${DEFAULT-VALUE})")
    int meshK = 4;
    @Option(names = "--mesh-seed", description = "chance a mesh peer takes a new chunk over HTTP at once, seeding its neighbours"
            + " (default ${DEFAULT-VALUE}, p2p-media-loader's httpDownloadProbability)")
    double meshSeed = 0.06;
    @Option(names = "--seed", description = "population seed (default ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--server-heap", description = "-Xmx of the node JVM (default ${DEFAULT-VALUE})")
    String serverHeap = "2g";
    @Option(names = "--node-setting", description = "extra xp2p.* setting for the node, key=value (repeatable)")
    Map<String, String> nodeSettings = new LinkedHashMap<>();
    @Option(names = "--node-jvm", description = "extra JVM option for the node, e.g. -XX:StartFlightRecording=filename=node.jfr (repeatable)")
    List<String> nodeJvm = new ArrayList<>();

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SwarmSim()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        int size = roomSize != null ? roomSize : Math.max(1, peers / rooms);
        byte[] recording;
        try (InputStream in = SwarmSim.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            recording = in.readAllBytes();
        }
        FlvFile flv = FlvFile.parse(recording);
        double streamMbps = flv.mediaTags().stream().mapToLong(t -> t.length).sum() * 8.0 / 1000 / flv.durationMillis();
        PeerModel model = new PeerModel(upMin, upMax, down, rttMin, rttMax, loss, cellular, churn, rejoinAfter * 1000,
                frozen, slots, slotsByUplink, streamMbps, linkSetup, targetLatency * 1000, late, true, true, true, true, false);
        Scenario scenario = Scenario.of(rooms, size, connectSeconds * 1000.0, warmUp * 1000.0, seconds * 1000.0, model, seed);
        out.printf("SwarmSim: %d peers in %d room(s) of %d; window %d s after %d s warm-up; model %s; node -Xmx%s %s; %d cores, load %s%n",
                scenario.peers(), rooms, size, seconds, warmUp, model, serverHeap, nodeSettings,
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim());
        List<Figures> results = new ArrayList<>();
        TreeRun first = null;
        Path dir = Files.createTempDirectory("xp2p-swarmsim-");
        List<String> jvm = new ArrayList<>(List.of("-Xms512m", "-Xmx" + serverHeap, "-XX:+UseZGC"));
        jvm.addAll(nodeJvm);
        try (ReplayOrigin origin = new ReplayOrigin(recording, 0)) {
            for (String v : variants) {
                if (v.equals("mesh")) {
                    continue;
                }
                Map<String, String> settings = new LinkedHashMap<>(nodeSettings);
                Scenario s = scenario;
                if (v.equals("no-rebalance")) {
                    settings.put("xp2p.swarm.rebalanceMovesPerSecond", "0");
                } else if (v.equals("before")) {
                    settings.put("xp2p.swarm.probeSlots", "64");
                    settings.put("xp2p.swarm.maxSlots", "4");
                    settings.put("xp2p.swarm.demotionSeconds", "0");
                    settings.put("xp2p.swarm.rebalanceMovesPerSecond", "4");
                    s = scenario.withModel(model.before());
                } else if (v.equals("store-forward")) {
                    s = scenario.withModel(model.storeAndForward());
                } else if (v.equals("pipelined")) {
                    s = scenario.withModel(model.parallelPipelined());
                } else if (v.equals("lending")) {
                    s = scenario.withModel(model.lendingTurns());
                } else if (v.equals("blame-all")) {
                    s = scenario.withModel(model.blamingEveryMiss());
                } else if (!v.equals("rebalance")) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "unknown variant " + v);
                }
                Path runDir = Files.createDirectories(dir.resolve(v));
                out.printf("tree, %s (node log %s)%n", v, runDir.resolve("node.log"));
                TreeRun run = new TreeRun(s, origin.baseUri().toString(), settings, jvm, runDir, concurrency, out);
                results.add(run.run("tree, " + v));
                if (first == null) {
                    first = run;
                }
            }
        }
        if (variants.contains("mesh")) {
            if (first == null) {
                out.println("mesh baseline needs a tree run first (it replays that run's stream)");
            } else {
                out.printf("mesh baseline, k=%d (virtual time)%n", meshK);
                double silence = silenceMs();
                Figures tree = results.get(0);
                // mesh players (P2P Media Loader and alike) move whole segments: no cut-through
                results.add(new MeshRun(scenario.withModel(model.storeAndForward()), first.logs, meshK, meshSeed, silence)
                        .run("random mesh, k=" + meshK, first.liveAfterMs, first.connectedAfterMs, tree.windowStart));
            }
        }
        new SimReport(out, scenario, results, maxDepthSetting(), silenceMs()).print();
        return 0;
    }

    private int maxDepthSetting() {
        return Integer.parseInt(nodeSettings.getOrDefault("xp2p.swarm.maxDepth", "6")); // the plugin's default
    }

    /** The node's heartbeat × silentBeats (idleTimeoutSeconds / 3 × silentBeats, defaults 45 and 2). */
    private double silenceMs() {
        int idle = Integer.parseInt(nodeSettings.getOrDefault("xp2p.swarm.idleTimeoutSeconds", "45"));
        int beats = Integer.parseInt(nodeSettings.getOrDefault("xp2p.swarm.silentBeats", "2"));
        return Math.max(1, idle / 3) * 1000.0 * beats;
    }
}
