package org.xp2p.relay;

import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** An in-memory viewer connection: records every write and lets a test block or unblock it. */
final class FakeViewerOutput implements ViewerOutput {
    record Write(byte[] array, int offset, int length) {
    }

    final List<Write> writes = new ArrayList<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    String refusal;
    boolean completed;
    private boolean ready = true;
    private WriteListener listener;

    @Override
    public String remote() {
        return "test:1";
    }

    @Override
    public long acceptedNanos() {
        return 0;
    }

    @Override
    public void accept(String streamId, long epoch, boolean encrypted, String corsOrigin) {
        status = 200;
    }

    @Override
    public void refuse(int status, String message) {
        this.status = status;
        this.refusal = message;
        completed = true;
    }

    @Override
    public void start(WriteListener listener) {
        this.listener = listener;
        if (ready) {
            writePossible();
        }
    }

    /** Blocks or unblocks the connection; unblocking calls the listener as a container would. */
    void ready(boolean ready) {
        this.ready = ready;
        if (ready && listener != null) {
            writePossible();
        }
    }

    private void writePossible() {
        try {
            listener.onWritePossible();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void write(byte[] array, int offset, int length) {
        writes.add(new Write(array, offset, length));
        bytes.write(array, offset, length);
    }

    @Override
    public void flush() {
    }

    @Override
    public void complete() {
        completed = true;
    }
}
