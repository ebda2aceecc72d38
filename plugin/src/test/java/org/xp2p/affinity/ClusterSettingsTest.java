package org.xp2p.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

class ClusterSettingsTest {
    private static final String NODES = "http://10.0.0.2:8080, http://10.0.0.1:8080/";

    @Test
    void noClusterWithoutNodes() {
        assertTrue(ClusterSettings.from(Settings.of(Map.of())).isEmpty());
    }

    @Test
    void staticClusterIsValidatedAndSorted() {
        ClusterSettings c = ClusterSettings.from(Settings.of(Map.of(
                "xp2p.cluster.nodes", NODES, "xp2p.cluster.self", "http://10.0.0.2:8080/",
                "xp2p.cluster.redirect", "307", "xp2p.cluster.mode", "PROXY"))).orElseThrow();
        assertEquals("http://10.0.0.2:8080", c.self().id());
        assertEquals("http://10.0.0.1:8080", c.staticNodes().get(0).id());
        assertEquals(307, c.redirectStatus());
        assertEquals("proxy", c.mode());
        assertEquals("rendezvous", c.hash());
        assertEquals(3_000, c.liveWindowMillis());
    }

    @Test
    void selfMustBeOneOfTheNodes() {
        ConfigException e = assertThrows(ConfigException.class, () -> ClusterSettings.from(Settings.of(Map.of(
                "xp2p.cluster.nodes", NODES, "xp2p.cluster.self", "http://10.0.0.3:8080"))));
        assertTrue(e.getMessage().contains("xp2p.cluster.self") && e.getMessage().contains("must be one of"),
                e.getMessage());
    }

    @Test
    void selfIsRequiredWithNodes() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterSettings.from(Settings.of(Map.of("xp2p.cluster.nodes", NODES))));
        assertTrue(e.getMessage().contains("xp2p.cluster.self"), e.getMessage());
    }

    @Test
    void selfWithoutNodesIsAnError() {
        assertThrows(ConfigException.class, () -> ClusterSettings.from(Settings.of(Map.of(
                "xp2p.cluster.self", "http://10.0.0.1:8080"))));
    }

    @Test
    void badValuesNameTheKey() {
        Map<String, String> base = Map.of("xp2p.cluster.nodes", NODES, "xp2p.cluster.self", "http://10.0.0.1:8080");
        for (String[] bad : new String[][] {{"xp2p.cluster.redirect", "301"}, {"xp2p.cluster.mode", "magic"},
                {"xp2p.cluster.membership", "dns"}, {"xp2p.cluster.heartbeatMillis", "0"},
                {"xp2p.cluster.missedBeats", "x"}, {"xp2p.cluster.hash", "md5"}}) {
            Map<String, String> values = new java.util.HashMap<>(base);
            values.put(bad[0], bad[1]);
            ConfigException e = assertThrows(ConfigException.class, () -> ClusterSettings.from(Settings.of(values)));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
        assertThrows(ConfigException.class, () -> ClusterSettings.from(Settings.of(Map.of(
                "xp2p.cluster.nodes", "http://a:1,http://a:1/", "xp2p.cluster.self", "http://a:1"))));
        assertThrows(ConfigException.class, () -> ClusterSettings.from(Settings.of(Map.of(
                "xp2p.cluster.nodes", "ftp://a:1", "xp2p.cluster.self", "ftp://a:1"))));
    }

    @Test
    void databaseMembershipNeedsOnlySelf() {
        ClusterSettings c = ClusterSettings.from(Settings.of(Map.of(
                "xp2p.cluster.membership", "database", "xp2p.cluster.self", "http://10.0.0.1:8080",
                "xp2p.cluster.heartbeatMillis", "200", "xp2p.cluster.missedBeats", "5"))).orElseThrow();
        assertEquals("database", c.membership());
        assertTrue(c.staticNodes().isEmpty());
        assertEquals(1_000, c.liveWindowMillis());
    }
}
