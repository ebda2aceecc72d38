package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/** {@code xp2p.auth.mode=callback} decides signalling joins with action {@code join}. */
class JoinCallbackTest {
    @TempDir
    Path data;
    Host host;
    HttpServer auth;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<SignalClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auth.createContext("/auth", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            calls.add(body);
            ex.sendResponseHeaders(body.contains("\"let-me-in\"") ? 200 : 403, -1);
            ex.close();
        });
        auth.start();
        host = Host.builder().port(0).setting("xp2p.data", data)
                .setting("xp2p.auth.mode", "callback")
                .setting("xp2p.auth.callbackUrl", "http://127.0.0.1:" + auth.getAddress().getPort() + "/auth")
                .setting("xp2p.swarm.auth", "none")
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SignalClient::close);
        host.stop();
        auth.stop(0);
    }

    @Test
    void theCallbackDecidesJoins() throws Exception {
        SignalClient ok = SignalClient.connect(host.baseUri());
        clients.add(ok);
        assertEquals("joined", ok.join("live/cam1", false, 0, "\"token\":\"let-me-in\"").get("type"));
        assertTrue(calls.get(0).startsWith("{\"action\":\"join\",\"stream\":\"live/cam1\","), calls.toString());
        assertTrue(calls.get(0).contains("\"token\":\"let-me-in\""), calls.toString());
        assertTrue(calls.get(0).contains("\"client\":\"127.0.0.1\""), calls.toString());

        SignalClient no = SignalClient.connect(host.baseUri());
        clients.add(no);
        no.send("{\"v\":1,\"type\":\"join\",\"room\":\"live/cam1\",\"upload\":false,\"slots\":0,\"token\":\"nope\"}");
        assertEquals("denied", no.expect("error").get("code"));
        assertEquals(1008, no.awaitClose());
    }
}
