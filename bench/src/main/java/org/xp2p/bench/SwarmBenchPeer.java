package org.xp2p.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One simulated peer of {@link SwarmBench}: joins a room, answers nothing, counts the signalling
 * messages relayed to it. Only the {@code joined} answer is parsed; relayed messages are counted
 * by their prefix, which the server writes in a fixed field order.
 */
final class SwarmBenchPeer extends WholeTextListener {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String OFFER_PREFIX = "{\"v\":1,\"type\":\"offer\"";

    final int index;
    final String room;
    private final AtomicLong relayedCounter;
    volatile CompletableFuture<String> joined = new CompletableFuture<>();
    volatile long joinSentNanos;
    volatile long joinLatencyNanos;
    /** Messages received by every peer, by type (SwarmBench clears it before the phase it counts). */
    static final ConcurrentHashMap<String, LongAdder> BY_TYPE = new ConcurrentHashMap<>();
    volatile String errors = "";
    /** This peer's parent in its room's tree ("server" for a server child), from the last {@code parent}. */
    volatile String parent = "server";
    WebSocket ws;

    SwarmBenchPeer(int index, String room, AtomicLong relayedCounter) {
        this.index = index;
        this.room = room;
        this.relayedCounter = relayedCounter;
    }

    CompletableFuture<String> join() {
        joined = new CompletableFuture<>();
        joinSentNanos = System.nanoTime();
        ws.sendText("{\"v\":1,\"type\":\"join\",\"room\":\"" + room + "\",\"upload\":true,\"slots\":4,\"network\":\"ethernet\"}", true);
        return joined;
    }

    /** Leaves the room and joins it again: a join against a warm server. */
    CompletableFuture<String> rejoin() {
        return ws.sendText("{\"v\":1,\"type\":\"leave\"}", true).thenCompose(w -> join());
    }

    @Override
    void onMessage(String text) {
        int t = text.indexOf("\"type\":\"");
        if (t >= 0) {
            BY_TYPE.computeIfAbsent(text.substring(t + 8, text.indexOf('"', t + 8)), k -> new LongAdder()).increment();
        }
        if (text.startsWith(OFFER_PREFIX)) {
            relayedCounter.incrementAndGet();
        } else if (text.startsWith("{\"v\":1,\"type\":\"joined\"")) {
            joinLatencyNanos = System.nanoTime() - joinSentNanos;
            joined.complete(field(text, "peer"));
        } else if (text.startsWith("{\"v\":1,\"type\":\"parent\"")) {
            parent = field(text, "parent");
        } else if (text.startsWith("{\"v\":1,\"type\":\"error\"")) {
            errors = text;
            joined.completeExceptionally(new IllegalStateException(text));
        }
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        joined.completeExceptionally(error);
    }

    private static String field(String message, String name) {
        try (JsonParser p = JSON.createParser(message)) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME && p.currentName().equals(name)) {
                    p.nextToken();
                    return p.getText();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("bad message: " + message, e);
        }
        throw new IllegalStateException("no " + name + " in " + message);
    }
}
