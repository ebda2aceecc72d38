package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/** A code issued with {@code POST /code?xresid=R} admits to room R only. */
class JoinBoundCodeTest {
    @TempDir
    Path data;
    Host host;
    final List<SignalClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        host = Host.builder().port(0).setting("xp2p.data", data).setting("xp2p.swarm.auth", "required").build().start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SignalClient::close);
        host.stop();
    }

    private String issue(String room) throws Exception {
        HttpResponse<String> r = SignalClient.HTTP.send(HttpRequest.newBuilder(
                URI.create(host.baseUri() + "/code?xresid=" + room)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return (String) SignalClient.parse(r.body()).get("code");
    }

    @Test
    void aBoundCodeJoinsItsRoomOnly() throws Exception {
        String code = issue("live/cam1");
        SignalClient ok = SignalClient.connect(host.baseUri());
        clients.add(ok);
        assertEquals("joined", ok.join("live/cam1", false, 0, "\"code\":\"" + code + "\"").get("type"));

        SignalClient other = SignalClient.connect(host.baseUri());
        clients.add(other);
        other.send("{\"v\":1,\"type\":\"join\",\"room\":\"live/cam2\",\"upload\":false,\"slots\":0,\"code\":\"" + code + "\"}");
        Map<String, Object> error = other.expect("error");
        assertEquals("code_other_stream", error.get("code"));
        assertEquals(1008, other.awaitClose());
    }
}
