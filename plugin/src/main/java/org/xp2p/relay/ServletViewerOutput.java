package org.xp2p.relay;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.xp2p.crypto.StreamCipher;

/**
 * {@link ViewerOutput} over an asynchronous servlet response. Uses only Servlet 6.0 calls
 * ({@code write(byte[], int, int)} on a non-blocking {@link ServletOutputStream}), so the WAR
 * runs on Jetty 12 ee10 and on Tomcat 10.1 alike; the array slices are the shared chunk buffers,
 * so nothing is copied on the way to the container.
 */
final class ServletViewerOutput implements ViewerOutput {
    private final AsyncContext async;
    private final long acceptedNanos;
    private final String remote;
    private ServletOutputStream out;

    ServletViewerOutput(AsyncContext async, long acceptedNanos) {
        this.async = async;
        this.acceptedNanos = acceptedNanos;
        this.remote = async.getRequest().getRemoteAddr() + ":" + async.getRequest().getRemotePort();
    }

    @Override
    public String remote() {
        return remote;
    }

    @Override
    public long acceptedNanos() {
        return acceptedNanos;
    }

    @Override
    public void accept(String streamId, long epoch, boolean encrypted, String corsOrigin) {
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        response.setStatus(200);
        if (encrypted) {
            response.setContentType("application/octet-stream");
            response.setHeader("X-Xp2p-Encryption", StreamCipher.CONTENT_ENCODING_NAME);
        } else {
            response.setContentType("video/x-flv");
        }
        response.setHeader("Cache-Control", "no-store");
        if (!corsOrigin.isEmpty()) {
            response.setHeader("Access-Control-Allow-Origin", corsOrigin);
        }
        response.setHeader("X-Xp2p-Stream", streamId);
        response.setHeader("X-Xp2p-Epoch", Long.toString(epoch));
    }

    @Override
    public void refuse(int status, String message) {
        StreamServlet.sendError((HttpServletResponse) async.getResponse(), status, message);
        complete();
    }

    @Override
    public void start(WriteListener listener) throws IOException {
        out = async.getResponse().getOutputStream();
        out.setWriteListener(listener);
    }

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void complete() {
        try {
            async.complete();
        } catch (RuntimeException ignored) {
            // already completed by the container (the client left)
        }
    }
}
