package org.xp2p.host;

import org.xp2p.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's real {@code main} in a child JVM: a bad invocation prints one line naming what is
 * wrong and exits 2, without a stack trace; help, version and verbose logging.
 */
class MainInvocationTest {
    @TempDir
    Path tmp;

    /** One bad invocation: its arguments and the text the one error line must name. */
    private record Bad(List<String> args, String names) {
    }

    @Test
    void everyBadInvocationPrintsOneLineNamingItAndExits2() throws Exception {
        Path data = tmp.resolve("data");
        Path badConfig = Files.writeString(tmp.resolve("bad.properties"), "xp2p.idleSeconds=-5\n");
        List<Bad> table = new ArrayList<>(List.of(
                new Bad(List.of("-t", "-5"), "-t -5"),
                new Bad(List.of("-u", "not-a-url"), "-u not-a-url"),
                new Bad(List.of("-u", "http://127.0.0.1:9188,ftp://x/"), "-u ftp://x/"),
                new Bad(List.of("-k", "nope"), "-k nope"),
                new Bad(List.of("--config", tmp.resolve("missing.properties").toString()), "--config " + tmp.resolve("missing.properties")),
                new Bad(List.of("--war", tmp.resolve("missing.war").toString()), "--war " + tmp.resolve("missing.war")),
                new Bad(List.of("-p", "99999"), "-p 99999"),
                new Bad(List.of("-p", "abc"), "'abc' is not an int; allowed: listen port, 0 to 65535"),
                new Bad(List.of("--host", "999.1.1.1"), "--host 999.1.1.1"),
                new Bad(List.of("--no-such-flag"), "--no-such-flag"),
                // found by the WAR while it deploys: still one line, naming the key
                new Bad(List.of("-p", "0", "--config", badConfig.toString()), "xp2p.idleSeconds='-5'")));
        List<String> failures = new ArrayList<>();
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            table.add(new Bad(List.of("-p", String.valueOf(busy.getLocalPort())), "127.0.0.1:" + busy.getLocalPort()));
            for (Bad bad : table) {
                List<String> args = new ArrayList<>(bad.args());
                args.addAll(List.of("--data", data.toString()));
                if (!args.contains("--war")) {
                    args.addAll(List.of("--war", HostProcess.war().toString()));
                }
                HostProcess.Result r = HostProcess.run(tmp, 90, args.toArray(String[]::new));
                List<String> lines = r.stderr().lines().filter(l -> !l.isBlank()).toList();
                String what = String.join(" ", bad.args()) + " -> exit " + r.exitCode() + ", stderr:\n" + r.stderr();
                if (r.exitCode() != Main.EXIT_INVALID || lines.size() != 1 || !lines.get(0).startsWith("xp2p-host: ")
                        || !lines.get(0).contains(bad.names()) || r.stderr().contains("\tat ") || !r.stdout().isEmpty()) {
                    failures.add(what);
                }
                System.out.println(String.join(" ", bad.args()) + "  =>  exit " + r.exitCode() + ": " + r.stderr().strip());
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(r(tmp, "-p", "0", "--host", "999.1.1.1").stderr().contains("must be an IP address or host name"),
                "says what is allowed");
    }

    @Test
    void busyPortIsNamedAsAddressAlreadyInUse() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            HostProcess.Result r = r(tmp, "-p", String.valueOf(busy.getLocalPort()), "--data", tmp.resolve("data").toString(),
                    "--war", HostProcess.war().toString());
            assertEquals(2, r.exitCode());
            assertEquals("xp2p-host: cannot listen on 127.0.0.1:" + busy.getLocalPort() + " (--host 127.0.0.1 -p "
                    + busy.getLocalPort() + "): address already in use; stop the process that listens there or choose"
                    + " another -p", r.stderr().strip());
            assertFalse(Files.exists(tmp.resolve("data").resolve("xp2p.mv.db")), "the WAR was not deployed");
        }
    }

    @Test
    void verboseShowsTheStackTraceOfAFailure() throws Exception {
        Path badConfig = Files.writeString(tmp.resolve("bad.properties"), "xp2p.idleSeconds=-5\n");
        HostProcess.Result r = r(tmp, "-v", "-p", "0", "--config", badConfig.toString(), "--data", tmp.resolve("data").toString(),
                "--war", HostProcess.war().toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("\tat org.xp2p."), r.stderr());
        assertTrue(r.stderr().strip().endsWith("xp2p-host: cannot start: invalid configuration xp2p.idleSeconds='-5':"
                + " must be a whole number from 0 to 86400"), r.stderr());
    }

    @Test
    void helpAndVersionExit0() throws Exception {
        HostProcess.Result help = r(tmp, "--help");
        assertEquals(0, help.exitCode(), help.stderr());
        assertEquals(help.stdout(), r(tmp, "-h").stdout(), "-h is --help");
        for (String flag : new String[] {"-u", "-k", "-p", "-t", "-d", "-v", "-h", "--help", "--version", "--demo",
                "--data", "--config", "--war", "--host", "DIR/xp2p.0.log"}) {
            assertTrue(help.stdout().contains(flag), "help mentions " + flag + ":\n" + help.stdout());
        }
        HostProcess.Result version = r(tmp, "--version");
        assertEquals(0, version.exitCode(), version.stderr());
        assertEquals("xp2p-host " + pomVersion(), version.stdout().strip());
    }

    @Test
    void verboseLogsDebugForXp2pIntoTheFileTheHelpNames() throws Exception {
        Path logs = tmp.resolve("logs");
        List<String> args = List.of("-v", "-d", logs.toString(), "-p", "0", "--data", tmp.resolve("data").toString());
        try (HostProcess host = HostProcess.start(tmp.resolve("host.out"), args)) {
            host.awaitListening(60_000);
            Path file = logs.resolve(HostLogging.LOG_FILE);
            Poll.await("debug lines in " + file, 10_000, () -> read(file).contains("FINE    [org.xp2p."));
            assertTrue(host.output().contains("FINE    [org.xp2p."), "and on the console");
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HostProcess.Result r(Path dir, String... args) throws Exception {
        return HostProcess.run(dir, 90, args);
    }

    /** The project version from the root pom (the test runs in host-harness/). */
    private static String pomVersion() throws Exception {
        String pom = Files.readString(Path.of("..", "pom.xml"));
        Matcher m = Pattern.compile("<artifactId>xp2p-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "version in ../pom.xml");
        return m.group(1);
    }
}
