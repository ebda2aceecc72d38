package org.xp2p.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway CATALINA_BASE on a stock Tomcat distribution that surefire unpacks
 * ({@code xp2p.tomcat10Home}, {@code xp2p.tomcat11Home}), set up the way docs/deploy-tomcat.md says:
 * conf/ copied from the distribution, the PostgreSQL driver in lib/, xp2p.war in webapps/ and
 * conf/tomcat/context.xml as conf/Catalina/localhost/xp2p.xml. It runs as its own process on a free
 * loopback port (shutdown port off); always {@link #close()} it.
 */
public final class TomcatBase implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(120);

    private final Path home;
    private final Path base;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int port;

    public TomcatBase(String homeProperty, Path base) throws IOException {
        String h = System.getProperty(homeProperty);
        if (h == null) {
            fail("system property " + homeProperty + " is not set; run through Maven (surefire sets it)");
        }
        this.home = Path.of(h);
        if (!Files.isRegularFile(home.resolve("bin/bootstrap.jar"))) {
            fail(homeProperty + "=" + home + " has no bin/bootstrap.jar; run through Maven (it unpacks Tomcat)");
        }
        this.base = base;
        this.log = base.resolve("tomcat-output.log");
        for (String dir : List.of("conf", "lib", "logs", "temp", "webapps", "work", "conf/Catalina/localhost")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> files = Files.list(home.resolve("conf"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, base.resolve("conf").resolve(f.getFileName()));
            }
        }
        port = freePort();
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml);
        String patched = xml.replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replace("<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                        "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        assertTrue(!patched.equals(xml) && patched.contains("address=\"127.0.0.1\""), "server.xml layout changed");
        Files.writeString(serverXml, patched);
        // the PostgreSQL driver for the container's pool, as an operator copies it into Tomcat's lib/
        Path tomcatLib = Path.of(System.getProperty("xp2p.tomcatLib", "missing"));
        try (Stream<Path> jars = Files.list(tomcatLib)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().startsWith("postgresql-")).toList()) {
                Files.copy(jar, base.resolve("lib").resolve(jar.getFileName()));
            }
        }
    }

    public Path base() {
        return base;
    }

    /** conf/tomcat/context.xml as the descriptor of context /xp2p, with the test database's settings. */
    public void contextXml(String exampleXml, String jdbcUrl, String user, String password) throws IOException {
        String xml = exampleXml
                .replace("url=\"jdbc:postgresql://127.0.0.1:5432/xp2p\"", "url=\"" + jdbcUrl.replace("&", "&amp;") + "\"")
                .replace("username=\"xp2p\"", "username=\"" + user + "\"")
                .replace("password=\"CHANGE-ME\"", "password=\"" + password + "\"");
        assertTrue(!xml.equals(exampleXml), "context.xml layout changed");
        Files.writeString(base.resolve("conf/Catalina/localhost/xp2p.xml"), xml);
    }

    public void deployWar() throws IOException {
        Files.copy(JettyBase.war(), base.resolve("webapps/xp2p.war"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code touch webapps/xp2p.war}: Tomcat's host redeploys it on its next background check. */
    public void touchWar() throws IOException {
        Files.setLastModifiedTime(base.resolve("webapps/xp2p.war"), FileTime.from(Instant.now()));
    }

    /** Starts the process (Tomcat's Bootstrap, as catalina.sh runs it) without waiting. */
    public void launch(List<String> jvmArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(
                // what catalina.sh adds, so the leak detection on undeploy works as in production
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
                "-Djava.util.logging.config.file=" + base.resolve("conf/logging.properties"),
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "-Djdk.tls.ephemeralDHKeySize=2048",
                "-Dorg.apache.catalina.security.SecurityListener.UMASK=0027"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-classpath", home.resolve("bin/bootstrap.jar") + java.io.File.pathSeparator
                        + home.resolve("bin/tomcat-juli.jar"),
                "-Dcatalina.base=" + base, "-Dcatalina.home=" + home, "-Djava.io.tmpdir=" + base.resolve("temp"),
                "org.apache.catalina.startup.Bootstrap", "start"));
        process = new ProcessBuilder(cmd).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** Waits until the key service answers at /xp2p; returns the context's base URI. */
    public URI awaitReady() {
        URI ctx = URI.create("http://127.0.0.1:" + port + "/xp2p");
        Poll.await("Tomcat (" + base + ") serving " + ctx + "; output:\n" + tail(), START_DEADLINE.toMillis(), () -> {
            if (!process.isAlive()) {
                fail("Tomcat exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ctx + "/code/ready-probe"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 404 && r.body().contains("\"not_found\"");
            } catch (ConnectException | java.net.http.HttpTimeoutException e) {
                return false;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        });
        return ctx;
    }

    /** Console output plus Tomcat's own log files under logs/. */
    public String output() {
        StringBuilder all = new StringBuilder();
        try {
            if (Files.exists(log)) {
                all.append(Files.readString(log, StandardCharsets.UTF_8));
            }
            try (Stream<Path> logs = Files.list(base.resolve("logs"))) {
                for (Path f : logs.sorted().toList()) {
                    all.append("\n==> ").append(f.getFileName()).append(" <==\n")
                            .append(Files.readString(f, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }

    private String tail() {
        String out = output();
        return out.length() > 6000 ? out.substring(out.length() - 6000) : out;
    }

    /** How often {@code text} occurs in the console output. */
    public int count(String text) {
        String out;
        try {
            out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = 0;
        for (int i = out.indexOf(text); i >= 0; i = out.indexOf(text, i + text.length())) {
            n++;
        }
        return n;
    }

    public void assertOutputContains(String text) {
        String out = output();
        assertTrue(out.contains(text), "Tomcat output lacks '" + text + "':\n" + out);
    }

    /** Keeps this Tomcat's output under target/tomcat-logs/ (the base itself is a temporary directory). */
    public void keepOutput(String name) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "tomcat-logs"));
            Files.writeString(dir.resolve(name + ".log"), output());
        } catch (IOException | UncheckedIOException e) {
            // diagnostics only
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();   // SIGTERM: Catalina's shutdown hook stops the server
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
