package org.xp2p.common;

/** What went wrong at the bottom of a chain of wrapped exceptions, for one-line log and error texts. */
public final class Causes {
    private Causes() {
    }

    /** The innermost cause; {@code t} itself when it has none (self-causes are not followed). */
    public static Throwable root(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }

    /** The innermost cause's message, or the cause itself as text when it has none. */
    public static String rootMessage(Throwable t) {
        Throwable r = root(t);
        return r.getMessage() != null ? r.getMessage() : r.toString();
    }

    /** The innermost cause as {@code SimpleName: message} ("ConnectException: Connection refused"). */
    public static String rootDescription(Throwable t) {
        Throwable r = root(t);
        return r.getClass().getSimpleName() + (r.getMessage() == null ? "" : ": " + r.getMessage());
    }
}
