package org.xp2p.swarm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A signalling test client over java.net.http.WebSocket. It reads one message at a time
 * (explicit flow control), so {@link #stopReading()} really stops reading from the socket.
 */
final class SignalClient implements WebSocket.Listener, AutoCloseable {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonFactory JSON = new JsonFactory();

    private final LinkedBlockingQueue<Map<String, Object>> inbox = new LinkedBlockingQueue<>();
    private final List<Map<String, Object>> skipped = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile boolean reading = true;
    private WebSocket ws;
    String peerId;
    volatile Throwable error;

    static SignalClient connect(URI httpBase, String origin) {
        SignalClient c = new SignalClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            b.header("Origin", origin);
        }
        URI uri = URI.create(httpBase.toString().replaceFirst("^http", "ws") + "/xp2p/signal");
        c.ws = b.buildAsync(uri, c).orTimeout(10, TimeUnit.SECONDS).join();
        return c;
    }

    static SignalClient connect(URI httpBase) {
        return connect(httpBase, null);
    }

    /** Joins and waits for the answer; returns the joined message. */
    Map<String, Object> join(String room, boolean upload, int slots, String extraJson) {
        send("{\"v\":1,\"type\":\"join\",\"room\":\"" + room + "\",\"upload\":" + upload + ",\"slots\":" + slots
                + (extraJson == null ? "" : "," + extraJson) + "}");
        Map<String, Object> joined = expect("joined");
        peerId = (String) joined.get("peer");
        return joined;
    }

    void send(String text) {
        ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    void sendAsync(String text) {
        ws.sendText(text, true);
    }

    /** Sends the text {@code times} times back to back (each send starts when the previous one is written). */
    void sendRepeatedly(String text, int times) {
        CompletableFuture<WebSocket> chain = CompletableFuture.completedFuture(ws);
        for (int i = 0; i < times; i++) {
            chain = chain.thenCompose(w -> w.sendText(text, true));
        }
        chain.orTimeout(10, TimeUnit.SECONDS).join();
    }

    void sendBinary(byte[] bytes) {
        ws.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    void stopReading() {
        reading = false;
    }

    void resumeReading() {
        reading = true;
        ws.request(1);
    }

    /** The next message of this type (others are kept for later calls), within 10 s. */
    Map<String, Object> expect(String type) {
        synchronized (skipped) {
            for (Iterator<Map<String, Object>> it = skipped.iterator(); it.hasNext(); ) {
                Map<String, Object> m = it.next();
                if (type.equals(m.get("type"))) {
                    it.remove();
                    return m;
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Map<String, Object> m = inbox.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new AssertionError("no '" + type + "' message within 10 s; skipped: " + skipped
                            + (error == null ? "" : "; connection failed: " + error));
                }
                if (type.equals(m.get("type"))) {
                    return m;
                }
                synchronized (skipped) {
                    skipped.add(m);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Every message of this type received so far (drains the inbox into the kept list first). */
    List<Map<String, Object>> received(String type) {
        List<Map<String, Object>> out = new ArrayList<>();
        synchronized (skipped) {
            inbox.drainTo(skipped);
            for (Map<String, Object> m : skipped) {
                if (type.equals(m.get("type"))) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** Ping and wait for the pong: everything the server sent before it has arrived by then. */
    void roundTrip() {
        send("{\"v\":1,\"type\":\"ping\"}");
        expect("pong");
    }

    int awaitClose() {
        try {
            return closeCode.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("connection not closed within 20 s");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            inbox.add(parse(partial.toString()));
            partial.setLength(0);
        }
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        this.error = error;
        closeCode.complete(-1);
    }

    @Override
    public void close() {
        if (!closeCode.isDone()) {
            ws.abort();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            p.nextToken();
            return (Map<String, Object>) read(p);
        } catch (IOException e) {
            throw new UncheckedIOException("server sent invalid JSON: " + text, e);
        }
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return true;
            case VALUE_FALSE:
                return false;
            default:
                return null;
        }
    }
}
