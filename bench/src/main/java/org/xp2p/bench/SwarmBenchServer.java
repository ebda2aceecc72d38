package org.xp2p.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xp2p.host.Host;

/**
 * The server side of {@link SwarmBench}, run in its own JVM so that its heap holds only the server
 * (the figure per peer is then honest) and so that server and client sockets each get their own
 * file-descriptor budget. Talks to the parent over stdin/stdout: prints {@code PORT n} when up,
 * answers {@code HEAP} with {@code HEAP bytes} (heap used after full GCs), stops on {@code STOP}
 * or when stdin closes.
 */
final class SwarmBenchServer {
    private SwarmBenchServer() {
    }

    static void run(int maxPeers, int roomSize) throws Exception {
        Logger.getLogger("").setLevel(Level.WARNING);
        for (var h : Logger.getLogger("").getHandlers()) {
            h.setLevel(Level.WARNING);
        }
        Path data = Files.createTempDirectory("xp2p-swarmbench-");
        Host host = Host.builder().port(0).maxThreads(64)
                .setting("xp2p.data", data)
                .setting("xp2p.swarm.auth", "none")
                .setting("xp2p.swarm.maxPeers", maxPeers + 100)
                .setting("xp2p.swarm.maxPeersPerRoom", Math.max(roomSize, 1))
                .setting("xp2p.swarm.messagesPerSecond", 1_000_000)
                .setting("xp2p.swarm.messageBurst", 1_000_000)
                .setting("xp2p.swarm.sendQueue", 4_096)
                .setting("xp2p.swarm.idleTimeoutSeconds", 600)
                .build().start();
        System.out.println("PORT " + host.port());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.equals("STOP")) {
                if (line.equals("HEAP")) {
                    System.out.println("HEAP " + heapAfterGc());
                } else if (line.equals("CPU")) {
                    System.out.println("CPU " + cpuNanos());
                }
                System.out.flush();
            }
        } finally {
            host.stop();
        }
    }

    /** CPU time this JVM used so far: on a shared machine, the honest cost figure. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long heapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200); // let concurrent GC phases and reference processing finish (not synchronisation)
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
