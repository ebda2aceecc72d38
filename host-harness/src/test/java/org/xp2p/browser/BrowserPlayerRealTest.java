package org.xp2p.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.IssuedCode;

/**
 * The player SDK plays in real headless Chromium, through the swarm: pages of the demo page
 * ({@code /?stream=live/demo.flv}) each run an {@code Xp2pPlayer}, and no other viewer exists, so
 * the room alone starts and keeps the origin pull. {@code players.mjs} drives the pages and reports
 * each player's {@code stats()} before and after a measurement window, and the server's
 * {@code /stat}; this class asserts on those figures.
 *
 * <p>Runs in the {@code browser} profile, inside the network namespace {@code .ci/browser-tests}
 * makes (WebRTC needs a non-loopback interface; there it is a veth pair that exists only there).
 */
@Tag("browser")
class BrowserPlayerRealTest {
    private static final HttpClient HTTP = BrowserPages.HTTP;
    private static final String ROOM = BrowserPages.ROOM;
    private static final String STREAM = BrowserPages.STREAM;

    @TempDir
    Path dir;
    private final BrowserPages pages = new BrowserPages();

    @AfterEach
    void stop() throws Exception {
        pages.close();
    }

    private void start(Map<String, String> settings) throws Exception {
        pages.start(dir, settings);
    }

    private Json run(String scenario, int n, long windowMs, String query, List<String> pageQueries) throws Exception {
        return pages.run(scenario, n, windowMs, query, pageQueries);
    }

    private HttpResponse<String> get(String pathAndQuery) {
        return pages.get(pathAndQuery);
    }

    private URI uri(String pathAndQuery) {
        return pages.uri(pathAndQuery);
    }

    @Test
    void onePageAlonePlaysWithinTwoSeconds() throws Exception {
        start(Map.of());
        assertEquals(404, get("/xp2p/streams?xresid=" + ROOM).statusCode(), "nobody watches before the page joins");
        Json out = run("solo", 1, 10_000, "", List.of());
        Json.Page page = out.pages().get(0);
        double advanced = page.after().num("currentTime") - page.before().num("currentTime");
        double window = out.num("elapsedMs") / 1000.0;
        assertTrue(advanced >= window * 0.8, "video advanced " + advanced + " s in " + window + " s: " + page.after());
        assertTrue(page.before().num("startupMillis") <= 2000, "first frame within 2 s: " + page.before());
        assertNull(page.after().get("error"), "no MSE, decode or stream error: " + page.after());
        assertEquals(0, page.after().num("stalls"), "no playback stall: " + page.after());
        assertEquals("server", page.after().str("parent"));
        // the page alone keeps the pull up, and the server counts its chunk-API bytes
        Json stream = Json.parse(get("/xp2p/streams?xresid=" + ROOM).body());
        assertTrue(stream.num("chunkBytesOut") > 0, "chunk API egress counted: " + stream);
        System.out.printf("browser player solo: startup %.0f ms, advanced %.1f s in %.1f s, latency %.0f ms%n",
                page.before().num("startupMillis"), advanced, window, page.after().num("latencyMillis"));
    }

    @Test
    void eightPagesPlaySixtySecondsMostlyFromEachOther() throws Exception {
        start(Map.of());
        Json out = run("swarm", 8, 60_000, "", List.of());
        double window = out.num("elapsedMs") / 1000.0;
        for (Json.Page page : out.pages()) {
            double advanced = page.after().num("currentTime") - page.before().num("currentTime");
            assertTrue(advanced >= window - 5, page.str("name") + " advanced " + advanced + " s in " + window + " s: " + page.after());
            assertEquals(0, page.after().num("stalls"), page.str("name") + " had no playback stall: " + page.after());
            assertNull(page.after().get("error"), page.str("name") + ": " + page.after());
        }
        Json before = out.obj("statBefore").obj("flow");
        Json after = out.obj("statAfter").obj("flow");
        double p2p = after.num("p2pBytes") - before.num("p2pBytes");
        double cdn = after.num("cdnBytes") - before.num("cdnBytes");
        double offload = p2p / (p2p + cdn);
        System.out.printf("browser player swarm: 8 pages, %.0f s, offload %.3f (ceiling 0.875), p2p %.0f B, cdn %.0f B%n",
                window, offload, p2p, cdn);
        assertTrue(offload >= 0.80, "offload over the window " + offload + " >= 0.80: " + out.obj("statAfter"));
    }

    @Test
    void aChainForwardsChunksCutThroughAndPlaysOnlyVerifiedBytes() throws Exception {
        // one slot per peer: the tree can only be the chain server -> A -> B -> C, and B receives
        // each chunk from A while C already asks B for it (PROTOCOL 6b.4)
        start(Map.of("xp2p.swarm.maxSlots", "1", "xp2p.swarm.probeSlots", "1"));
        Json out = run("swarm", 3, 12_000, "", List.of());
        double window = out.num("elapsedMs") / 1000.0;
        Map<String, Json.Page> byParent = new java.util.HashMap<>();
        for (Json.Page page : out.pages()) {
            byParent.put(page.after().str("parent"), page);
            double advanced = page.after().num("currentTime") - page.before().num("currentTime");
            assertTrue(advanced >= window - 2, page.str("name") + " advanced " + advanced + " s in " + window + " s: " + page.after());
            assertEquals(0, page.after().num("stalls"), page.str("name") + " had no playback stall: " + page.after());
            assertEquals(0, page.after().num("rejected"), page.str("name") + " refused no chunk: " + page.after());
        }
        Json.Page a = byParent.get("server");
        Json.Page b = a == null ? null : byParent.get(a.after().str("peerId"));
        Json.Page c = b == null ? null : byParent.get(b.after().str("peerId"));
        assertNotNull(c, "the pages form a chain: " + byParent.keySet());
        assertTrue(c.after().num("p2pChunks") > 0 && c.after().num("verified") > 0, "C plays chunks from B: " + c.after());
        assertTrue(b.after().num("forwardedEarly") > 0, "B forwarded chunks to C while they still arrived: " + b.after());
        System.out.printf("browser chain: B forwarded %.0f chunks cut-through; chunk delays (ms after the digest) A %s, B %s, C %s%n",
                b.after().num("forwardedEarly"), a.after().get("chunkDelays"), b.after().get("chunkDelays"), c.after().get("chunkDelays"));
    }

    @Test
    void childrenOfAClosedParentKeepPlaying() throws Exception {
        assertChildrenSurvive("close");
    }

    @Test
    void childrenOfAFrozenParentKeepPlaying() throws Exception {
        assertChildrenSurvive("freeze");
    }

    /**
     * These tests are about a parent that fails, so the tree must have its shape before it does:
     * the first page takes both children at once instead of one probe child until its upload is
     * measured (the swarm and TURN tests cover probing).
     */
    private static final Map<String, String> KNOWN_SHAPE = Map.of("xp2p.swarm.probeSlots", "8");

    private void assertChildrenSurvive(String scenario) throws Exception {
        start(KNOWN_SHAPE);
        Json out = run(scenario, 3, 14_000, "", List.of());
        Json.Page parent = out.pages().get(0);
        String parentId = parent.before().str("peerId");
        double window = out.num("elapsedMs") / 1000.0;
        for (Json.Page child : out.pages().subList(1, out.pages().size())) {
            assertEquals(parentId, child.before().str("parent"), "children start below the first page: " + child.before());
            assertTrue(child.before().num("p2pChunks") > 0, "and take chunks from it: " + child.before());
            assertTrue(child.after().num("longestStallMillis") <= 1000, scenario + ": no stall longer than 1 s: " + child.after());
            double advanced = child.after().num("currentTime") - child.before().num("currentTime");
            assertTrue(advanced >= window - 2, scenario + ": " + child.str("name") + " advanced " + advanced + " s in " + window + " s");
            assertNotEquals(parentId, child.after().str("parent"), scenario + ": the server moved the child away: " + child.after());
        }
    }

    @Test
    void cellularPageIsALeafAndSurvivesLosingItsSignallingSocket() throws Exception {
        start(Map.of());
        Json out = run("edge", 3, 10_000, "", List.of());
        Json.Page b = out.pages().get(1);
        assertEquals(Boolean.FALSE, b.before().get("upload"), "cellular: upload off by default: " + b.before());
        assertEquals(0, ((List<?>) b.after().get("children")).size(), "a leaf has no children: " + b.after());
        assertNotEquals(b.before().str("peerId"), out.pages().get(2).before().str("parent"), "nobody is placed below the leaf");
        String before = out.str("closedSocketOf");
        assertNotEquals(before, b.after().str("peerId"), "the player reconnected and joined again (new peer id): " + b.after());
        assertTrue(b.after().get("parent") != null, "and was placed again: " + b.after());
        // as for a lost parent: playback goes on over HTTP, with no stall longer than 1 s
        assertTrue(b.after().num("longestStallMillis") <= 1000, "losing the socket did not stall playback: " + b.after());
        double advanced = b.after().num("currentTime") - b.before().num("currentTime");
        assertTrue(advanced >= out.num("elapsedMs") / 1000.0 - 2, "B advanced " + advanced + " s");
        // the room's totals never went backwards: reports restart from zero for the new membership
        Json stat = out.obj("statAfter");
        assertTrue(stat.obj("flow").num("cdnBytes") >= out.obj("statBefore").obj("flow").num("cdnBytes"), stat.toString());
    }

    @Test
    void aTamperingParentIsRefusedWithoutAStall() throws Exception {
        start(KNOWN_SHAPE);
        Json out = run("tamper", 3, 8_000, "", List.of());
        double window = out.num("elapsedMs") / 1000.0;
        for (Json.Page child : out.pages().subList(1, out.pages().size())) {
            assertTrue(child.after().num("rejected") >= 1, "the altered chunk was refused: " + child.after());
            assertEquals(0, child.after().num("stalls"), "playback never stalled: " + child.after());
            double advanced = child.after().num("currentTime") - child.before().num("currentTime");
            assertTrue(advanced >= window - 2, child.str("name") + " advanced " + advanced + " s in " + window + " s");
            assertEquals("server", child.after().str("parent"), "moved away from the tampering parent: " + child.after());
        }
    }

    @Test
    void encryptedPagesWithCodesPlayAndCodelessChunkRequestsAreRefused() throws Exception {
        start(Map.of("xp2p.relay.requireCode", "true", "xp2p.swarm.auth", "none"));
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            codes.add("&code=" + IssuedCode.issue(HTTP, uri("/code")).code());
        }
        Json out = run("swarm", 2, 8_000, "", codes);
        double window = out.num("elapsedMs") / 1000.0;
        for (Json.Page page : out.pages()) {
            double advanced = page.after().num("currentTime") - page.before().num("currentTime");
            assertTrue(advanced >= window - 2, page.str("name") + " advanced " + advanced + " s: " + page.after());
            assertNull(page.after().get("error"), page.after().toString());
        }
        assertTrue(out.pages().get(1).after().num("p2pChunks") > 0, "the second page took chunks from the first: " + out.pages().get(1).after());
        // while the stream is live, chunk and init requests without a code are refused
        Json stream = Json.parse(get("/xp2p/streams?xresid=" + ROOM).body());
        long seq = (long) stream.num("lastSeq");
        assertEquals(403, get("/" + STREAM + "?xp2p=init").statusCode(), "init without a code");
        assertEquals(403, get("/" + STREAM + "?xp2p=chunk&seq=" + seq).statusCode(), "chunk without a code");
        HttpResponse<String> withCode = get("/" + STREAM + "?xp2p=chunk&seq=" + seq + codes.get(0));
        assertEquals(200, withCode.statusCode());
        assertEquals("aes-256-gcm-v1", withCode.headers().firstValue("X-Xp2p-Encryption").orElse(""));
    }
}
