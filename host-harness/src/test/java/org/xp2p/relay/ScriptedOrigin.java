package org.xp2p.relay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.xp2p.flv.FlvReader;
import org.xp2p.flv.FlvTag;

/**
 * An origin that misbehaves on purpose: every connection gets the same fixed bytes, then either
 * silence (the connection stays open until the origin closes) or the end of the response. It
 * counts connections, which is how tests see how often the relay comes back.
 */
final class ScriptedOrigin implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-origin");
        t.setDaemon(true);
        return t;
    });
    private final byte[] bytes;
    private final boolean holdOpen;
    private final CountDownLatch closing = new CountDownLatch(1);
    final AtomicInteger connections = new AtomicInteger();

    /**
     * @param bytes    what every connection gets
     * @param holdOpen true: then silence until {@link #close}; false: then the response ends
     */
    ScriptedOrigin(byte[] bytes, boolean holdOpen) throws IOException {
        this.bytes = bytes;
        this.holdOpen = holdOpen;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex) throws IOException {
        connections.incrementAndGet();
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", "video/x-flv");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(bytes);
            out.flush();
            if (holdOpen) {
                closing.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the relay hung up: expected
        }
    }

    /** The demo recording's FLV header and tags up to and including its first video keyframe. */
    static ByteArrayOutputStream headerAndFirstKeyframe() throws IOException {
        byte[] demo = RelayFixture.demoRecording();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(demo, 0, FlvReader.FILE_HEADER_SIZE + FlvTag.TRAILER_SIZE);
        List<FlvTag> tags = FlvReader.readAll(demo);
        for (FlvTag t : tags) {
            out.writeBytes(t.serialize());
            if (t.type() == FlvTag.VIDEO && t.body().length > 1 && (t.body()[0] & 0xF0) == 0x10 && t.body()[1] == 1) {
                break;
            }
        }
        return out;
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
