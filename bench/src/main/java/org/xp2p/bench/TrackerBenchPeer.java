package org.xp2p.bench;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated WebTorrent peer of {@link TrackerBench}, speaking the JSON WebSocket protocol of
 * the JavaScript tracker (npm {@code bittorrent-tracker} 11, {@code lib/server/parse-websocket.js}):
 * it announces itself into the swarm of its room's info_hash, sends announces carrying one offer
 * each (which the tracker forwards to another peer of the same swarm), answers nothing and counts
 * the offers forwarded to it.
 *
 * <p>info_hash, peer_id and offer_id are 20-character "binary strings" in that protocol; printable
 * ASCII ones are valid and need no JSON escaping. Every announce without {@code answer} gets
 * exactly one response on the same socket, in order, so the peer waits for "response number n"
 * by counting instead of parsing: that keeps the benchmark's own cost per message small, as
 * {@link SwarmBenchPeer} does for xp2p. Messages are recognised by their prefix, which the tracker
 * writes in a fixed field order.
 */
final class TrackerBenchPeer extends WholeTextListener {
    /** A forwarded offer: {@code {"action":"announce","offer":...,"offer_id":...,"peer_id":...,"info_hash":...}}. */
    private static final String OFFER_PREFIX = "{\"action\":\"announce\",\"offer\":";
    /** The announce response: {@code {"complete":n,"incomplete":n,"action":"announce","interval":n,"info_hash":...}}. */
    private static final String RESPONSE_PREFIX = "{\"complete\":";

    final int index;
    final String infoHash;
    final String peerId;
    private final AtomicLong offersReceived;
    private final AtomicLong announcesSent = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();
    private volatile long awaitedResponse;
    private volatile CompletableFuture<Void> answered = new CompletableFuture<>();
    volatile long joinSentNanos;
    volatile long joinLatencyNanos;
    volatile String failure = "";
    WebSocket ws;

    TrackerBenchPeer(int index, int room, AtomicLong offersReceived) {
        this.index = index;
        this.infoHash = String.format("xp2p-bench-room%05d", room);
        this.peerId = String.format("-XB0001-%012d", index);
        this.offersReceived = offersReceived;
    }

    /** Joins the swarm: an announce with event "started" and no offers, timed to its response. */
    CompletableFuture<Void> start() {
        CompletableFuture<Void> response = expectResponse();
        joinSentNanos = System.nanoTime();
        ws.sendText(announce("started", 0, ""), true);
        return response.thenRun(() -> joinLatencyNanos = System.nanoTime() - joinSentNanos);
    }

    /** Leaves the swarm ("stopped", awaited) and joins it again: a join against a warm tracker. */
    CompletableFuture<Void> rejoin() {
        CompletableFuture<Void> left = expectResponse();
        ws.sendText(announce("stopped", 0, ""), true);
        return left.thenCompose(x -> start());
    }

    /** Announce number {@code k} of this peer carrying one offer, in the same SDP shape xp2p's bench sends. */
    String offerAnnounce(int k) {
        announcesSent.incrementAndGet();
        String offer = ",\"offers\":[{\"offer\":{\"type\":\"offer\",\"sdp\":\"v=0 o=- " + index + " " + k
                + " IN IP4 127.0.0.1\"},\"offer_id\":\"" + String.format("%08d-%011d", index, k) + "\"}]";
        return announce(null, 1, offer);
    }

    private String announce(String event, int numwant, String offers) {
        return "{\"action\":\"announce\",\"info_hash\":\"" + infoHash + "\",\"peer_id\":\"" + peerId
                + "\",\"numwant\":" + numwant + ",\"uploaded\":0,\"downloaded\":0"
                + (event == null ? "" : ",\"event\":\"" + event + "\"") + offers + "}";
    }

    private CompletableFuture<Void> expectResponse() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        awaitedResponse = announcesSent.incrementAndGet(); // before publishing f: see onText
        answered = f;
        if (responses.get() >= awaitedResponse) {
            f.complete(null);
        }
        return f;
    }

    @Override
    void onMessage(String text) {
        if (text.startsWith(OFFER_PREFIX)) {
            offersReceived.incrementAndGet();
        } else if (text.startsWith(RESPONSE_PREFIX)) {
            CompletableFuture<Void> f = answered; // read before awaitedResponse: a new f implies its own count
            if (responses.incrementAndGet() >= awaitedResponse) {
                f.complete(null);
            }
        } else if (text.contains("\"failure reason\"")) {
            failure = text;
            answered.completeExceptionally(new IllegalStateException("tracker refused peer " + peerId + ": " + text));
        }
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        answered.completeExceptionally(error);
    }
}
