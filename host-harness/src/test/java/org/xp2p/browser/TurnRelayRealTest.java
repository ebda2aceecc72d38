package org.xp2p.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.testkit.Poll;
import org.xp2p.testkit.RealTools;

/**
 * NAT traversal through a real TURN server: coturn (Debian's {@code turnserver}) with
 * {@code use-auth-secret} runs in the test namespace; the node hands each peer ephemeral TURN REST
 * credentials ({@code xp2p.swarm.turnSecret}, PROTOCOL 6.7); two Chromium pages play with
 * {@code iceTransportPolicy: 'relay'}, so the only way their chunks can travel is through TURN.
 * Asserted: the child takes verified chunks from its parent, and coturn accepted an allocation
 * for each page's own username ({@code <expiry>:<peer id>}).
 */
@Tag("browser")
class TurnRelayRealTest {
    private static final String SECRET = "turn-rest-secret-for-tests";

    @TempDir
    Path dir;
    private Process turn;
    private final BrowserPages pages = new BrowserPages();

    @AfterEach
    void stop() throws Exception {
        pages.close();
        if (turn != null) {
            turn.destroy();
            turn.waitFor();
        }
    }

    @Test
    void twoPagesExchangeVerifiedChunksOnlyThroughTurn() throws Exception {
        String ip = namespaceAddress();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
            port = probe.getLocalPort();
        }
        Path log = dir.resolve("turnserver.log");
        Path turnserver = RealTools.require("turnserver", "/usr/bin");
        turn = new ProcessBuilder(turnserver.toString(), "-n", "--listening-ip=" + ip, "--relay-ip=" + ip,
                "--listening-port=" + port, "--min-port=49160", "--max-port=49400", "--use-auth-secret",
                "--static-auth-secret=" + SECRET, "--realm=xp2p.test", "--no-tls", "--no-dtls", "--no-cli",
                "--fingerprint", "--log-file=stdout", "--simple-log", "--verbose",
                "--pidfile=" + dir.resolve("turnserver.pid"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int turnPort = port;
        Poll.await("turnserver listening on " + ip + ":" + port, 10_000, () -> {
            if (!turn.isAlive()) {
                fail("turnserver exited: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ip, turnPort), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });

        pages.start(dir, Map.of("xp2p.swarm.iceServers", "turn:" + ip + ":" + port + "?transport=udp",
                "xp2p.swarm.turnSecret", SECRET));
        Json out = pages.run("swarm", 2, 10_000, "&ice=relay", List.of());

        // the page that took most from a peer (it may have been moved back under the server since)
        Json.Page child = out.pages().stream().max(java.util.Comparator.comparingDouble(p -> p.after().num("p2pChunks")))
                .orElseThrow();
        assertTrue(child.after().num("p2pChunks") > 0 && child.after().num("verified") > 0,
                "a page took verified chunks from a peer through TURN: " + out.get("pages") + "\nconsole: "
                        + out.get("console") + "\ncoturn: " + tail(readLog(log)));
        for (Json.Page page : out.pages()) {
            assertTrue(page.after().num("rejected") == 0, "no chunk failed verification: " + page.after());
        }
        String turnLog = Files.readString(log, StandardCharsets.UTF_8);
        for (Json.Page page : out.pages()) {
            String peer = page.after().str("peerId");
            Matcher m = Pattern.compile("user <(\\d+):" + Pattern.quote(peer) + ">: incoming packet ALLOCATE processed, success")
                    .matcher(turnLog);
            assertTrue(m.find(), "coturn allocated a relay for " + peer + " with its ephemeral username:\n"
                    + tail(turnLog));
        }
        System.out.printf("browser TURN relay: child %s took %.0f chunks (%.0f B) from %s through coturn %s:%d%n",
                child.after().str("peerId"), child.after().num("p2pChunks"), child.after().num("p2pBytes"),
                child.after().str("parent"), ip, port);
    }

    /** The veth address of the namespace .ci/browser-tests makes (10.77.0.x); nothing else is used. */
    private static String namespaceAddress() throws IOException {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address && a.getHostAddress().startsWith("10.77.0.")) {
                    return a.getHostAddress();
                }
            }
        }
        fail("no 10.77.0.x address: run inside the namespace of .ci/browser-tests");
        return null;
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }
}
