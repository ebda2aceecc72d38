package org.xp2p.swarm;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PeerLink} over a Jakarta WebSocket session: one asynchronous send in flight, the rest
 * in a bounded queue. When the queue is full the peer is not reading fast enough; it is dropped
 * (queue discarded, {@code onOverflow} called) so it never holds up a room or the relay thread.
 * A requested close waits until the queued messages (typically the error that explains the
 * close) have been handed to the container.
 */
final class SessionLink implements PeerLink, SendHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLink.class);

    private final Session session;
    private final int capacity;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private boolean sending;
    private boolean closed;
    private CloseReason closeAfterDrain;
    private Runnable onOverflow = () -> { };
    /** The thread inside {@code sendText} for this link, so an inline completion hands over instead of recursing. */
    private Thread transmitter;
    private String handoff;

    SessionLink(Session session, int capacity) {
        this.session = session;
        this.capacity = capacity;
    }

    void onOverflow(Runnable action) {
        this.onOverflow = action;
    }

    @Override
    public boolean send(String text) {
        boolean overflow = false;
        synchronized (this) {
            if (closed || closeAfterDrain != null) {
                return false;
            }
            if (sending) {
                if (queue.size() < capacity) {
                    queue.add(text);
                    return true;
                }
                closed = true;
                queue.clear();
                overflow = true;
            } else {
                sending = true;
            }
        }
        if (overflow) {
            onOverflow.run();
            return false;
        }
        transmit(text);
        return true;
    }

    /**
     * Sends {@code text} and then whatever a completion that ran inline (on this very thread, as
     * containers do when the socket takes the bytes at once) left in {@link #handoff}: a loop, so a
     * long queue never turns into a deep recursion.
     */
    private void transmit(String text) {
        Thread self = Thread.currentThread();
        while (text != null) {
            synchronized (this) {
                transmitter = self;
            }
            try {
                session.getAsyncRemote().sendText(text, this);
            } catch (RuntimeException e) {
                synchronized (this) {
                    transmitter = null;
                }
                onResult(new SendResult(e));
                return;
            }
            synchronized (this) {
                if (transmitter == self) {
                    transmitter = null;
                }
                text = handoff;
                handoff = null;
            }
        }
    }

    @Override
    public void onResult(SendResult result) {
        String next;
        CloseReason close = null;
        synchronized (this) {
            if (!result.isOK()) {
                LOG.debug("swarm: send to session {} failed: {}", session.getId(), String.valueOf(result.getException()));
                closed = true;
                queue.clear();
                sending = false;
                return;
            }
            next = queue.poll();
            if (next == null) {
                sending = false;
                if (closeAfterDrain != null && !closed) {
                    closed = true;
                    close = closeAfterDrain;
                }
            } else if (transmitter == Thread.currentThread()) {
                handoff = next;
                return;
            }
        }
        if (next != null) {
            transmit(next);
        } else if (close != null) {
            closeNow(close);
        }
    }

    @Override
    public void close(int code, String reason) {
        CloseReason cr = new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason);
        synchronized (this) {
            if (closeAfterDrain != null) {
                return;
            }
            closeAfterDrain = cr;
            if (sending && !closed) {
                return;
            }
            closed = true;
        }
        closeNow(cr);
    }

    private void closeNow(CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException | RuntimeException e) {
            LOG.debug("swarm: closing session {} failed: {}", session.getId(), e.toString());
        }
    }
}
