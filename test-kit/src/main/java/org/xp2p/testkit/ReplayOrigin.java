package org.xp2p.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A live http-flv origin that replays a recorded FLV in real time, looping with continuous
 * timestamps: the demo origin of {@code --demo}, and the origin of tests and benchmarks.
 *
 * <p>Any {@code *.flv} path serves the same recording unless a path is told otherwise
 * ({@link #respond(String, int)} for an HTTP status, {@link #garbage(String)} for non-FLV bytes).
 * It counts connections per path, which is how tests prove one pull per stream. It listens on
 * loopback only. A thread per connection is fine here: an origin has one connection per stream.
 */
public final class ReplayOrigin implements AutoCloseable {
    static {
        // a live origin sends each tag as it is due; Nagle would hold small tags back for an ACK
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final FlvFile flv;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "replay-origin");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Set<String> garbage = ConcurrentHashMap.newKeySet();
    private final Set<HttpExchange> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger total = new AtomicInteger();
    private volatile boolean closed;
    private volatile EmitListener emitListener;

    /** Told when tags reach the socket; benchmarks measure the relay's added latency with it. */
    public interface EmitListener {
        void emitted(long timestampMillis, long nanoTime);
    }

    public ReplayOrigin(byte[] recording, int port) throws IOException {
        this.flv = FlvFile.parse(recording);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public void onEmit(EmitListener listener) {
        this.emitListener = listener;
    }

    /** Answer {@code path} with this HTTP status and no body. */
    public void respond(String path, int status) {
        statuses.put(path, status);
    }

    /** Serve {@code path} normally again (undoes {@link #respond} and {@link #garbage}). */
    public void serve(String path) {
        statuses.remove(path);
        garbage.remove(path);
    }

    /** Answer {@code path} with 200 and bytes that are not FLV. */
    public void garbage(String path) {
        garbage.add(path);
    }

    /** Connections ever opened for {@code path}. */
    public int connections(String path) {
        AtomicInteger n = connections.get(path);
        return n == null ? 0 : n.get();
    }

    /** Connections open now for {@code path}. */
    public int openConnections(String path) {
        AtomicInteger n = open.get(path);
        return n == null ? 0 : n.get();
    }

    public int totalConnections() {
        return total.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        connections.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        total.incrementAndGet();
        AtomicInteger openNow = open.computeIfAbsent(path, p -> new AtomicInteger());
        openNow.incrementAndGet();
        live.add(exchange);
        try (exchange) {
            Integer status = statuses.get(path);
            if (status != null) {
                exchange.sendResponseHeaders(status, -1);
            } else if (!path.endsWith(".flv")) {
                exchange.sendResponseHeaders(404, -1);
            } else if (garbage.contains(path)) {
                exchange.getResponseHeaders().set("Content-Type", "text/html");
                exchange.sendResponseHeaders(200, 0);
                exchange.getResponseBody().write("<html>this is not a video</html>\n".repeat(64).getBytes());
            } else {
                exchange.getResponseHeaders().set("Content-Type", "video/x-flv");
                exchange.sendResponseHeaders(200, 0);
                replay(exchange.getResponseBody());
            }
        } catch (IOException e) {
            // the client went away or we are closing: the connection ends either way
        } finally {
            live.remove(exchange);
            openNow.decrementAndGet();
        }
    }

    /** Writes header, config tags, then media tags paced by their timestamps, looping forever. */
    private void replay(OutputStream out) throws IOException {
        out.write(flv.header());
        for (byte[] tag : flv.configTags()) {
            out.write(tag);
        }
        out.flush();
        long start = System.nanoTime();
        long base = FlvFile.timestamp(flv.mediaTags().get(0));
        java.util.List<Long> unflushed = new java.util.ArrayList<>();
        for (long loop = 0; !closed; loop++) {
            long offset = loop * flv.durationMillis();
            for (byte[] tag : flv.mediaTags()) {
                long ts = FlvFile.timestamp(tag) - base + offset;
                long due = start + ts * 1_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    out.flush();
                    EmitListener l = emitListener;
                    if (l != null) {
                        long now = System.nanoTime();
                        for (long t : unflushed) {
                            l.emitted(t, now);
                        }
                    }
                    unflushed.clear();
                    // pacing a real-time replay is this thread's only job
                    LockSupport.parkNanos(wait);
                }
                if (closed) {
                    return;
                }
                out.write(FlvFile.withTimestamp(tag, ts));
                unflushed.add(ts);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        for (HttpExchange e : live) {
            e.close();
        }
        threads.shutdownNow();
    }
}
