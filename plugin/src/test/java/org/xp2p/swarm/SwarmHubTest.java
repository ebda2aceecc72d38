package org.xp2p.swarm;

import org.xp2p.testkit.Poll;
import org.xp2p.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xp2p.config.Settings;
import org.xp2p.keys.KeyStoreUnavailableException;
import org.xp2p.relay.ChunkDigest;
import org.xp2p.relay.ChunkFeed;
import org.xp2p.relay.StreamAddress;
import org.xp2p.relay.StreamFailure;
import org.xp2p.relay.StreamHold;
import org.xp2p.relay.StreamPosition;

/**
 * The protocol without WebSocket: a controllable chunk feed and in-memory links, for what the
 * deployed WAR cannot show (the real relay is wired there): digests, stream position, key codes.
 */
class SwarmHubTest {
    private final TestFeed feed = new TestFeed();
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private SwarmHub hub;

    private SwarmHub hub(Map<String, String> settings) {
        // rebalancing off unless a test asks for it: the housekeeping thread must not move peers mid-test;
        // declared slots count in full before any measurement unless a test asks for probing
        Map<String, String> all = new HashMap<>(Map.of("xp2p.swarm.auth", "optional", "xp2p.swarm.rebalanceMovesPerSecond", "0",
                "xp2p.swarm.probeSlots", "64"));
        all.putAll(settings);
        hub = new SwarmHub(SwarmSettings.from(Settings.of(all)), feed, code -> {
            if (code.equals("down")) {
                throw new KeyStoreUnavailableException("store down", null);
            }
            return code.equals("good-code") ? Optional.of(new byte[16]) : Optional.empty();
        }, clock, "/ctx");
        return hub;
    }

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void joinedCarriesStreamPositionAndDigestsReachEveryMemberUntilTheRoomEmpties() {
        hub(Map.of());
        feed.positions.put("live/cam1", new StreamPosition("live/cam1", "/live/cam1.flv", 3, 41, 30));
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"live/cam1\",\"upload\":true}");
        String joined = la.first("\"joined\"");
        assertTrue(joined.contains("\"stream\":{\"path\":\"/ctx/live/cam1.flv\",\"epoch\":3,\"lastSeq\":41,\"firstSeq\":30,"
                + "\"init\":\"/ctx/live/cam1.flv?xp2p=init\",\"chunk\":\"/ctx/live/cam1.flv?xp2p=chunk&seq={seq}\"}"), joined);
        assertEquals(1, feed.listeners.get("live/cam1").size(), "subscribed once on the first join");

        TestLink lb = new TestLink();
        Peer b = hub.connect(lb, null);
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"live/cam1\"}");
        assertEquals(1, feed.listeners.get("live/cam1").size(), "one subscription per room");

        feed.emit(new ChunkDigest("live/cam1", 3, 42, 1234, "ab".repeat(32), true));
        String expected = "{\"v\":1,\"type\":\"digest\",\"room\":\"live/cam1\",\"epoch\":3,\"seq\":42,\"size\":1234,"
                + "\"sha256\":\"" + "ab".repeat(32) + "\",\"keyframe\":true}";
        assertEquals(expected, la.first("\"digest\""));
        assertEquals(expected, lb.first("\"digest\""));

        hub.disconnect(a, "test");
        hub.disconnect(b, "test");
        assertEquals(0, feed.listeners.get("live/cam1").size(), "unsubscribed when the room emptied");
        assertEquals(1, feed.closed);
    }

    /** A digest is encoded once per room: every member's link is handed the very same text. */
    @Test
    void aDigestIsEncodedOnceForTheWholeRoom() {
        hub(Map.of("xp2p.swarm.maxPeersPerRoom", "100"));
        List<TestLink> links = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            TestLink l = new TestLink();
            links.add(l);
            hub.onText(hub.connect(l, null), "{\"v\":1,\"type\":\"join\",\"room\":\"live/cam1\"}");
        }
        feed.emit(new ChunkDigest("live/cam1", 1, 7, 1000, "cd".repeat(32), false));
        Set<String> texts = Collections.newSetFromMap(new IdentityHashMap<>());
        for (TestLink l : links) {
            texts.add(l.first("\"digest\""));
        }
        assertEquals(1, texts.size(), "one String instance for 40 members");
    }

    @Test
    void keyCodesAuthorizeAndAStoreOutageAsksToRetry() {
        hub(Map.of("xp2p.swarm.auth", "required"));
        TestLink ok = new TestLink();
        hub.onText(hub.connect(ok, null), "{\"v\":1,\"type\":\"join\",\"room\":\"cam\",\"code\":\"good-code\"}");
        ok.first("\"joined\"");
        TestLink down = new TestLink();
        hub.onText(hub.connect(down, null), "{\"v\":1,\"type\":\"join\",\"room\":\"cam\",\"code\":\"down\"}");
        assertTrue(down.first("\"error\"").contains("\"code\":\"unavailable\""));
        assertEquals(List.of(1013), down.closes);
    }

    @Test
    void tokensAreCheckedAgainstRoomAndClock() {
        byte[] secret = "0123456789abcdef".getBytes();
        long now = clock.instant().getEpochSecond();
        assertTrue(SwarmToken.verify(secret, "cam", SwarmToken.issue(secret, "cam", now + 1), now));
        assertFalse(SwarmToken.verify(secret, "cam", SwarmToken.issue(secret, "cam", now - 1), now));
        assertFalse(SwarmToken.verify(secret, "cam2", SwarmToken.issue(secret, "cam", now + 1), now));
        assertFalse(SwarmToken.verify("another-secret-16".getBytes(), "cam", SwarmToken.issue(secret, "cam", now + 1), now));
        assertFalse(SwarmToken.verify(secret, "cam", "garbage", now));
    }

    @Test
    void capsOnRoomSizeAndRoomsPerConnection() {
        hub(Map.of("xp2p.swarm.maxPeersPerRoom", "1", "xp2p.swarm.maxRoomsPerConnection", "2"));
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"r1\"}");
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"r2\"}");
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"r3\"}");
        assertTrue(la.first("\"error\"").contains("\"code\":\"too_many_rooms\""));
        hub.onText(a, "{\"v\":1,\"type\":\"offer\",\"to\":\"x\",\"data\":{}}");
        assertTrue(la.all("\"error\"").get(1).contains("\"code\":\"room_required\""));

        TestLink lb = new TestLink();
        Peer b = hub.connect(lb, null);
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"r1\"}");
        assertTrue(lb.first("\"error\"").contains("\"code\":\"room_full\""));
        assertEquals(List.of(1013), lb.closes);
        assertEquals(1, hub.roomFlow("r1").orElseThrow().peers());
    }

    @Test
    void stallReportsMoveTheChildAndUnknownParentsAreRefused() {
        hub(Map.of("xp2p.swarm.maxSlots", "1"));
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"r\",\"upload\":true}");
        TestLink lb = new TestLink();
        Peer b = hub.connect(lb, null);
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"r\",\"upload\":true}");
        assertTrue(lb.all("\"parent\"").get(0).contains("\"parent\":\"" + a.id + "\""));
        hub.onText(b, "{\"v\":1,\"type\":\"stall\",\"peer\":\"" + a.id + "\",\"reason\":\"unreachable\"}");
        assertTrue(lb.all("\"parent\"").get(1).contains("\"parent\":\"server\""), lb.messages.toString());
        hub.onText(b, "{\"v\":1,\"type\":\"stall\",\"peer\":\"" + a.id + "\"}");
        assertTrue(lb.first("\"error\"").contains("\"code\":\"not_your_parent\""));
    }

    @Test
    void nodeTotalsKeepClosedRoomsAndUnknownRoomsHaveNoFlow() {
        hub(Map.of());
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"gone\"}");
        hub.onText(a, "{\"v\":1,\"type\":\"stats\",\"p2pBytes\":7,\"cdnBytes\":3,\"uploadBytes\":2,\"stalls\":1}");
        TestLink lb = new TestLink();
        Peer b = hub.connect(lb, null);
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"live\"}");
        hub.onText(b, "{\"v\":1,\"type\":\"stats\",\"p2pBytes\":10,\"cdnBytes\":0}");
        hub.onText(a, "{\"v\":1,\"type\":\"leave\"}");
        assertTrue(la.first("\"left\"").contains("\"room\":\"gone\""));
        assertEquals(Optional.empty(), hub.roomFlow("gone"), "an emptied room is unknown (404)");
        assertEquals(new Flow(17, 3, 2, 1, 1), hub.nodeFlow(), "the node keeps the closed room's bytes");
        feed.positions.put("relayed", new StreamPosition("relayed", "/relayed.flv", 1, -1, 0));
        assertEquals(Optional.of(Flow.ZERO), hub.roomFlow("relayed"), "a relayed stream without peers exists");
    }

    @Test
    void peersBelowAMovedPeerLearnTheirNewDepth() {
        hub(Map.of("xp2p.swarm.maxSlots", "1"));
        TestLink la = new TestLink();
        TestLink lb = new TestLink();
        TestLink lc = new TestLink();
        Peer a = hub.connect(la, null);
        Peer b = hub.connect(lb, null);
        Peer c = hub.connect(lc, null);
        for (Peer p : new Peer[] {a, b, c}) {
            hub.onText(p, "{\"v\":1,\"type\":\"join\",\"room\":\"r\",\"upload\":true}");
        }
        assertTrue(lc.all("\"parent\"").get(0).contains("\"parent\":\"" + b.id + "\",\"depth\":3"), lc.messages.toString());
        hub.onText(a, "{\"v\":1,\"type\":\"leave\"}");
        // b moves up under the server; c keeps its parent b but is now at depth 2, and is told so
        assertTrue(lb.all("\"parent\"").get(1).contains("\"parent\":\"server\",\"depth\":1"), lb.messages.toString());
        List<String> toC = lc.all("\"parent\"");
        assertEquals(2, toC.size(), lc.messages.toString());
        assertTrue(toC.get(1).contains("\"parent\":\"" + b.id + "\",\"depth\":2"), toC.get(1));
    }

    @Test
    void aStandbyListNamingAFullPeerIsRefreshed() {
        hub(Map.of("xp2p.swarm.maxSlots", "2", "xp2p.swarm.standbyCount", "2"));
        TestLink[] links = new TestLink[4];
        Peer[] peers = joinAll(links, "r", "\"upload\":true,\"slots\":2", "\"upload\":true,\"slots\":1",
                "\"upload\":false", "\"upload\":true,\"slots\":1");
        // a=0 took b=1 and the leaf c=2; c's standby named b, which took d=3 and is full now
        String b = peers[1].id;
        List<String> toC = links[2].all("\"parent\"");
        assertTrue(toC.get(0).contains("\"standby\":[\"" + b + "\"]"), toC.toString());
        assertEquals(2, toC.size(), "c is told once more: " + toC);
        assertFalse(toC.get(1).contains(b), "the fresh list leaves the full b out: " + toC);
        assertTrue(toC.get(1).contains("\"parent\":\"" + peers[0].id + "\""), "same parent: keep the link");
    }

    /** Four digests of {@code bytes} a second apart: the room's bitrate becomes {@code bytes} B/s. */
    private void streamAt(String room, int bytes) {
        ChunkFeed.StreamListener listener = feed.listeners.get(room).get(0);
        for (int seq = 0; seq < 4; seq++) {
            listener.digest(new ChunkDigest(room, 1, seq, bytes, "00", seq == 0));
            clock.advance(Duration.ofSeconds(1));
        }
    }

    private int slotsOf(String room, Peer p) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\":\"" + p.id + "\"[^}]*?\"slots\":(\\d+)")
                .matcher(hub.roomView(room).orElseThrow());
        assertTrue(m.find(), "peer " + p.id + " in the view");
        return Integer.parseInt(m.group(1));
    }

    private int childrenOf(String room, Peer p) {
        return hub.roomView(room).orElseThrow().split("\"parent\":\"" + p.id + "\"").length - 1;
    }

    @Test
    void rebalancingMovesServerChildrenBelowAMeasuredNewcomerAndTellsThem() {
        hub(Map.of("xp2p.swarm.maxSlots", "4", "xp2p.swarm.rebalanceMovesPerSecond", "4"));
        TestLink[] links = new TestLink[3];
        Peer[] peers = joinAll(links, "r", "\"upload\":false", "\"upload\":false", "\"upload\":true,\"slots\":4");
        assertTrue(links[2].first("\"parent\"").contains("\"parent\":\"server\""), "three server children on arrival");
        hub.rebalance();
        assertTrue(hub.roomView("r").orElseThrow().contains("\"serverChildren\":3"),
                "nobody moves below a peer whose upload was never measured");
        streamAt("r", 250_000);
        hub.onText(peers[2], "{\"v\":1,\"type\":\"stats\",\"uploadRate\":1000000}");
        // what the housekeeping thread does once a second (it may have run already: the result is the same)
        hub.rebalance();
        for (int i = 0; i < 2; i++) {
            List<String> p = links[i].all("\"parent\"");
            assertTrue(p.get(p.size() - 1).contains("\"parent\":\"" + peers[2].id + "\",\"depth\":2"), p.toString());
        }
        assertTrue(links[2].first("\"children\"").contains(peers[0].id));
        assertTrue(hub.roomView("r").orElseThrow().contains("\"serverChildren\":1"));
    }

    @Test
    void rebalancingNeverPutsAPeerBackBelowAParentItReported() {
        hub(Map.of("xp2p.swarm.maxSlots", "2", "xp2p.swarm.rebalanceMovesPerSecond", "4"));
        TestLink la = new TestLink();
        TestLink lb = new TestLink();
        Peer a = hub.connect(la, null);
        Peer b = hub.connect(lb, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"r\",\"upload\":true}");
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"r\",\"upload\":true}");
        streamAt("r", 250_000);
        hub.onText(a, "{\"v\":1,\"type\":\"stats\",\"uploadRate\":1000000}");
        hub.onText(b, "{\"v\":1,\"type\":\"stall\",\"peer\":\"" + a.id + "\",\"reason\":\"unreachable\"}");
        assertTrue(lb.all("\"parent\"").get(1).contains("\"parent\":\"server\""));
        hub.rebalance();
        List<String> toB = lb.all("\"parent\"");
        assertEquals(2, toB.size(), "b stays with the server: " + toB);
    }

    @Test
    void measuredUploadSetsAParentsSlotsDownAndUp() {
        hub(Map.of("xp2p.swarm.maxSlots", "4"));
        TestLink[] links = new TestLink[4];
        Peer[] peers = joinAll(links, "r", "\"upload\":true,\"slots\":4", "\"upload\":true,\"slots\":4",
                "\"upload\":false", "\"upload\":false");
        Peer a = peers[0];
        assertEquals(3, childrenOf("r", a), "a feeds b, c, d");
        streamAt("r", 250_000);
        // a child needs 1.25 x 250,000 B/s: a manages 320,000 B/s, enough for one child, not three
        hub.onText(a, "{\"v\":1,\"type\":\"stats\",\"uploadBytes\":320000,\"uploadRate\":320000}");
        assertEquals(1, childrenOf("r", a));
        assertEquals(2, childrenOf("r", peers[1]), "the two moved children went below b, the other uploader");
        // a fast parent keeps its children; no rate (nothing sent lately) keeps the last measurement
        hub.onText(peers[1], "{\"v\":1,\"type\":\"stats\",\"uploadRate\":1000000}");
        hub.onText(peers[1], "{\"v\":1,\"type\":\"stats\",\"uploadRate\":0}");
        assertEquals(2, childrenOf("r", peers[1]));
        assertEquals(3, slotsOf("r", peers[1]), "1,000,000 / 312,500 B/s per child");
        hub.onText(peers[1], "{\"v\":1,\"type\":\"stats\",\"uploadRate\":900000}");
        assertEquals(3, slotsOf("r", peers[1]), "less than 10 % short of three children: kept");
        hub.onText(peers[1], "{\"v\":1,\"type\":\"stats\",\"uploadRate\":800000}");
        assertEquals(2, slotsOf("r", peers[1]), "more than 10 % short: lowered");
        // a slow report about b lowers it to one child: the other goes back below a? no: a is full
        hub.onText(a, "{\"v\":1,\"type\":\"stats\",\"uploadBytes\":640000,\"uploadRate\":1300000}");
        hub.onText(peers[1], "{\"v\":1,\"type\":\"stats\",\"uploadRate\":320000}");
        assertEquals(1, childrenOf("r", peers[1]));
        assertEquals(2, childrenOf("r", a), "a measured at 1,300,000 B/s took the child b had to give up");
    }

    @Test
    void anUnmeasuredPeerGetsProbeSlotsAndADemotionIsLiftedLater() {
        hub(Map.of("xp2p.swarm.maxSlots", "4", "xp2p.swarm.probeSlots", "1", "xp2p.swarm.stallStrikes", "1",
                "xp2p.swarm.demotionSeconds", "60"));
        TestLink[] links = new TestLink[3];
        Peer[] peers = joinAll(links, "r", "\"upload\":true,\"slots\":4", "\"upload\":false", "\"upload\":false");
        assertEquals(1, childrenOf("r", peers[0]), "one probe slot until a measurement");
        streamAt("r", 250_000);
        hub.onText(peers[0], "{\"v\":1,\"type\":\"stats\",\"uploadRate\":2000000}");
        hub.onText(peers[1], "{\"v\":1,\"type\":\"stall\",\"peer\":\"" + peers[0].id + "\"}");
        assertTrue(hub.roomView("r").orElseThrow().contains("\"id\":\"" + peers[0].id + "\",\"parent\":\"server\",\"depth\":1,\"children\":[],\"slots\":0"),
                "one strike demotes: " + hub.roomView("r").orElseThrow());
        clock.advance(Duration.ofSeconds(59));
        hub.rebalance();
        assertEquals(0, childrenOf("r", peers[0]), "still a leaf within the demotion");
        clock.advance(Duration.ofSeconds(1));
        hub.rebalance();
        assertTrue(hub.roomView("r").orElseThrow().contains("\"slots\":4"), "measured slots back after 60 s");
    }

    @Test
    void aStallOfADeadlineEndingSoonAfterTheDigestMovesTheChildWithoutAStrike() {
        hub(Map.of("xp2p.swarm.maxSlots", "4", "xp2p.swarm.probeSlots", "4", "xp2p.swarm.stallStrikes", "1"));
        TestLink[] links = new TestLink[4];
        Peer[] peers = joinAll(links, "r", "\"upload\":true,\"slots\":4", "\"upload\":false", "\"upload\":false",
                "\"upload\":false");
        assertEquals(3, childrenOf("r", peers[0]));
        hub.onText(peers[1], "{\"v\":1,\"type\":\"stall\",\"room\":\"r\",\"peer\":\"" + peers[0].id + "\",\"afterDigestMs\":1999}");
        assertEquals(2, childrenOf("r", peers[0]), "the reporter moved away: " + hub.roomView("r").orElseThrow());
        assertTrue(hub.roomView("r").orElseThrow().contains("\"id\":\"" + peers[0].id + "\",\"parent\":\"server\",\"depth\":1,\"children\":[\""
                + peers[2].id + "\",\"" + peers[3].id + "\"],\"slots\":4"), "no strike: its other children stay: " + hub.roomView("r").orElseThrow());
        assertTrue(links[1].all("\"error\"").isEmpty(), links[1].messages.toString());
        hub.onText(peers[2], "{\"v\":1,\"type\":\"stall\",\"room\":\"r\",\"peer\":\"" + peers[0].id + "\",\"afterDigestMs\":2000}");
        assertEquals(0, childrenOf("r", peers[0]), "from blameAfterMillis on, a report strikes (one strike demotes here)");
        hub.onText(peers[3], "{\"v\":1,\"type\":\"stall\",\"room\":\"r\",\"peer\":\"server\",\"afterDigestMs\":-1}");
        String refused = links[3].first("\"error\"");
        assertTrue(refused.contains("\"code\":\"bad_field\"") && refused.contains("afterDigestMs"), refused);
    }

    @Test
    void reportsFromMuchOfTheRoomAtOnceMoveTheirChildrenButStrikeNoParent() {
        hub(Map.of("xp2p.swarm.maxSlots", "1", "xp2p.swarm.probeSlots", "1", "xp2p.swarm.stallStrikes", "1"));
        String[] fields = new String[24];
        Arrays.fill(fields, "\"upload\":true,\"slots\":1");
        Peer[] peers = joinAll(new TestLink[fields.length], "r", fields);
        // 24 peers with one slot each: chains below the server, 20 of them below another peer
        List<Peer> reporters = new ArrayList<>();
        for (Peer p : peers) {
            if (!parentIn("r", p).equals("server")) {
                reporters.add(p);
            }
        }
        assertTrue(reporters.size() >= 12, hub.roomView("r").orElseThrow());
        // a storm needs StrikeStorm.MIN_REPORTS (10) within 2 s in a room this small: nine strike
        List<String> struck = new ArrayList<>();
        for (int i = 0; i < StrikeStorm.MIN_REPORTS; i++) {
            Peer child = reporters.get(i);
            String parent = parentIn("r", child);
            struck.add(parent);
            hub.onText(child, "{\"v\":1,\"type\":\"stall\",\"room\":\"r\",\"peer\":\"" + parent + "\",\"afterDigestMs\":2500}");
            assertNotEquals(parent, parentIn("r", child), "the reporter moved");
        }
        for (int i = 0; i < StrikeStorm.MIN_REPORTS - 1; i++) {
            assertTrue(demoted("r", struck.get(i)), "report " + i + " struck: " + hub.roomView("r").orElseThrow());
        }
        String spared = struck.get(StrikeStorm.MIN_REPORTS - 1);
        assertFalse(demoted("r", spared), "the tenth report within 2 s is a storm: no strike: " + hub.roomView("r").orElseThrow());

        clock.advance(Duration.ofMillis(StrikeStorm.WINDOW_MILLIS));
        Peer child = reporters.get(StrikeStorm.MIN_REPORTS);
        String parent = parentIn("r", child);
        hub.onText(child, "{\"v\":1,\"type\":\"stall\",\"room\":\"r\",\"peer\":\"" + parent + "\",\"afterDigestMs\":2500}");
        assertTrue(demoted("r", parent), "the storm has passed: a report strikes again: " + hub.roomView("r").orElseThrow());
    }

    private String parentIn(String room, Peer p) {
        Matcher m = Pattern.compile("\"id\":\"" + Pattern.quote(p.id) + "\",\"parent\":\"([^\"]+)\"").matcher(hub.roomView(room).orElseThrow());
        assertTrue(m.find(), p.id + " not in " + hub.roomView(room).orElseThrow());
        return m.group(1);
    }

    private boolean demoted(String room, String peer) {
        Matcher m = Pattern.compile("\"id\":\"" + Pattern.quote(peer) + "\"[^}]*\"demoted\":(true|false)").matcher(hub.roomView(room).orElseThrow());
        assertTrue(m.find(), peer + " not in " + hub.roomView(room).orElseThrow());
        return m.group(1).equals("true");
    }

    @Test
    void offersPassAlongTreeEdgesOnly() {
        hub(Map.of("xp2p.swarm.maxSlots", "1"));
        TestLink la = new TestLink();
        TestLink lb = new TestLink();
        TestLink lc = new TestLink();
        Peer a = hub.connect(la, null);
        Peer b = hub.connect(lb, null);
        Peer c = hub.connect(lc, null);
        for (Peer p : new Peer[] {a, b, c}) {
            hub.onText(p, "{\"v\":1,\"type\":\"join\",\"room\":\"r\",\"upload\":true}");
        }
        // one slot each: server <- a <- b <- c
        assertTrue(lc.all("\"parent\"").get(0).contains("\"parent\":\"" + b.id + "\""), lc.messages.toString());

        hub.onText(c, "{\"v\":1,\"type\":\"offer\",\"to\":\"" + b.id + "\",\"data\":{\"sdp\":\"x\"}}");
        assertTrue(lb.first("\"offer\"").contains("\"from\":\"" + c.id + "\""), "child to parent passes");
        hub.onText(b, "{\"v\":1,\"type\":\"answer\",\"to\":\"" + c.id + "\",\"data\":{\"sdp\":\"y\"}}");
        assertTrue(lc.first("\"answer\"").contains("\"from\":\"" + b.id + "\""), "parent to child passes");

        hub.onText(c, "{\"v\":1,\"type\":\"offer\",\"to\":\"" + a.id + "\",\"data\":{\"sdp\":\"x\"}}");
        assertTrue(lc.first("\"error\"").contains("\"code\":\"not_an_edge\""), lc.messages.toString());
        hub.onText(a, "{\"v\":1,\"type\":\"candidate\",\"to\":\"" + c.id + "\",\"data\":{}}");
        assertTrue(la.first("\"error\"").contains("\"code\":\"not_an_edge\""), la.messages.toString());
        assertEquals(List.of(), la.all("\"offer\""), "nothing reached a non-neighbour");
        assertEquals(List.of(), lc.all("\"candidate\""));
    }

    @Test
    void statKeepsTheFinalReportsOfDepartedPeersWhileTheStreamIsRelayed() {
        hub(Map.of());
        feed.positions.put("cam", new StreamPosition("cam", "/cam.flv", 1, -1, 0));
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"cam\"}");
        hub.onText(a, "{\"v\":1,\"type\":\"stats\",\"p2pBytes\":30,\"cdnBytes\":10,\"uploadBytes\":5,\"stalls\":2}");
        hub.onText(a, "{\"v\":1,\"type\":\"leave\"}");
        assertEquals(Optional.of(new Flow(30, 10, 5, 2, 0)), hub.roomFlow("cam"),
                "the last peer left, the stream is still relayed: its final report stays");
        assertEquals(new Flow(30, 10, 5, 2, 0), hub.nodeFlow());

        // the room opens again and continues from there; the node counts every byte once
        Peer b = hub.connect(new TestLink(), null);
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"cam\"}");
        hub.onText(b, "{\"v\":1,\"type\":\"stats\",\"p2pBytes\":1,\"cdnBytes\":1}");
        assertEquals(Optional.of(new Flow(31, 11, 5, 2, 1)), hub.roomFlow("cam"));
        assertEquals(new Flow(31, 11, 5, 2, 1), hub.nodeFlow());

        hub.onText(b, "{\"v\":1,\"type\":\"leave\"}");
        feed.positions.remove("cam");
        assertEquals(Optional.empty(), hub.roomFlow("cam"), "neither room nor stream: unknown");
        assertEquals(new Flow(31, 11, 5, 2, 0), hub.nodeFlow());
    }

    @Test
    void aRepeatedFailureReachesOnlyTheMembersThatHaveNotHeardIt() {
        hub(Map.of());
        TestLink la = member("cam-8");
        TestLink lb = member("cam-8");
        StreamFailure notFound = StreamFailure.of("cam-8", 404, "stream not found at the origin (x)");
        feed.fail(notFound);
        assertEquals(1, la.all("\"stream-failed\"").size());
        assertEquals(1, lb.all("\"stream-failed\"").size());

        // a newcomer's join starts another attempt, which fails the same way: news to the newcomer only
        TestLink lc = member("cam-8");
        feed.fail(notFound);
        assertEquals(1, la.all("\"stream-failed\"").size(), "a already knew");
        assertEquals(1, lb.all("\"stream-failed\"").size(), "b already knew");
        assertEquals(1, lc.all("\"stream-failed\"").size(), "c is told");

        // another failure is news to everyone
        feed.fail(StreamFailure.of("cam-8", 502, "origin unreachable (y)"));
        assertEquals(2, la.all("\"stream-failed\"").size());
        assertEquals(2, lc.all("\"stream-failed\"").size());
        assertTrue(la.all("\"stream-failed\"").get(1).contains("\"error\":\"bad_origin\""));

        // and after the stream was live, so is the first one again
        StreamPosition live = new StreamPosition("cam-8", "/cam-8.flv", 3, -1, 0);
        feed.positions.put("cam-8", live);
        feed.live(live);
        feed.positions.remove("cam-8");
        feed.fail(notFound);
        assertEquals(3, la.all("\"stream-failed\"").size());
        assertEquals(3, lb.all("\"stream-failed\"").size());
        assertEquals(3, lc.all("\"stream-failed\"").size());
    }

    /** A new connection that has joined {@code room}; its link records what the hub sends it. */
    private TestLink member(String room) {
        TestLink link = new TestLink();
        hub.onText(hub.connect(link, null), "{\"v\":1,\"type\":\"join\",\"room\":\"" + room + "\"}");
        return link;
    }

    @Test
    void aRoomHoldsItsStreamOnceAnnouncesEachEpochOnceAndRetriesAfterAFailure() {
        hub(Map.of());
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"cam-7\",\"stream\":\"/live/cam7.flv\"}");
        assertTrue(la.first("\"joined\"").contains("\"stream\":null"));
        assertEquals(1, feed.holds.size(), "the first join holds the stream");
        assertEquals("cam-7", feed.holds.get(0).streamId(), "the room stays the stream id");
        assertEquals("/live/cam7.flv", feed.holds.get(0).path());

        TestLink lb = new TestLink();
        Peer b = hub.connect(lb, null);
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"cam-7\"}");
        assertEquals(1, feed.holds.size(), "one hold per room");

        StreamPosition live = new StreamPosition("cam-7", "/live/cam7.flv", 5, -1, 0);
        feed.positions.put("cam-7", live);
        feed.live(live);
        String expected = "{\"v\":1,\"type\":\"stream\",\"room\":\"cam-7\",\"stream\":{\"path\":\"/ctx/live/cam7.flv\","
                + "\"epoch\":5,\"lastSeq\":-1,\"firstSeq\":0,\"init\":\"/ctx/live/cam7.flv?xp2p=init&xresid=cam-7\","
                + "\"chunk\":\"/ctx/live/cam7.flv?xp2p=chunk&seq={seq}&xresid=cam-7\"}}";
        assertEquals(List.of(expected), la.all("\"stream\""));
        assertEquals(List.of(expected), lb.all("\"stream\""));

        // a joiner whose joined already describes epoch 5 is not told again; epoch 6 reaches everyone once
        TestLink lc = new TestLink();
        Peer c = hub.connect(lc, null);
        hub.onText(c, "{\"v\":1,\"type\":\"join\",\"room\":\"cam-7\"}");
        assertTrue(lc.first("\"joined\"").contains("\"epoch\":5"));
        assertEquals(List.of(), lc.all("\"stream\""));
        StreamPosition next = new StreamPosition("cam-7", "/live/cam7.flv", 6, 9, 0);
        feed.positions.put("cam-7", next);
        feed.live(next);
        assertEquals(2, la.all("\"stream\"").size());
        assertEquals(1, lc.all("\"stream\"").size());

        feed.positions.remove("cam-7");
        feed.holds.clear();
        feed.fail(StreamFailure.of("cam-7", 404, "stream not found at the origin (x)"));
        String failed = "{\"v\":1,\"type\":\"stream-failed\",\"room\":\"cam-7\",\"status\":404,\"error\":\"not_found\","
                + "\"message\":\"stream not found at the origin (x)\"}";
        assertEquals(List.of(failed), lc.all("\"stream-failed\""));
        // the test feed's hold stays active, as a real one would not after a failure: end it the relay's way
        hub.disconnect(c, "test");
        assertEquals(0, feed.released, "members remain: the hold is kept");
        hub.disconnect(a, "test");
        hub.disconnect(b, "test");
        assertEquals(1, feed.released, "released when the room emptied");

        TestLink ld = new TestLink();
        Peer d = hub.connect(ld, null);
        hub.onText(d, "{\"v\":1,\"type\":\"join\",\"room\":\"cam-7\"}");
        assertEquals(1, feed.holds.size(), "a join into the emptied room holds again");
        assertEquals("/cam-7.flv", feed.holds.get(0).path(), "default stream path /{room}.flv");
        hub.onText(d, "{\"v\":1,\"type\":\"join\",\"room\":\"other\",\"stream\":\"/a/%2e%2e/b.flv\"}");
        assertTrue(ld.first("\"error\"").contains("\"code\":\"bad_field\""));
    }

    @Test
    void requireCodeMakesJoinsPresentACodeWhateverTheSwarmMode() {
        hub(Map.of("xp2p.swarm.auth", "none", "xp2p.relay.requireCode", "true"));
        TestLink la = new TestLink();
        hub.onText(hub.connect(la, null), "{\"v\":1,\"type\":\"join\",\"room\":\"r\"}");
        assertTrue(la.first("\"error\"").contains("\"code\":\"auth_required\""));
        assertEquals(List.of(1008), la.closes);
        TestLink lb = new TestLink();
        hub.onText(hub.connect(lb, null), "{\"v\":1,\"type\":\"join\",\"room\":\"r\",\"code\":\"bad\"}");
        assertTrue(lb.first("\"error\"").contains("\"code\":\"auth_failed\""));
        assertEquals(0, feed.holds.size(), "refused joins hold nothing");
        TestLink lc = new TestLink();
        hub.onText(hub.connect(lc, null), "{\"v\":1,\"type\":\"join\",\"room\":\"r\",\"code\":\"good-code\"}");
        lc.first("\"joined\"");
        assertEquals(1, feed.holds.size());
    }

    @Test
    void nodeCapRefusesConnections() {
        hub(Map.of("xp2p.swarm.maxPeers", "1"));
        assertTrue(hub.connect(new TestLink(), null) != null);
        assertEquals(null, hub.connect(new TestLink(), null));
    }

    @Test
    void shutdownClosesEveryPeerWith1001() {
        hub(Map.of());
        TestLink la = new TestLink();
        hub.onText(hub.connect(la, null), "{\"v\":1,\"type\":\"join\",\"room\":\"r\"}");
        hub.close();
        assertEquals(List.of(1001), la.closes);
        assertEquals(0, feed.listeners.get("r").size());
    }

    @Test
    void aJoinedPeerThatFallsSilentIsRemovedAndItsChildrenRehomedWhateverItsSocketDoes() {
        hub(Map.of("xp2p.swarm.idleTimeoutSeconds", "30", "xp2p.swarm.silentBeats", "2")); // heartbeat 10 s, limit 20 s
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"cam\",\"upload\":true}");
        TestLink lb = new TestLink();
        Peer b = hub.connect(lb, null);
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"cam\"}");
        assertTrue(lb.first("\"parent\"").contains("\"parent\":\"" + a.id + "\""), "b starts below a");
        assertTrue(la.first("\"joined\"").contains("\"heartbeatSeconds\":10"), la.messages.toString());

        // b keeps pinging; a (a frozen tab) sends nothing, though its socket stays open
        for (int i = 0; i < 4; i++) {
            clock.advance(java.time.Duration.ofSeconds(5));
            hub.onText(b, "{\"v\":1,\"type\":\"ping\"}");
            hub.sweepSilent();
        }
        assertTrue(la.closes.isEmpty(), "20 s of silence is the limit, not beyond it: " + la.closes);
        clock.advance(java.time.Duration.ofMillis(1));
        hub.onText(b, "{\"v\":1,\"type\":\"ping\"}");
        hub.sweepSilent();
        assertEquals(List.of(SwarmHub.CLOSE_GOING_AWAY), la.closes, "the silent peer is closed");
        List<String> parents = lb.all("\"parent\"");
        assertTrue(parents.get(parents.size() - 1).contains("\"parent\":\"server\""), "b re-homed at once: " + parents);
        assertTrue(lb.closes.isEmpty(), "the talking peer stays");
        hub.sweepSilent();
        assertEquals(1, la.closes.size(), "removed once");

        // a connection that never joined is the container's business (idle timeout), not this sweep's
        TestLink lc = new TestLink();
        hub.connect(lc, null);
        clock.advance(java.time.Duration.ofMinutes(5));
        hub.sweepSilent();
        assertTrue(lc.closes.isEmpty());
    }

    /**
     * Nobody calls the sweep here: the hub's own schedule must close a peer silent for
     * heartbeat x silentBeats (15 s x 2, as the swarm simulator ran it) within one second of that
     * limit. Once ran from the once-a-second housekeeping, behind the rebalance, and closed such a
     * peer 31.8 s after its last message.
     */
    @Test
    void aSilentPeerIsClosedWithinASecondOfItsLimitByTheHubsOwnSchedule() {
        hub(Map.of("xp2p.swarm.idleTimeoutSeconds", "45", "xp2p.swarm.silentBeats", "2")); // heartbeat 15 s, limit 30 s
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"cam\",\"upload\":true}");
        TestLink lb = new TestLink();
        Peer b = hub.connect(lb, null);
        hub.onText(b, "{\"v\":1,\"type\":\"join\",\"room\":\"cam\"}");
        assertTrue(la.first("\"joined\"").contains("\"heartbeatSeconds\":15"), la.messages.toString());

        clock.advance(Duration.ofSeconds(30));
        hub.onText(b, "{\"v\":1,\"type\":\"ping\"}");
        hub.sweepSilent();
        assertTrue(la.closes.isEmpty(), "30 s of silence is the limit, not beyond it");
        clock.advance(Duration.ofMillis(1));
        Poll.await("the hub's schedule to close the peer silent past its limit", 1_000, () -> !la.closes.isEmpty());
        assertEquals(List.of(SwarmHub.CLOSE_GOING_AWAY), la.closes);
        List<String> parents = lb.all("\"parent\"");
        assertTrue(parents.get(parents.size() - 1).contains("\"parent\":\"server\""), "b re-homed: " + parents);
        assertTrue(lb.closes.isEmpty(), "the talking peer stays");
    }

    @Test
    void hugeCountersAreRefusedAndTotalsNeverWrap() {
        hub(Map.of());
        TestLink la = new TestLink();
        Peer a = hub.connect(la, null);
        hub.onText(a, "{\"v\":1,\"type\":\"join\",\"room\":\"cam\"}");
        hub.onText(a, "{\"v\":1,\"type\":\"stats\",\"p2pBytes\":9223372036854775807}");
        assertTrue(la.first("\"error\"").contains("\"code\":\"bad_stats\""), la.messages.toString());
        long max = SwarmHub.MAX_COUNTER;
        hub.onText(a, "{\"v\":1,\"type\":\"stats\",\"p2pBytes\":" + max + "}");
        assertEquals(max, hub.roomFlow("cam").orElseThrow().p2pBytes(), "the largest allowed counter is kept");
        Flow big = new Flow(Long.MAX_VALUE - 1, 0, 0, 0, 1);
        assertEquals(Long.MAX_VALUE, big.plus(big).p2pBytes(), "sums saturate instead of wrapping");
        assertTrue(hub.nodeFlow().p2pBytes() > 0);
    }

    /** Connects one peer per join field list and joins each to {@code room}, in order. */
    private Peer[] joinAll(TestLink[] links, String room, String... joinFields) {
        Peer[] peers = new Peer[joinFields.length];
        for (int i = 0; i < joinFields.length; i++) {
            links[i] = new TestLink();
            peers[i] = hub.connect(links[i], null);
            hub.onText(peers[i], "{\"v\":1,\"type\":\"join\",\"room\":\"" + room + "\"," + joinFields[i] + "}");
        }
        return peers;
    }

    static final class TestLink implements PeerLink {
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<Integer> closes = new CopyOnWriteArrayList<>();

        @Override
        public boolean send(String text) {
            messages.add(text);
            return true;
        }

        @Override
        public void close(int code, String reason) {
            closes.add(code);
        }

        List<String> all(String typeJson) {
            List<String> out = new ArrayList<>();
            for (String m : messages) {
                if (m.contains("\"type\":" + typeJson)) {
                    out.add(m);
                }
            }
            return out;
        }

        String first(String typeJson) {
            List<String> all = all(typeJson);
            assertFalse(all.isEmpty(), "no " + typeJson + " in " + messages);
            return all.get(0);
        }
    }

    /** A relay stand-in the test drives: positions to answer, listeners to call, holds to count. */
    static final class TestFeed implements ChunkFeed {
        final Map<String, StreamPosition> positions = new HashMap<>();
        final Map<String, List<StreamListener>> listeners = new HashMap<>();
        final List<StreamAddress> holds = new ArrayList<>();
        int closed;
        int released;

        @Override
        public synchronized AutoCloseable subscribe(String streamId, StreamListener listener) {
            listeners.computeIfAbsent(streamId, k -> new ArrayList<>()).add(listener);
            return () -> {
                synchronized (this) {
                    listeners.get(streamId).remove(listener);
                    closed++;
                }
            };
        }

        @Override
        public Optional<StreamPosition> position(String streamId) {
            return Optional.ofNullable(positions.get(streamId));
        }

        @Override
        public synchronized StreamHold hold(StreamAddress address) {
            holds.add(address);
            return new StreamHold() {
                private boolean done;

                @Override
                public boolean active() {
                    synchronized (TestFeed.this) {
                        return !done;
                    }
                }

                @Override
                public void close() {
                    synchronized (TestFeed.this) {
                        if (!done) {
                            done = true;
                            released++;
                        }
                    }
                }
            };
        }

        private List<StreamListener> of(String streamId) {
            synchronized (this) {
                return List.copyOf(listeners.getOrDefault(streamId, List.of()));
            }
        }

        void emit(ChunkDigest d) {
            of(d.streamId()).forEach(l -> l.digest(d));
        }

        void live(StreamPosition p) {
            of(p.streamId()).forEach(l -> l.live(p));
        }

        void fail(StreamFailure f) {
            of(f.streamId()).forEach(l -> l.failed(f));
        }
    }
}
