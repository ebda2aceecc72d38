package org.xp2p.relay;

import org.xp2p.common.NamedThreads;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pumps viewers on a few single-threaded workers, one per core, at most once per merge window
 * per stream and worker.
 *
 * <p>Why merge: a viewer written once per origin read gets dozens of small writes a second, each
 * a system call; pumping {@code mergeMillis} after new data arrived lets every viewer send all
 * of it at once (normally one write per window), at the price of that much added latency. The
 * origin thread only sets a flag and, for the first read of a window, schedules one task per
 * worker: its cost does not grow with the audience. Each viewer is pinned to one worker, so its
 * writes keep their order without waiting.
 */
final class FanOut implements AutoCloseable {
    private final ScheduledThreadPoolExecutor[] workers;
    private final int mergeMillis;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param threads     worker threads; 0 makes a manual fan-out that never pumps by itself (tests
     *                    call {@link LiveStream#pumpAll()})
     * @param mergeMillis how long new data waits so that it goes out with what follows
     */
    FanOut(int threads, int mergeMillis) {
        this.mergeMillis = mergeMillis;
        workers = new ScheduledThreadPoolExecutor[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new ScheduledThreadPoolExecutor(1, NamedThreads.single("xp2p-fanout-" + (i + 1)));
            workers[i].setRemoveOnCancelPolicy(true);
        }
    }

    /** The worker a new viewer is pinned to. */
    int assign() {
        return workers.length == 0 ? 0 : Math.floorMod(next.getAndIncrement(), workers.length);
    }

    /** Number of viewer sets a stream keeps (at least one, also for a manual fan-out). */
    int workers() {
        return Math.max(1, workers.length);
    }

    int mergeMillis() {
        return mergeMillis;
    }

    /** New data was published on {@code stream}: pump its viewers once the merge window has passed. */
    void flushSoon(LiveStream stream) {
        for (int w = 0; w < workers.length; w++) {
            if (!stream.claimPump(w)) {
                continue;
            }
            int worker = w;
            try {
                if (mergeMillis == 0) {
                    workers[w].execute(() -> stream.pump(worker));
                } else {
                    workers[w].schedule(() -> stream.pump(worker), mergeMillis, TimeUnit.MILLISECONDS);
                }
            } catch (RejectedExecutionException e) {
                // shutting down: the viewers are being closed anyway
            }
        }
    }

    @Override
    public void close() {
        for (ScheduledThreadPoolExecutor w : workers) {
            w.shutdownNow();
        }
    }
}
