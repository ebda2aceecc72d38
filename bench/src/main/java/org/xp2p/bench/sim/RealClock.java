package org.xp2p.bench.sim;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Wall-clock {@link SimClock}: one scheduler thread runs every model task, timers included, so
 * that thousands of peers cost timers, not threads. WebSocket callbacks hand their messages to it.
 */
final class RealClock implements SimClock, AutoCloseable {
    private final long start = System.nanoTime();
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "swarmsim-model");
        t.setDaemon(true);
        return t;
    });

    RealClock() {
        thread.setRemoveOnCancelPolicy(false);
    }

    @Override
    public double now() {
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void at(double delayMs, Runnable task) {
        Runnable safe = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                System.err.println("swarmsim: model task failed: " + e);
                e.printStackTrace();
            }
        };
        if (delayMs <= 0) {
            thread.execute(safe);
        } else {
            thread.schedule(safe, (long) (delayMs * 1000), TimeUnit.MICROSECONDS);
        }
    }

    /** Tasks waiting (timers included): a load indicator for the model thread. */
    int queued() {
        return thread.getQueue().size();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
