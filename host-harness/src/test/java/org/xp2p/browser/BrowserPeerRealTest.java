package org.xp2p.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xp2p.host.Host;
import org.xp2p.host.Poll;
import org.xp2p.host.RealTools;
import org.xp2p.host.origin.ReplayOrigin;

/**
 * The reference browser peer (webapp/xp2p-peer.js) works in a real browser: two headless
 * Chromium pages of the demo page join one room, the server puts the second below the first, and
 * the second receives chunks from the first over a WebRTC DataChannel, each verified against the
 * digests the server publishes; the server's statistics then show peer-to-peer bytes.
 *
 * <p>Runs in the {@code browser} profile, inside the network namespace that
 * {@code .ci/browser-tests} makes: WebRTC needs a non-loopback interface, and there the only one
 * is a veth pair that exists in that namespace alone.
 */
@Tag("browser")
class BrowserPeerRealTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String ROOM = "live/demo";
    private static final Path BROWSER_DIR = Path.of("src/test/browser");
    private static final Path SCRIPT = Path.of("src/test/resources/browser/two-peers.mjs");
    private static final long SCRIPT_TIMEOUT_MS = 60_000;

    @TempDir
    Path data;
    @TempDir
    Path profile;

    private ReplayOrigin origin;
    private Host host;
    private InputStream viewer;
    private Process node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.destroyForcibly();
        }
        if (viewer != null) {
            viewer.close();
        }
        if (host != null) {
            host.stop();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void secondPeerTakesVerifiedChunksFromFirstOverDataChannel() throws Exception {
        startRelay();
        Outcome out = runBrowser("share");

        Map<String, Object> a = object(out.result().get("a"));
        Map<String, Object> b = object(out.result().get("b"));
        assertEquals(a.get("peerId"), b.get("parent"), "B's parent is A");
        assertEquals("server", a.get("parent"), "A pulls from the server");
        assertTrue(((List<?>) a.get("children")).contains(b.get("peerId")), "A lists B as its child: " + a);
        assertTrue(number(b, "p2pChunks") >= 3, "B took >= 3 chunks from A: " + b);
        assertTrue(number(b, "p2pBytes") > 0, "B counted p2p bytes: " + b);
        assertEquals(0, number(b, "rejected"), "B rejected no chunk: " + b);
        assertEquals(0, number(a, "rejected"), "A rejected no chunk: " + a);
        assertEquals(0, number(b, "stalls"), "B never stalled: " + b);
        assertEquals(number(b, "p2pChunks") + number(b, "cdnChunks"), number(b, "verified"), "every kept chunk verified: " + b);
        assertTrue(number(a, "cdnChunks") > 0, "A pulled over HTTP: " + a);
        // the script reads B before A, so A's count includes everything B had received
        assertTrue(number(a, "uploadBytes") >= number(b, "p2pBytes"), "A sent what B got: " + a + " / " + b);

        // the server's own statistics, after the peers' stats reports, show the offload
        Map<String, Object> flow = object(object(parse(out.stat())).get("flow"));
        assertTrue(number(flow, "p2pBytes") > 0, "/stat shows p2p bytes: " + out.stat());
        assertTrue(number(flow, "uploadBytes") > 0, "/stat shows uploaded bytes: " + out.stat());
        assertTrue(Files.size(out.screenshot()) > 10_000, "screenshot of the demo page written to " + out.screenshot());
        System.out.println("browser peer test: demo page screenshot " + out.screenshot());
    }

    @Test
    void tamperedChunkFromParentIsRefusedReportedAndFetchedFromServer() throws Exception {
        startRelay();
        Outcome out = runBrowser("tamper");

        Map<String, Object> a = object(out.result().get("a"));
        Map<String, Object> b = object(out.result().get("b"));
        assertTrue(number(b, "rejected") >= 1, "B refused A's altered chunk: " + b);
        assertEquals(0, number(b, "p2pChunks"), "B kept no chunk from A: " + b);
        assertTrue(number(b, "stalls") >= 1, "B counted the bad parent as a stall: " + b);
        assertEquals("server", b.get("parent"), "the server moved B away from A: " + b);
        assertTrue(number(b, "cdnChunks") >= 3, "B goes on over HTTP: " + b);
        assertEquals(number(b, "cdnChunks"), number(b, "verified"), "every kept chunk verified: " + b);
        assertTrue(number(a, "uploadBytes") > 0, "A did send (altered) bytes: " + a);
        Map<String, Object> stat = object(parse(out.stat()));
        assertTrue(number(stat, "stalls") >= 1, "/stat shows the stall: " + out.stat());
        Map<String, Object> room = object(parse(out.room()));
        assertTrue(number(room, "stallReports") >= 1, "the room counts the stall report: " + out.room());
    }

    /** The browser run's result line, and the server's /stat and room view read while the peers were in. */
    private record Outcome(Map<String, Object> result, String stat, String room, Path screenshot) {
    }

    /** Origin, host, and one HTTP viewer: chunks exist only while the stream is pulled. */
    private void startRelay() throws Exception {
        byte[] recording;
        try (InputStream in = getClass().getResourceAsStream("/xp2p-demo/demo.flv")) {
            recording = in.readAllBytes();
        }
        origin = new ReplayOrigin(recording, 0);
        host = Host.builder().port(0).setting("xp2p.data", data).setting("xp2p.origin", origin.baseUri()).build().start();

        // the page and the peer are static files of the WAR
        HttpResponse<String> js = get("/xp2p-peer.js");
        assertEquals(200, js.statusCode(), "GET /xp2p-peer.js");
        assertTrue(js.headers().firstValue("Content-Type").orElse("").contains("javascript"), js.headers().toString());
        assertTrue(js.body().contains("export class Xp2pPeer"));
        assertEquals(200, get("/index.html").statusCode(), "GET /index.html");

        HttpResponse<InputStream> watch = HTTP.send(HttpRequest.newBuilder(uri("/" + ROOM + ".flv"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, watch.statusCode());
        viewer = watch.body();
        Thread drain = new Thread(() -> {
            try {
                viewer.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException closed) {
                // the test closed the viewer
            }
        }, "browser-test-viewer");
        drain.setDaemon(true);
        drain.start();
        Poll.await("the relay to produce a chunk", 15_000, () -> get("/xp2p/streams?xresid=" + ROOM).body().matches("(?s).*\"lastSeq\":[0-9].*"));
    }

    /** Runs two-peers.mjs for a scenario; fails with the script's whole result unless it reports ok. */
    private Outcome runBrowser(String scenario) throws Exception {
        Path nodeBin = RealTools.require("node");
        Path chromium = RealTools.require("chromium", "/usr/bin");
        Path modules = BROWSER_DIR.resolve("node_modules").toAbsolutePath();
        if (!Files.isDirectory(modules.resolve("playwright-core"))) {
            fail("real-tool test needs playwright-core in " + modules + "; run .ci/install (npm ci --prefix host-harness/src/test/browser)");
        }
        Path screenshot = Path.of("target/browser-peer-" + scenario + ".png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Path stderrFile = data.resolve("node-stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(nodeBin.toString(), SCRIPT.toAbsolutePath().toString(),
                host.baseUri().toString(), ROOM, modules.toString(), profile.toString(), screenshot.toString(),
                String.valueOf(SCRIPT_TIMEOUT_MS), scenario);
        pb.environment().put("XP2P_CHROMIUM", chromium.toString());
        pb.redirectError(stderrFile.toFile());
        node = pb.start();
        String line;
        String stat;
        String room;
        // the script prints its result within SCRIPT_TIMEOUT_MS (+ 20 s hard stop), then waits for us
        try (java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            line = in.readLine();
            if (line == null) {
                node.waitFor(10, TimeUnit.SECONDS);
                fail("node script printed nothing: " + Files.readString(stderrFile));
            }
            // read the server's statistics while both peers are still in the room
            stat = get("/stat?xresid=" + ROOM).body();
            room = get("/xp2p/rooms?xresid=" + ROOM).body();
            try (var toScript = node.getOutputStream()) {
                toScript.write("close\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException scriptAlreadyEnded) {
                // a failed script exits right after printing its result
            }
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                fail("node script did not exit");
            }
        }
        Map<String, Object> result = object(parse(line));
        assertEquals(Boolean.TRUE, result.get("ok"), "browser result: " + line + "\nstderr: " + Files.readString(stderrFile));
        return new Outcome(result, stat, room, screenshot);
    }

    private URI uri(String pathAndQuery) {
        return URI.create(host.baseUri() + pathAndQuery);
    }

    private HttpResponse<String> get(String pathAndQuery) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        assertTrue(value instanceof Map, "expected a JSON object, got " + value);
        return (Map<String, Object>) value;
    }

    private static long number(Map<String, Object> map, String key) {
        Object v = map.get(key);
        assertTrue(v instanceof Number, key + " is a number in " + map);
        return ((Number) v).longValue();
    }

    private static Object parse(String json) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            return read(p, p.nextToken());
        }
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(read(p, e));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            default -> {
                return null;
            }
        }
    }
}
