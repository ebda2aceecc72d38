package org.xp2p.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OwnerChoiceTest {
    private static final int KEYS = 10_000;

    static Stream<String> choices() {
        return Stream.of("rendezvous", "nginx");
    }

    private static List<ClusterNode> nodes(int n) {
        List<ClusterNode> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ClusterNode.parse("test", "http://10.0.0." + (i + 1) + ":8080"));
        }
        return out;
    }

    private static List<String> keys() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            out.add("live/cam" + i);
        }
        return out;
    }

    private static Map<String, ClusterNode> assign(OwnerChoice choice, List<ClusterNode> members) {
        Map<String, ClusterNode> out = new HashMap<>();
        for (String key : keys()) {
            out.put(key, choice.owner(key, members).orElseThrow());
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("choices")
    void sameMembersGiveSameOwnerWhateverTheOrder(String name) {
        List<ClusterNode> members = nodes(5);
        Map<String, ClusterNode> first = assign(OwnerChoice.named(name), members);
        List<ClusterNode> shuffled = new ArrayList<>(members);
        Collections.shuffle(shuffled, new Random(7));
        // a fresh instance, as on another node, with the members listed in another order
        Map<String, ClusterNode> second = assign(OwnerChoice.named(name), shuffled);
        assertEquals(first, second);
        assertEquals(5, new java.util.HashSet<>(first.values()).size(), "every node owns some streams");
    }

    @ParameterizedTest
    @MethodSource("choices")
    void emptyMembershipHasNoOwner(String name) {
        assertTrue(OwnerChoice.named(name).owner("live/cam1", List.of()).isEmpty());
    }

    @ParameterizedTest
    @MethodSource("choices")
    void keysAreBalanced(String name) {
        for (int n = 3; n <= 5; n++) {
            Map<ClusterNode, Integer> counts = new HashMap<>();
            assign(OwnerChoice.named(name), nodes(n)).values().forEach(node -> counts.merge(node, 1, Integer::sum));
            double mean = (double) KEYS / n;
            int max = Collections.max(counts.values());
            System.out.printf("%s over %d nodes: per-node %s, max/mean %.3f%n", name, n, counts.values(), max / mean);
            assertEquals(n, counts.size());
            assertTrue(max / mean <= 1.3, name + " max/mean " + max / mean + " for " + n + " nodes");
        }
    }

    @ParameterizedTest
    @MethodSource("choices")
    void joiningNodeTakesAboutAQuarterAndOnlyForItself(String name) {
        List<ClusterNode> three = nodes(3);
        List<ClusterNode> four = nodes(4);
        ClusterNode joined = four.get(3);
        Map<String, ClusterNode> before = assign(OwnerChoice.named(name), three);
        Map<String, ClusterNode> after = assign(OwnerChoice.named(name), four);
        int moved = 0;
        for (String key : before.keySet()) {
            if (!before.get(key).equals(after.get(key))) {
                moved++;
                assertEquals(joined, after.get(key), "key " + key + " moved to an old node");
            }
        }
        double fraction = (double) moved / KEYS;
        System.out.printf("%s: adding a 4th node to 3 moved %.3f of keys%n", name, fraction);
        assertTrue(fraction >= 0.18 && fraction <= 0.32, "moved fraction " + fraction);
    }

    @ParameterizedTest
    @MethodSource("choices")
    void leavingNodeMovesOnlyItsOwnKeys(String name) {
        List<ClusterNode> four = nodes(4);
        ClusterNode leaving = four.get(1);
        List<ClusterNode> three = new ArrayList<>(four);
        three.remove(leaving);
        Map<String, ClusterNode> before = assign(OwnerChoice.named(name), four);
        Map<String, ClusterNode> after = assign(OwnerChoice.named(name), three);
        int moved = 0;
        for (String key : before.keySet()) {
            if (before.get(key).equals(leaving)) {
                moved++;
            } else {
                assertEquals(before.get(key), after.get(key), "key " + key + " of a staying node moved");
            }
        }
        double fraction = (double) moved / KEYS;
        System.out.printf("%s: removing 1 of 4 nodes moved %.3f of keys%n", name, fraction);
        assertTrue(fraction >= 0.18 && fraction <= 0.32, "moved fraction " + fraction);
    }

    @org.junit.jupiter.api.Test
    void nginxChoiceUsesHostAndPortOfTheBaseUrl() {
        ClusterNode a = ClusterNode.parse("test", "http://127.0.0.1:8081/");
        ClusterNode b = ClusterNode.parse("test", "HTTP://127.0.0.1:8081");
        assertEquals(a, b);
        assertEquals("127.0.0.1:8081", a.upstreamName());
        assertEquals("http://127.0.0.1:8081/live/a.flv?x=1", a.urlFor("/live/a.flv", "x=1"));
    }
}
