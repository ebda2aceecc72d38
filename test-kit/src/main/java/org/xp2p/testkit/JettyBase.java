package org.xp2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A throwaway Jetty base on the stock jetty-home that surefire unpacks ({@code xp2p.jettyHome}),
 * run as its own process on a free loopback port: the WAR deployed the way an operator would.
 * Always {@link #close()} it: the process is destroyed (gracefully first, so undeploy runs).
 */
public final class JettyBase implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(90);

    private final Path home;
    private final Path base;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int port;

    public JettyBase(Path base) {
        this.home = Path.of(requiredProperty("xp2p.jettyHome"));
        this.base = base;
        this.log = base.resolve("jetty-output.log");
        if (!Files.isRegularFile(home.resolve("start.jar"))) {
            fail("xp2p.jettyHome=" + home + " has no start.jar; run through Maven (it unpacks jetty-home)");
        }
    }

    public static Path war() {
        Path war = Path.of(requiredProperty("xp2p.war"));
        if (!Files.isRegularFile(war)) {
            fail("xp2p.war=" + war + " does not exist; run through Maven from the project root");
        }
        return war;
    }

    private static String requiredProperty(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            fail("system property " + name + " is not set; run through Maven (surefire sets it)");
        }
        return v;
    }

    public Path base() {
        return base;
    }

    /** {@code start.jar --add-modules=...}: what an operator runs once to create a base. */
    public void addModules(String modules) throws IOException, InterruptedException {
        Files.createDirectories(base);
        Process p = new ProcessBuilder(java(), "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base, "--add-modules=" + modules)
                .redirectErrorStream(true).redirectOutput(base.resolve("add-modules.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("start.jar --add-modules did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), Files.readString(base.resolve("add-modules.log")));
    }

    /** Copies a directory tree (e.g. conf/jetty-base) into this base. */
    public void copyTree(Path from) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(base.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, base.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    public void deployWar() throws IOException {
        Files.createDirectories(base.resolve("webapps"));
        Files.copy(war(), base.resolve("webapps/xp2p.war"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Copies {@code WEB-INF/lib/<prefix>*.jar} out of the WAR into the base's lib/ext. */
    public void libExtFromWar(String... jarPrefixes) throws IOException {
        Path ext = Files.createDirectories(base.resolve("lib/ext"));
        int copied = 0;
        try (ZipFile zip = new ZipFile(war().toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                String name = e.getName();
                for (String prefix : jarPrefixes) {
                    if (name.startsWith("WEB-INF/lib/" + prefix) && name.endsWith(".jar")) {
                        try (InputStream in = zip.getInputStream(e)) {
                            Files.copy(in, ext.resolve(name.substring("WEB-INF/lib/".length())),
                                    StandardCopyOption.REPLACE_EXISTING);
                        }
                        copied++;
                    }
                }
            }
        }
        assertEquals(jarPrefixes.length, copied, "jars found in the WAR for " + String.join(", ", jarPrefixes));
    }

    /** The xp2p Jetty module archive, unpacked by Maven ({@code xp2p.jettyModule}). */
    public static Path moduleArchive() {
        Path dir = Path.of(requiredProperty("xp2p.jettyModule"));
        if (!Files.isRegularFile(dir.resolve("modules/xp2p.mod"))) {
            fail("xp2p.jettyModule=" + dir + " has no modules/xp2p.mod; run through Maven (it unpacks the module archive)");
        }
        return dir;
    }

    /** Starts Jetty on a free loopback port and waits until the key service answers at /xp2p. */
    public URI start(List<String> jvmArgs, List<String> properties) throws IOException {
        return start(jvmArgs, properties, "/xp2p");
    }

    /** Starts Jetty and waits until the key service answers at {@code contextPath} ("" or "/" for root). */
    public URI start(List<String> jvmArgs, List<String> properties, String contextPath) throws IOException {
        String ctx = contextPath.equals("/") ? "" : contextPath;
        port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", home.resolve("start.jar").toString(), "jetty.home=" + home, "jetty.base=" + base,
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
        cmd.addAll(properties);
        process = new ProcessBuilder(cmd).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        URI uri = URI.create("http://127.0.0.1:" + port + ctx);
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("Jetty exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri + "/code/ready-probe"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 404 && r.body().contains("\"not_found\"")) {
                    return uri;
                }
            } catch (ConnectException | java.net.http.HttpTimeoutException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());   // poll pacing
        }
        fail("xp2p did not answer within " + START_DEADLINE.toSeconds() + " s:\n" + output());
        throw new AssertionError();
    }

    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops Jetty gracefully (SIGTERM runs its shutdown hook, so the WAR is undeployed). */
    public void stopGracefully() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("Jetty did not stop within 30 s of SIGTERM");
            }
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public void assertOutputContains(String text) {
        String out = output();
        assertTrue(out.contains(text), "Jetty output lacks '" + text + "':\n" + out);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
