package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

class IceServersTest {
    private final Clock clock = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);

    @Test
    void credentialIsBase64OfHmacSha1() {
        // RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?") = effcdf6ae5eb2fa2d27416d5f184df9c259a7c79
        assertEquals("7/zfauXrL6LSdBbV8YTfnCWafHk=",
                IceServers.credential("Jefe".getBytes(StandardCharsets.UTF_8), "what do ya want for nothing?"));
    }

    @Test
    void turnEntriesCarryEphemeralCredentialsForThePeer() {
        byte[] secret = "a-static-auth-secret".getBytes(StandardCharsets.UTF_8);
        IceServers ice = new IceServers(List.of("stun:10.0.0.1:3478", "turn:10.0.0.1:3478?transport=udp",
                "turns:turn.example:5349"), Optional.of(secret), 600, clock);
        String username = "1800000600:peerA";
        String credential = IceServers.credential(secret, username);
        assertEquals("[{\"urls\":\"stun:10.0.0.1:3478\"},"
                + "{\"urls\":\"turn:10.0.0.1:3478?transport=udp\",\"username\":\"" + username + "\",\"credential\":\"" + credential + "\"},"
                + "{\"urls\":\"turns:turn.example:5349\",\"username\":\"" + username + "\",\"credential\":\"" + credential + "\"}]",
                ice.json("peerA"));
        assertTrue(!ice.json("peerB").contains(credential), "each peer has its own credential");
        assertEquals("[{\"urls\":\"stun:s\"}]", new IceServers(List.of("stun:s"), Optional.empty(), 600, clock).json("p"));
        assertEquals("[]", new IceServers(List.of(), Optional.empty(), 600, clock).json("p"));
    }

    @Test
    void turnWithoutASecretIsAConfigurationError() {
        Map<String, String> m = new HashMap<>();
        m.put("xp2p.swarm.iceServers", "turn:10.0.0.1:3478");
        ConfigException e = assertThrows(ConfigException.class, () -> SwarmSettings.from(Settings.of(m)));
        assertTrue(e.getMessage().contains("xp2p.swarm.turnSecret"), e.getMessage());
        m.put("xp2p.swarm.turnSecret", "short");
        assertThrows(ConfigException.class, () -> SwarmSettings.from(Settings.of(m)));
        m.put("xp2p.swarm.turnSecret", "a-static-auth-secret");
        assertEquals(3600, SwarmSettings.from(Settings.of(m)).turnTtlSeconds());
    }
}
