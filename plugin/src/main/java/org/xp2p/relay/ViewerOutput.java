package org.xp2p.relay;

import jakarta.servlet.WriteListener;
import java.io.IOException;

/**
 * A viewer's connection as the relay core sees it: a response to begin or refuse, and a
 * non-blocking byte sink. The servlet implementation is {@link ServletViewerOutput}; tests use an
 * in-memory one, so the stream lifecycle and fan-out run without sockets.
 *
 * <p>The write contract is the Servlet non-blocking one: {@link #write} only when
 * {@link #isReady()} said true; the bytes are referenced, not copied, until written, which is
 * fine because segment bytes never change.
 */
interface ViewerOutput {
    /** Peer address for logs. */
    String remote();

    /** {@code System.nanoTime()}-based moment the request was accepted (first-byte histogram). */
    long acceptedNanos();

    /** Sends the 200 head for a live stream of {@code epoch}, plaintext or encrypted. */
    void accept(String streamId, long epoch, boolean encrypted, String corsOrigin);

    /** Answers with an error status and ends the response. */
    void refuse(int status, String message);

    /** Switches to non-blocking writes; {@code listener} hears when writing is possible again. */
    void start(WriteListener listener) throws IOException;

    boolean isReady();

    void write(byte[] bytes, int offset, int length) throws IOException;

    void flush() throws IOException;

    /** Ends the response. */
    void complete();
}
