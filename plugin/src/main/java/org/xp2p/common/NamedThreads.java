package org.xp2p.common;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way the plugin makes threads: daemon threads named {@code xp2p-<job>[-n]}.
 *
 * <p>Daemon, so a container that forgets to undeploy cannot be kept alive by us; named, so a
 * thread dump or a container's leak warning says which xp2p job a thread belongs to. Every pool
 * made with these factories is shut down by its owner's {@code close()} on undeploy.
 */
public final class NamedThreads {
    private NamedThreads() {
    }

    /** Threads named {@code prefix-1}, {@code prefix-2}, ... for a pool of several. */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + "-" + n.incrementAndGet());
    }

    /** Threads all named {@code name}, for a single-thread executor. */
    public static ThreadFactory single(String name) {
        return r -> daemon(r, name);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
