package org.xp2p.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Many http-flv viewers on one selector thread, fair to any server: each sends the HTTP/1.1
 * keep-alive request a browser player sends, decodes chunked transfer coding when the server uses
 * it, reads every byte and parses the FLV tag headers.
 *
 * <p>Two delay figures: the lag of every viewer behind the stream's live edge, sampled once a
 * second over the whole window (the same for every server: the edge is the newest timestamp any
 * viewer has, or the edge at the window's start advanced in real time, whichever is ahead, so a
 * server whose viewers all fall behind shows it), and, when the origin's emit times are known
 * (the xp2p replay origin), the added latency of every tag from origin emit to viewer receipt.
 * Built to cost far less CPU than the server it measures.
 */
final class FlvLoadClient implements AutoCloseable {
    /** Histograms in 100 µs buckets up to 10 s. */
    static final int BUCKETS = 100_000;
    private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

    private final Selector selector;
    private final List<Viewer> viewers = new ArrayList<>();
    private final List<Viewer> pending = new ArrayList<>();
    private final Map<Long, Long> emitted;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
    private final Thread thread;
    private final Thread sampler;
    private final long[] latency = new long[BUCKETS];
    private final long[] lag = new long[BUCKETS];
    private volatile boolean measuring;
    private volatile boolean running = true;
    private volatile long bytesMeasured;
    private volatile long edgeAtStart = -1;
    private volatile long startNanos;

    static final class Viewer {
        final SocketChannel channel;
        int state;             // 0 HTTP head, 1 FLV header, 2 tag header, 3 tag body, 4 ended
        final StringBuilder head = new StringBuilder();
        int matched;           // progress through CRLFCRLF
        boolean chunked;
        int chunkState;        // 0 size line, 1 data, 2 CRLF after data
        long chunkLeft;
        long chunkSize;
        boolean sizeDone;
        int skip = 13;
        final byte[] tagHeader = new byte[11];
        int tagFill;
        long bodyLeft;
        volatile long lastTs = -1;
        volatile boolean closed;
        volatile int status;
        volatile long maxLag;

        Viewer(SocketChannel channel) {
            this.channel = channel;
        }
    }

    /** @param emitted origin timestamp to emit nanos, or null when the origin's emit times are unknown */
    FlvLoadClient(Map<Long, Long> emitted) throws IOException {
        this.emitted = emitted;
        this.selector = Selector.open();
        this.thread = new Thread(this::loop, "flv-load");
        thread.setDaemon(true);
        thread.start();
        this.sampler = new Thread(this::sample, "flv-lag-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** The request a browser's http-flv player sends (flv.js through fetch): HTTP/1.1, keep-alive. */
    static byte[] request(String path, int port) {
        return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: keep-alive\r\n"
                + "Accept: */*\r\nAccept-Encoding: identity\r\nUser-Agent: xp2p-bench\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Opens {@code n} more viewers of {@code path} on 127.0.0.1:{@code port}; a server that stops
     * accepting makes this fail after {@code maxMillis} instead of hanging the benchmark.
     */
    void open(int port, String path, int n, long maxMillis) throws IOException {
        byte[] request = request(path, port);
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        for (int i = 0; i < n; i++) {
            if (System.nanoTime() - deadline > 0) {
                selector.wakeup();
                throw new IOException("opened only " + i + " of " + n + " more viewers in " + maxMillis + " ms");
            }
            SocketChannel ch = SocketChannel.open();
            ch.socket().connect(new InetSocketAddress("127.0.0.1", port), 5000);
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            ch.write(ByteBuffer.wrap(request));
            ch.configureBlocking(false);
            Viewer v = new Viewer(ch);
            synchronized (viewers) {
                viewers.add(v);
            }
            synchronized (pending) {
                pending.add(v);
            }
            if (i % 100 == 99) {
                selector.wakeup();
            }
        }
        selector.wakeup();
    }

    int size() {
        synchronized (viewers) {
            return viewers.size();
        }
    }

    private void loop() {
        try {
            while (running) {
                selector.select(100);
                synchronized (pending) {
                    for (Viewer v : pending) {
                        v.channel.register(selector, SelectionKey.OP_READ, v);
                    }
                    pending.clear();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    read((Viewer) key.attachment(), key);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void read(Viewer v, SelectionKey key) {
        try {
            buffer.clear();
            int n = v.channel.read(buffer);
            if (n < 0) {
                close(v, key);
                return;
            }
            buffer.flip();
            if (measuring) {
                bytesMeasured += n;
            }
            long now = System.nanoTime();
            if (v.state == 0) {
                readHead(v);
            }
            if (v.chunked) {
                dechunk(v, now);
            } else if (buffer.hasRemaining()) {
                parse(v, buffer.remaining(), now);
            }
        } catch (IOException | RuntimeException e) {
            close(v, key);
        }
    }

    private void readHead(Viewer v) {
        while (buffer.hasRemaining() && v.state == 0) {
            byte b = buffer.get();
            v.head.append((char) (b & 0xff));
            v.matched = b == CRLFCRLF[v.matched] ? v.matched + 1 : (b == '\r' ? 1 : 0);
            if (v.matched == 4) {
                String head = v.head.toString();
                v.status = Integer.parseInt(head.substring(9, 12));
                v.chunked = head.toLowerCase(Locale.ROOT).contains("\ntransfer-encoding: chunked");
                v.state = 1;
            }
        }
    }

    /** Decodes the chunked transfer coding and passes the data on to the FLV parser. */
    private void dechunk(Viewer v, long now) {
        while (buffer.hasRemaining()) {
            switch (v.chunkState) {
                case 0 -> {
                    byte b = buffer.get();
                    if (b == '\n') {
                        if (v.chunkSize == 0) {
                            v.state = 4; // last chunk: the response ended
                            return;
                        }
                        v.chunkLeft = v.chunkSize;
                        v.chunkSize = 0;
                        v.sizeDone = false;
                        v.chunkState = 1;
                    } else if (!v.sizeDone) {
                        int d = Character.digit(b, 16);
                        if (d >= 0) {
                            v.chunkSize = v.chunkSize * 16 + d;
                        } else {
                            v.sizeDone = true; // ';' extensions or the CR: the number ended
                        }
                    }
                }
                case 1 -> {
                    int take = (int) Math.min(v.chunkLeft, buffer.remaining());
                    parse(v, take, now);
                    v.chunkLeft -= take;
                    if (v.chunkLeft == 0) {
                        v.chunkState = 2;
                    }
                }
                default -> {
                    if (buffer.get() == '\n') {
                        v.chunkState = 0;
                    }
                }
            }
        }
    }

    private void close(Viewer v, SelectionKey key) {
        v.closed = true;
        key.cancel();
        try {
            v.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Parses exactly {@code count} bytes of FLV from the buffer. */
    private void parse(Viewer v, int count, long now) {
        int end = buffer.position() + count;
        while (buffer.position() < end) {
            int left = end - buffer.position();
            switch (v.state) {
                case 1 -> {
                    int take = Math.min(v.skip, left);
                    buffer.position(buffer.position() + take);
                    v.skip -= take;
                    if (v.skip == 0) {
                        v.state = 2;
                    }
                }
                case 2 -> {
                    int take = Math.min(11 - v.tagFill, left);
                    buffer.get(v.tagHeader, v.tagFill, take);
                    v.tagFill += take;
                    if (v.tagFill == 11) {
                        tag(v, now);
                    }
                }
                case 3 -> {
                    int take = (int) Math.min(v.bodyLeft, left);
                    buffer.position(buffer.position() + take);
                    v.bodyLeft -= take;
                    if (v.bodyLeft == 0) {
                        v.state = 2;
                    }
                }
                default -> buffer.position(end);
            }
        }
    }

    private void tag(Viewer v, long now) {
        byte[] h = v.tagHeader;
        long size = ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        long ts = ((h[4] & 0xffL) << 16) | ((h[5] & 0xffL) << 8) | (h[6] & 0xffL) | ((h[7] & 0xffL) << 24);
        if (ts > v.lastTs) {
            v.lastTs = ts;
        }
        if (measuring && emitted != null) {
            Long sent = emitted.get(ts);
            if (sent != null) {
                latency[bucket(now - sent)]++;
            }
        }
        v.bodyLeft = size + 4;
        v.tagFill = 0;
        v.state = 3;
    }

    private static int bucket(long nanos) {
        return (int) Math.min(BUCKETS - 1, Math.max(0, nanos / 100_000));
    }

    /** Once a second while measuring: every viewer's distance behind the live edge. */
    private void sample() {
        long next = System.nanoTime();
        while (running) {
            next += 1_000_000_000L;
            for (long left; (left = next - System.nanoTime()) > 0; ) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
            if (!measuring || edgeAtStart < 0) {
                continue;
            }
            List<Viewer> all = viewers();
            long newest = -1;
            for (Viewer v : all) {
                newest = Math.max(newest, v.lastTs);
            }
            long edge = Math.max(newest, edgeAtStart + (System.nanoTime() - startNanos) / 1_000_000);
            synchronized (lag) {
                for (Viewer v : all) {
                    long behind = v.closed || v.lastTs < 0 ? Long.MAX_VALUE / 2 : edge - v.lastTs;
                    lag[bucket(behind * 1_000_000)]++;
                    v.maxLag = Math.max(v.maxLag, behind);
                }
            }
        }
    }

    void measuring(boolean on) {
        if (on) {
            java.util.Arrays.fill(latency, 0);
            synchronized (lag) {
                java.util.Arrays.fill(lag, 0);
            }
            long newest = -1;
            for (Viewer v : viewers()) {
                newest = Math.max(newest, v.lastTs);
                v.maxLag = 0;
            }
            bytesMeasured = 0;
            startNanos = System.nanoTime();
            edgeAtStart = newest;
        }
        measuring = on;
    }

    long bytesMeasured() {
        return bytesMeasured;
    }

    /** Viewers that fell more than {@code millis} behind the edge at any sample, closed or refused. */
    int lagging(long millis) {
        int n = 0;
        for (Viewer v : viewers()) {
            if (v.closed || v.status != 200 || v.maxLag > millis) {
                n++;
            }
        }
        return n;
    }

    /** Added latency percentile (origin emit to receipt) in ms; NaN when emit times are unknown. */
    double latencyMillis(double p) {
        return percentile(latency, p);
    }

    /** Lag-behind-the-edge percentile over all per-second samples, in ms. */
    double lagMillis(double p) {
        synchronized (lag) {
            return percentile(lag, p);
        }
    }

    private static double percentile(long[] histogram, double p) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        long rank = (long) Math.ceil(p / 100.0 * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += histogram[i];
            if (seen >= rank && rank > 0) {
                return (i + 1) / 10.0;
            }
        }
        return Double.NaN;
    }

    List<Viewer> viewers() {
        synchronized (viewers) {
            return List.copyOf(viewers);
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Viewer v : viewers()) {
            v.channel.close();
        }
        selector.close();
    }
}
