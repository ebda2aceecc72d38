package org.xp2p.host;

import org.xp2p.testkit.Poll;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's real {@code main} in a child JVM: {@code java -cp <this test's class path>
 * org.xp2p.host.Main --war <the built WAR> ...}. That is the runnable jar's entry point and the
 * very WAR the jar embeds, without depending on the shaded jar, which Maven only builds after the
 * tests ({@code package} follows {@code test}). Output (stdout and stderr) goes to a file.
 */
public final class HostProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("xp2p-host listening on (http://\\S+)");

    private final Process process;
    private final Path output;

    private HostProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code Main} with {@code args} (plus {@code --war}), writing its output to {@code output}. */
    public static HostProcess start(Path output, List<String> args) throws IOException {
        return start(output, args, true);
    }

    /** As {@link #start(Path, List)}; {@code withWar} false leaves {@code --war} to the caller. */
    public static HostProcess start(Path output, List<String> args, boolean withWar) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        if (withWar) {
            cmd.addAll(List.of("--war", war().toString()));
        }
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
        return new HostProcess(p, output);
    }

    /** Runs {@code Main} to its end (bounded); returns exit code, stdout and stderr apart. */
    public static Result run(Path dir, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "stdout-", ".txt");
        Path err = Files.createTempFile(dir, "stderr-", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("xp2p-host " + String.join(" ", args) + " did not exit within " + timeoutSeconds + " s:\n"
                    + Files.readString(out) + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Exit code and output of one run. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Waits for the "listening on" line and returns the base URI it names. */
    public URI awaitListening(long timeoutMillis) {
        URI[] uri = new URI[1];
        Poll.await("xp2p-host to listen (output " + output + ")", timeoutMillis, () -> {
            if (!process.isAlive()) {
                fail("xp2p-host exited with " + process.exitValue() + ":\n" + output());
            }
            Matcher m = LISTENING.matcher(output());
            if (m.find()) {
                uri[0] = URI.create(m.group(1));
                return true;
            }
            return false;
        });
        return uri[0];
    }

    public Process process() {
        return process;
    }

    public String output() {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL (on Linux {@link Process#destroyForcibly()} is {@code kill -9}); waits until it is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            fail("xp2p-host survived SIGKILL for 30 s");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The WAR Maven built (surefire sets {@code xp2p.war}); the runnable jar embeds the same file. */
    static Path war() {
        String prop = System.getProperty("xp2p.war");
        if (prop == null || !Files.isRegularFile(Path.of(prop))) {
            fail("system property xp2p.war (" + prop + ") must name the built WAR; run through Maven");
        }
        return Path.of(prop);
    }
}
