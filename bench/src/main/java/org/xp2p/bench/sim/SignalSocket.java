package org.xp2p.bench.sim;

import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One peer's signalling WebSocket: whole text messages in (parsed here, handed to the model thread
 * by {@code onMessage}), text messages out in order. The JDK WebSocket refuses a send while the
 * previous one is pending, so sends queue here. ({@code org.xp2p.bench.WholeTextListener} does the
 * receiving half but is package-private to {@code org.xp2p.bench}, so it cannot be reused here.)
 */
final class SignalSocket implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final Consumer<Msg> onMessage;
    private final Consumer<String> onClose;
    private final ArrayDeque<String> outbox = new ArrayDeque<>();
    private boolean sending;
    private volatile WebSocket ws;
    private volatile boolean closed;

    SignalSocket(Consumer<Msg> onMessage, Consumer<String> onClose) {
        this.onMessage = onMessage;
        this.onClose = onClose;
    }

    void attach(WebSocket ws) {
        this.ws = ws;
        flush();
    }

    boolean isOpen() {
        return ws != null && !closed;
    }

    void send(String text) {
        synchronized (outbox) {
            if (closed) {
                return;
            }
            outbox.add(text);
        }
        flush();
    }

    private void flush() {
        WebSocket w = ws;
        if (w == null) {
            return;
        }
        String next;
        synchronized (outbox) {
            if (sending || outbox.isEmpty() || closed) {
                return;
            }
            sending = true;
            next = outbox.poll();
        }
        w.sendText(next, true).whenComplete((x, err) -> {
            synchronized (outbox) {
                sending = false;
                if (err != null) {
                    outbox.clear();
                }
            }
            if (err == null) {
                flush();
            }
        });
    }

    /** Drops the connection without a close handshake (also what a frozen or crashed tab amounts to at the end). */
    void abort() {
        closed = true;
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        String text;
        if (!last || partial.length() > 0) {
            partial.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            text = partial.toString();
            partial.setLength(0);
        } else {
            text = data.toString();
        }
        Msg m = Msg.parse(text);
        if (m != null && m.type() != null) {
            onMessage.accept(m);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed = true;
        onClose.accept(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed = true;
        onClose.accept("error " + error);
    }
}
