package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;

/**
 * {@code xp2p.auth.mode=token} applies to signalling joins: the token that opens a stream also
 * lets its holder join that stream's room (room = stream id), and no other room.
 */
class JoinTokenAuthTest {
    static final String SECRET = "0123456789abcdef-test-secret";

    @TempDir
    Path data;
    Host host;
    final List<SignalClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        host = Host.builder().port(0).setting("xp2p.data", data)
                .setting("xp2p.auth.mode", "token")
                .setting("xp2p.swarm.tokenSecret", SECRET)
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(SignalClient::close);
        host.stop();
    }

    SignalClient client() {
        SignalClient c = SignalClient.connect(host.baseUri());
        clients.add(c);
        return c;
    }

    private Map<String, Object> refusedJoin(String room, String extra) {
        SignalClient c = client();
        c.send("{\"v\":1,\"type\":\"join\",\"room\":\"" + room + "\",\"upload\":false,\"slots\":0"
                + (extra == null ? "" : "," + extra) + "}");
        Map<String, Object> error = c.expect("error");
        assertEquals(1008, c.awaitClose(), "a refused first join closes with policy violation");
        return error;
    }

    @Test
    void theStreamTokenAdmitsToItsRoomOnly() throws Exception {
        long exp = System.currentTimeMillis() / 1000 + 600;
        String t = org.xp2p.relay.StreamTokenAuthTestAccess.token(SECRET, "live/cam1", exp);
        Map<String, Object> joined = client().join("live/cam1", false, 0, "\"token\":\"" + t + "\"");
        assertEquals("joined", joined.get("type"));

        assertEquals("token_missing", refusedJoin("live/cam1", null).get("code"));
        assertEquals("token_bad", refusedJoin("live/cam2", "\"token\":\"" + t + "\"").get("code"));
        String expired = org.xp2p.relay.StreamTokenAuthTestAccess.token(SECRET, "live/cam1", exp - 1200);
        assertEquals("token_expired", refusedJoin("live/cam1", "\"token\":\"" + expired + "\"").get("code"));
        assertEquals("token_bad", refusedJoin("live/cam1", "\"token\":\"" + t + ".x\"").get("code"));
    }
}
