package org.xp2p.swarm;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PeerLink} over a Jakarta WebSocket session: one asynchronous send in flight, the rest
 * in a bounded queue. When the queue is full the peer is not reading fast enough; it is dropped
 * (queue discarded, {@code onOverflow} called) so it never holds up a room or the relay thread.
 * A requested close waits until the queued messages (typically the error that explains the
 * close) have been handed to the container.
 *
 * <p>One send in flight, not several: Tomcat refuses a second asynchronous send before the first
 * completes. Inside a {@link PeerLink#defer} scope an idle link is claimed (marked sending) and
 * its first message queued; the scope's end starts the transmission, outside the caller's locks.
 */
final class SessionLink implements PeerLink, SendHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLink.class);
    private static final ThreadLocal<Scope> DEFERRED = new ThreadLocal<>();

    private final Session session;
    private final int capacity;
    /** Created on the first message that has to wait: most links never need one (heap per peer). */
    private ArrayDeque<String> queue;
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

    static PeerLink.Deferral defer() {
        Scope s = DEFERRED.get();
        if (s == null) {
            s = new Scope();
            DEFERRED.set(s);
        }
        s.depth++;
        return s;
    }

    @Override
    public boolean send(String text) {
        boolean overflow = false;
        Scope scope = null;
        synchronized (this) {
            if (closed || closeAfterDrain != null) {
                return false;
            }
            if (sending) {
                if (queue == null) {
                    queue = new ArrayDeque<>(4);
                }
                if (queue.size() < capacity) {
                    queue.add(text);
                    return true;
                }
                closed = true;
                queue = null;
                overflow = true;
            } else {
                sending = true;
                scope = DEFERRED.get();
                if (scope != null) {
                    if (queue == null) {
                        queue = new ArrayDeque<>(4);
                    }
                    queue.add(text);
                }
            }
        }
        if (overflow) {
            onOverflow.run();
            return false;
        }
        if (scope != null) {
            scope.claimed.add(this);
        } else {
            transmit(text);
        }
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
        if (!result.isOK()) {
            synchronized (this) {
                LOG.debug("swarm: send to session {} failed: {}", session.getId(), String.valueOf(result.getException()));
                closed = true;
                queue = null;
                sending = false;
            }
            return;
        }
        sendNext();
    }

    /** The previous message is with the container (or a deferral scope ended): the next one, or the pending close. */
    private void sendNext() {
        String next;
        CloseReason close = null;
        synchronized (this) {
            next = queue == null ? null : queue.poll();
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

    @Override
    public void abandon(int code, String reason) {
        synchronized (this) {
            queue = null;
        }
        close(code, reason);
    }

    private void closeNow(CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException | RuntimeException e) {
            LOG.debug("swarm: closing session {} failed: {}", session.getId(), e.toString());
        }
    }

    /** The links this thread claimed while deferring; transmitted when the outermost scope closes. */
    private static final class Scope implements PeerLink.Deferral {
        private final ArrayList<SessionLink> claimed = new ArrayList<>();
        private int depth;

        @Override
        public void close() {
            if (--depth > 0) {
                return;
            }
            DEFERRED.remove();
            RuntimeException first = null;
            for (SessionLink link : claimed) {
                try {
                    link.sendNext();
                } catch (RuntimeException e) {
                    // one broken session must not leave the other claimed links marked sending forever
                    if (first == null) {
                        first = e;
                    }
                }
            }
            claimed.clear();
            if (first != null) {
                throw first;
            }
        }
    }
}
