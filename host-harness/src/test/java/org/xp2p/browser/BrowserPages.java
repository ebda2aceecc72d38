package org.xp2p.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xp2p.host.Host;
import org.xp2p.testkit.RealTools;
import org.xp2p.testkit.ReplayOrigin;

/**
 * What the browser tests share: a replay origin and a host in front of it, and {@code players.mjs}
 * driving headless Chromium pages of the demo page; {@link #run} returns its report.
 */
final class BrowserPages implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String ROOM = "live/demo";
    static final String STREAM = ROOM + ".flv";
    private static final Path MODULES = Path.of("src/test/browser/node_modules").toAbsolutePath();
    private static final Path SCRIPT = Path.of("src/test/resources/browser/players.mjs").toAbsolutePath();

    private Path data;
    private Path profile;
    private ReplayOrigin origin;
    private Host host;
    private Process node;

    @Override
    public void close() throws Exception {
        if (node != null) {
            node.destroyForcibly();
        }
        if (host != null) {
            host.stop();
        }
        if (origin != null) {
            origin.close();
        }
    }

    /** Starts the replay origin and a host in front of it, and checks the SDK bundle is served. */
    void start(Path dir, Map<String, String> settings) throws Exception {
        data = Files.createDirectories(dir.resolve("data"));
        profile = Files.createDirectories(dir.resolve("profile"));
        byte[] recording;
        try (InputStream in = BrowserPages.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            recording = in.readAllBytes();
        }
        origin = new ReplayOrigin(recording, 0);
        host = Host.builder().port(0).setting("xp2p.data", data).setting("xp2p.origin", origin.baseUri())
                .settings(settings).build().start();
        HttpResponse<String> sdk = get("/xp2p-player.js");
        assertEquals(200, sdk.statusCode(), "GET /xp2p-player.js");
        assertTrue(sdk.headers().firstValue("Content-Type").orElse("").contains("javascript"), sdk.headers().toString());
        assertTrue(sdk.body().contains("Xp2pPlayer"), "the bundle exports Xp2pPlayer");
    }

    /** Runs players.mjs; fails with its whole output unless it reports ok. */
    Json run(String scenario, int pages, long windowMs, String query, List<String> pageQueries) throws Exception {
        Path nodeBin = RealTools.require("node");
        Path chromium = RealTools.require("chromium", "/usr/bin");
        if (!Files.isDirectory(MODULES.resolve("playwright-core"))) {
            fail("browser test needs playwright-core in " + MODULES + "; run .ci/install (npm ci --prefix host-harness/src/test/browser)");
        }
        long timeoutMs = windowMs + 90_000 + pages * 20_000L;
        Path screenshot = Path.of("target/browser-player-" + scenario + ".png").toAbsolutePath();
        String config = Json.object(Map.of("base", host.baseUri().toString().replaceAll("/$", ""), "stream", STREAM, "room", ROOM,
                "modulesDir", MODULES.toString(), "userDataDir", profile.toString(), "scenario", scenario,
                "pages", pages, "windowMs", windowMs, "timeoutMs", timeoutMs, "query", query))
                .replaceAll("}$", ",\"pageQueries\":" + Json.array(pageQueries) + ",\"screenshot\":" + Json.quote(screenshot.toString()) + "}");
        Path stderr = data.resolve("node-stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(nodeBin.toString(), SCRIPT.toString(), config);
        pb.environment().put("XP2P_CHROMIUM", chromium.toString());
        pb.redirectError(stderr.toFile());
        node = pb.start();
        String line;
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            line = in.readLine();
        }
        if (!node.waitFor(60, TimeUnit.SECONDS)) {
            fail("players.mjs did not exit");
        }
        if (line == null) {
            fail("players.mjs printed nothing: " + Files.readString(stderr));
        }
        Json out = Json.parse(line);
        if (!Boolean.TRUE.equals(out.get("ok"))) {
            fail("browser run failed: " + out.str("reason") + "\npages: " + out.get("pages") + "\nconsole: " + out.get("console")
                    + "\nstderr: " + Files.readString(stderr));
        }
        return out;
    }

    URI uri(String pathAndQuery) {
        return URI.create(host.baseUri().toString().replaceAll("/$", "") + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) {
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
}
