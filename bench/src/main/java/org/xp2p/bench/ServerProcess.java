package org.xp2p.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server measured from outside: its own process, so its CPU time and resident memory come from
 * /proc and do not mix with the load generator's.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final CountDownLatch ready = new CountDownLatch(1);

    private ServerProcess(List<String> command, String readyMarker, Path log) throws IOException {
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // a benchmark stopped from outside (timeout, Ctrl-C) must not leave its server running
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "server-reaper"));
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 var out = Files.newBufferedWriter(log)) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    if (readyMarker == null || line.contains(readyMarker)) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "server-log");
        pump.setDaemon(true);
        pump.start();
    }

    /** The xp2p host from this jar's classpath. */
    public static ServerProcess xp2p(int port, String origin, Path data, Path log, List<String> jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "org.xp2p.host.Main", "-p", String.valueOf(port), "-u", origin, "-t", "5", "--data", data.toString()));
        ServerProcess p = new ServerProcess(cmd, "xp2p-host listening", log);
        p.awaitReady(60);
        return p;
    }

    /**
     * node-media-server 4 from {@code bench/nms} (installed there with {@code npm ci}), listening on
     * 127.0.0.1 for RTMP and http-flv.
     */
    static ServerProcess nms(Path nmsDir, int rtmpPort, int httpPort, Path data, Path log) throws Exception {
        Path script = nmsDir.resolve("server.js");
        if (!Files.isDirectory(nmsDir.resolve("node_modules/node-media-server"))) {
            throw new IllegalStateException("node-media-server is not installed: run npm ci --prefix " + nmsDir);
        }
        Files.createDirectories(data);
        ServerProcess p = new ServerProcess(List.of("node", script.toString(), String.valueOf(rtmpPort),
                String.valueOf(httpPort), data.toString()), "nms-bench ready", log);
        p.awaitReady(30);
        return p;
    }

    /** Any other server command (e.g. nginx in the foreground). */
    static ServerProcess command(List<String> cmd, Path log) throws Exception {
        return new ServerProcess(cmd, null, log);
    }

    void awaitReady(int seconds) throws InterruptedException {
        if (!ready.await(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("server did not start within " + seconds + " s");
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The process and its descendants (nginx workers, for instance). */
    static List<Long> tree(long pid) {
        List<Long> out = new ArrayList<>();
        out.add(pid);
        for (int i = 0; i < out.size(); i++) {
            Path children = Path.of("/proc", String.valueOf(out.get(i)), "task", String.valueOf(out.get(i)), "children");
            try {
                for (String c : Files.readString(children).trim().split("\\s+")) {
                    if (!c.isEmpty()) {
                        out.add(Long.parseLong(c));
                    }
                }
            } catch (IOException e) {
                // exited meanwhile
            }
        }
        return out;
    }

    /** User+system CPU seconds of the process tree so far. */
    public static double cpuSeconds(long pid) throws IOException {
        long ticks = 0;
        for (long p : tree(pid)) {
            String stat = Files.readString(Path.of("/proc", String.valueOf(p), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
        return ticks / 100.0;
    }

    /**
     * Write-type system calls (write, writev, sendmsg...) the process tree made so far, from the
     * {@code syscw} line of /proc/PID/io: how many times the server went to the kernel to send.
     */
    static long writeSyscalls(long pid) throws IOException {
        long total = 0;
        for (long p : tree(pid)) {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p), "io"))) {
                if (line.startsWith("syscw:")) {
                    total += Long.parseLong(line.substring(6).trim());
                }
            }
        }
        return total;
    }

    /** Resident set size of the process tree in MiB. */
    public static double rssMiB(long pid) throws IOException {
        long kib = 0;
        for (long p : tree(pid)) {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return kib / 1024.0;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
