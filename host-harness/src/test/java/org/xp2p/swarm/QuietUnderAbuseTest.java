package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/**
 * Events any client can cause are logged at DEBUG or, when an operator should hear of them, as
 * rate_limited warnings: 1,000 bad signalling messages, 1,000 bad stream paths and 50 refused
 * joins leave only a few lines at INFO and above.
 */
class QuietUnderAbuseTest {
    @TempDir
    Path data;
    private Host host;
    private final List<SignalClient> clients = new ArrayList<>();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger xp2p = Logger.getLogger("org.xp2p");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue()) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        host = Host.builder().port(0).setting("xp2p.data", data)
                .setting("xp2p.swarm.auth", "none")
                .setting("xp2p.swarm.maxPeersPerRoom", 1)
                .setting("xp2p.swarm.messagesPerSecond", 100_000)
                .setting("xp2p.swarm.messageBurst", 100_000)
                .build().start();
        xp2p.addHandler(capture); // after startup: its lines are not the point
    }

    @AfterEach
    void stop() throws Exception {
        xp2p.removeHandler(capture);
        clients.forEach(SignalClient::close);
        host.stop();
    }

    private SignalClient client() {
        SignalClient c = SignalClient.connect(host.baseUri());
        clients.add(c);
        return c;
    }

    private List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()).toList();
    }

    @Test
    void abuseLeavesAFewLinesAtMost() throws Exception {
        SignalClient bad = client();
        String[] kinds = {
            "not json",
            "{\"v\":2,\"type\":\"ping\"}",
            "{\"v\":1,\"type\":\"nope\"}",
            "{\"v\":1,\"type\":\"join\",\"room\":\"../x\"}",
            "{\"v\":1,\"type\":\"stats\",\"p2pBytes\":1}",
            "{\"v\":1,\"type\":\"offer\",\"to\":\"nobody\",\"data\":{}}",
            "{\"v\":1,\"type\":\"stall\",\"peer\":\"nobody\"}",
            "{\"v\":1,\"type\":\"join\",\"room\":\"r1\",\"stream\":\"no-flv-path\"}",
        };
        for (int i = 0; i < 1000; i++) {
            bad.send(kinds[i % kinds.length]);
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals("error", bad.expect("error").get("type"));
        }
        // refused joins: the room takes one peer
        client().join("full", true, 2, null);
        for (int i = 0; i < 50; i++) {
            SignalClient late = client();
            late.send("{\"v\":1,\"type\":\"join\",\"room\":\"full\"}");
            assertEquals("room_full", late.expect("error").get("code"));
            late.close();
        }
        // bad stream paths
        for (int i = 0; i < 1000; i++) {
            String path = i % 2 == 0 ? "/bad%00path" + i + ".flv" : "/live/../etc" + i + ".flv?xresid=%2e%2e";
            int status = SignalClient.HTTP.send(HttpRequest.newBuilder(URI.create(host.baseUri() + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            assertTrue(status >= 400 && status < 600, path + " -> " + status);
        }
        List<String> lines = lines();
        System.out.println("QuietUnderAbuseTest: " + lines.size() + " lines at INFO or above:\n" + String.join("\n", lines));
        assertTrue(lines.size() <= 5, lines.size() + " lines:\n" + String.join("\n", lines));
    }
}
