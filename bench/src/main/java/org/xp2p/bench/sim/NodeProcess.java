package org.xp2p.bench.sim;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.xp2p.bench.ServerProcess;

/**
 * The real xp2p node under test, in its own JVM so its CPU time and heap are its own. Started by
 * the benchmark module's {@link ServerProcess#xp2p} (the host's {@code Main} with {@code -u origin}).
 * Settings go in as {@code -Dxp2p.*} system properties
 * (the plugin reads them below init-params; see Settings). CPU seconds and RSS come from /proc
 * through {@code ServerProcess}; heap after GC
 * is read over JMX on loopback.
 */
final class NodeProcess implements AutoCloseable {
    private final AutoCloseable process;
    private final long pid;
    private final int port;
    private final JMXConnector jmx;
    private final MBeanServerConnection mbeans;
    final Path log;

    private NodeProcess(AutoCloseable process, long pid, int port, JMXConnector jmx, Path log) throws IOException {
        this.process = process;
        this.pid = pid;
        this.port = port;
        this.jmx = jmx;
        this.mbeans = jmx.getMBeanServerConnection();
        this.log = log;
    }

    static NodeProcess start(String origin, Map<String, String> settings, List<String> jvm, Path dir) throws Exception {
        int port = freePort();
        int jmxPort = freePort();
        List<String> options = new ArrayList<>(jvm);
        options.addAll(List.of("-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort, "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1", "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false"));
        settings.forEach((k, v) -> options.add("-D" + k + "=" + v));
        Path log = dir.resolve("node.log");
        ServerProcess process = ServerProcess.xp2p(port, origin, dir.resolve("data"), log, options);
        // a simulator stopped from outside (Ctrl-C, timeout) must not leave the node running
        Thread stopNode = new Thread(() -> {
            try {
                process.close();
            } catch (Exception ignored) {
                // already gone
            }
        }, "swarmsim-stop-node");
        Runtime.getRuntime().addShutdownHook(stopNode);
        long pid = process.pid();
        JMXConnector jmx = null;
        for (int i = 0; i < 50 && jmx == null; i++) {
            try {
                jmx = JMXConnectorFactory.connect(new JMXServiceURL(
                        "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"));
            } catch (IOException e) {
                Thread.sleep(200); // the agent may start a moment after the host says it listens
            }
        }
        if (jmx == null) {
            process.close();
            throw new IllegalStateException("no JMX connection to the node on port " + jmxPort);
        }
        return new NodeProcess(process, pid, port, jmx, log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return pid;
    }

    /** CPU seconds of the node process so far ({@code ServerProcess.cpuSeconds}, from /proc). */
    double cpuSeconds() throws Exception {
        return ServerProcess.cpuSeconds(pid);
    }

    /** Heap in use after full collections, MiB. */
    double heapAfterGcMiB() throws Exception {
        MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(mbeans, ManagementFactory.MEMORY_MXBEAN_NAME,
                MemoryMXBean.class);
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            memory.gc();
            Thread.sleep(200); // concurrent collectors finish their cycle after gc() returns
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used / 1048576.0;
    }

    /** Resident set of the node process, MiB ({@code ServerProcess.rssMiB}, from /proc). */
    double rssMiB() {
        try {
            return ServerProcess.rssMiB(pid);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            jmx.close();
        } catch (IOException ignored) {
            // node may be gone already
        }
        process.close();
    }
}
