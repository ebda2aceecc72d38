package org.xp2p.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates system tools for tests tagged {@code real}. A missing tool fails the test loudly
 * (never skips): the real-tool profile promises these tools, and .ci/install provides them.
 */
public final class RealTools {
    private RealTools() {
    }

    /** Absolute path of {@code name} on PATH or in the given extra directories; fails when absent. */
    public static Path require(String name, String... extraDirs) {
        for (String dir : extraDirs) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        fail("real-tool test needs '" + name + "' on PATH; run .ci/install (apt-get) first");
        throw new AssertionError();
    }

    /** Runs a command to completion (bounded), returning stdout+stderr; fails on timeout. */
    public static String run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("command timed out: " + String.join(" ", command));
        }
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }
}
