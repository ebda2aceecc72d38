package org.xp2p.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every container install must serve, checked over the network against a running container:
 * the key service, a stream relayed from a local origin, and a WebSocket join.
 */
public final class ContainerChecks {
    public static final Pattern ISSUED = Pattern.compile(
            "\\{\"code\":\"([0-9a-f-]{36})\",\"expire\":[0-9]+,\"key\":\"([0-9a-f]{64})\"}");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ContainerChecks() {
    }

    /** The replay origin of the tests, serving the bundled demo recording on every *.flv path. */
    public static ReplayOrigin origin() throws IOException {
        try (InputStream in = ContainerChecks.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            return new ReplayOrigin(in.readAllBytes(), 0);
        }
    }

    /** A code and its key, as POST /code issued them. */
    public record Issued(String code, String key) {
    }

    /** POST {ctx}/code, then GET {ctx}/code/{code} and an unknown code (404). */
    public static Issued issueAndFind(URI ctx) throws IOException, InterruptedException {
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(ctx + "/code"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode(), post.body());
        assertEquals("no-store", post.headers().firstValue("Cache-Control").orElse(null));
        Matcher m = ISSUED.matcher(post.body());
        assertTrue(m.matches(), post.body());
        Issued issued = new Issued(m.group(1), m.group(2));
        assertFound(ctx, issued);
        HttpResponse<String> unknown = get(URI.create(ctx + "/code/" + UUID.randomUUID()));
        assertEquals(404, unknown.statusCode(), unknown.body());
        return issued;
    }

    /** GET {ctx}/code/{code} answers the issued key. */
    public static void assertFound(URI ctx, Issued issued) throws IOException, InterruptedException {
        HttpResponse<String> r = get(URI.create(ctx + "/code/" + issued.code()));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"key\":\"" + issued.key() + "\"}", r.body());
    }

    public static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * GET {ctx}/{path}.flv through the relay from the local origin: an FLV stream of at least
     * {@code minBytes} arrives; returns the origin's connection count for that path (one pull).
     */
    public static void assertStream(URI ctx, ReplayOrigin origin, String path, String query, int minBytes)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(
                URI.create(ctx + "/" + path + (query == null ? "" : "?" + query))).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertEquals(200, r.statusCode(), () -> "stream " + path + ": " + readSome(in));
            byte[] head = in.readNBytes(minBytes);
            assertEquals(minBytes, head.length, "stream ended early");
            if (query == null || !query.contains("code=")) {
                assertEquals("video/x-flv", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
                assertArrayEquals("FLV".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(head, 3));
            }
        }
        assertEquals(1, origin.connections("/" + path), "one origin pull for " + path);
    }

    private static String readSome(InputStream in) {
        try {
            return new String(in.readNBytes(2000), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * Opens the signalling WebSocket at {@code wsPath} (under ctx), joins a room, waits for "joined",
     * then drops the connection abruptly (TCP closed, no close frame), as a crashed tab would.
     */
    public static String assertJoin(URI ctx, String wsPath, String room) {
        CompletableFuture<String> joined = new CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String msg = partial.toString();
                    partial.setLength(0);
                    if (msg.contains("\"type\":\"joined\"") || msg.contains("\"type\":\"error\"")) {
                        joined.complete(msg);
                    }
                }
                ws.request(1);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                joined.completeExceptionally(error);
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                joined.completeExceptionally(new AssertionError("closed " + code + " " + reason));
                return null;
            }
        };
        URI uri = URI.create(ctx.toString().replaceFirst("^http", "ws") + wsPath);
        WebSocket ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, listener)
                .orTimeout(10, TimeUnit.SECONDS).join();
        try {
            ws.sendText("{\"v\":1,\"type\":\"join\",\"room\":\"" + room + "\",\"upload\":true,\"slots\":2}", true)
                    .orTimeout(10, TimeUnit.SECONDS).join();
            String msg = joined.orTimeout(10, TimeUnit.SECONDS).join();
            assertTrue(msg.contains("\"type\":\"joined\""), "join at " + uri + " answered " + msg);
            return msg;
        } finally {
            ws.abort();
        }
    }

    /**
     * After an abrupt drop the container must still tell the plugin, so the room forgets the peer:
     * {@code GET /xp2p/rooms?xresid=room} turns 404 (no peers) within 15 s.
     */
    public static void assertPeerReleased(URI ctx, String room) {
        URI rooms = URI.create(ctx + "/xp2p/rooms?xresid=" + java.net.URLEncoder.encode(room, java.nio.charset.StandardCharsets.UTF_8));
        Poll.await("the dropped peer to leave room " + room + " at " + ctx, 15_000, () -> get(rooms).statusCode() == 404);
    }
}
