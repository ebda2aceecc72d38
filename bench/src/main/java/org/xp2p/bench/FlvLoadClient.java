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
import java.util.Map;

/**
 * Many http-flv viewers on one selector thread: reads every byte, parses only FLV tag headers,
 * and records per tag the delay since the origin emitted it. Built to cost far less CPU than the
 * server it measures, so the figures describe the server.
 */
final class FlvLoadClient implements AutoCloseable {
    /** Latency histogram in 100 µs buckets up to 10 s. */
    static final int BUCKETS = 100_000;

    private final Selector selector;
    private final List<Viewer> viewers = new ArrayList<>();
    private final Map<Long, Long> emitted;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
    private final Thread thread;
    private final long[] histogram = new long[BUCKETS];
    private volatile boolean measuring;
    private volatile boolean running = true;
    private volatile long bytesMeasured;
    private volatile long samples;

    static final class Viewer {
        final SocketChannel channel;
        int state;          // 0 HTTP head, 1 FLV header, 2 tag header, 3 tag body
        int matched;        // progress through CRLFCRLF
        final byte[] statusLine = new byte[12];
        int statusFill;
        int skip = 13;
        final byte[] tagHeader = new byte[11];
        int tagFill;
        long bodyLeft;
        volatile long lastTs = -1;
        volatile boolean closed;
        volatile int status;
        long bytes;

        Viewer(SocketChannel channel) {
            this.channel = channel;
        }
    }

    FlvLoadClient(Map<Long, Long> emitted) throws IOException {
        this.emitted = emitted;
        this.selector = Selector.open();
        this.thread = new Thread(this::loop, "flv-load");
        thread.setDaemon(true);
        thread.start();
    }

    /** Opens {@code n} viewers of {@code path} on 127.0.0.1:{@code port}. */
    void open(int port, String path, int n) throws IOException {
        byte[] request = ("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: xp2p-bench\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            ch.write(ByteBuffer.wrap(request));
            ch.configureBlocking(false);
            Viewer v = new Viewer(ch);
            synchronized (viewers) {
                viewers.add(v);
            }
            selector.wakeup();
            synchronized (this) {
                pendingRegistrations.add(v);
            }
        }
        selector.wakeup();
    }

    private final List<Viewer> pendingRegistrations = new ArrayList<>();

    private void loop() {
        try {
            while (running) {
                selector.select(100);
                synchronized (this) {
                    for (Viewer v : pendingRegistrations) {
                        v.channel.register(selector, SelectionKey.OP_READ, v);
                    }
                    pendingRegistrations.clear();
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
            long now = System.nanoTime();
            v.bytes += n;
            if (measuring) {
                bytesMeasured += n;
            }
            parse(v, now);
        } catch (IOException e) {
            close(v, key);
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

    private void parse(Viewer v, long now) {
        while (buffer.hasRemaining()) {
            switch (v.state) {
                case 0 -> {
                    byte b = buffer.get();
                    if (v.statusFill < 12) {
                        v.statusLine[v.statusFill++] = b;
                        if (v.statusFill == 12) {
                            v.status = Integer.parseInt(new String(v.statusLine, 9, 3, StandardCharsets.ISO_8859_1));
                        }
                    }
                    int expect = (v.matched % 2 == 0) ? '\r' : '\n';
                    v.matched = b == expect ? v.matched + 1 : (b == '\r' ? 1 : 0);
                    if (v.matched == 4) {
                        v.state = 1;
                    }
                }
                case 1 -> {
                    int take = Math.min(v.skip, buffer.remaining());
                    buffer.position(buffer.position() + take);
                    v.skip -= take;
                    if (v.skip == 0) {
                        v.state = 2;
                    }
                }
                case 2 -> {
                    int take = Math.min(11 - v.tagFill, buffer.remaining());
                    buffer.get(v.tagHeader, v.tagFill, take);
                    v.tagFill += take;
                    if (v.tagFill == 11) {
                        byte[] h = v.tagHeader;
                        long size = ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
                        long ts = ((h[4] & 0xffL) << 16) | ((h[5] & 0xffL) << 8) | (h[6] & 0xffL) | ((h[7] & 0xffL) << 24);
                        v.lastTs = Math.max(v.lastTs, ts);
                        if (measuring) {
                            Long sent = emitted.get(ts);
                            if (sent != null) {
                                long bucket = Math.max(0, (now - sent) / 100_000);
                                histogram[(int) Math.min(BUCKETS - 1, bucket)]++;
                                samples++;
                            }
                        }
                        v.bodyLeft = size + 4;
                        v.tagFill = 0;
                        v.state = 3;
                    }
                }
                default -> {
                    int take = (int) Math.min(v.bodyLeft, buffer.remaining());
                    buffer.position(buffer.position() + take);
                    v.bodyLeft -= take;
                    if (v.bodyLeft == 0) {
                        v.state = 2;
                    }
                }
            }
        }
    }

    void measuring(boolean on) {
        measuring = on;
    }

    /** Snapshot taken after measuring stopped (the selector thread owns the counters). */
    long bytesMeasured() {
        return bytesMeasured;
    }

    long samples() {
        return samples;
    }

    /** Latency percentile in milliseconds from the histogram. */
    double percentileMillis(double p) {
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
