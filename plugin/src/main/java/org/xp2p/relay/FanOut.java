package org.xp2p.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spreads the writes of a batch over a few single-threaded workers, one per core.
 *
 * <p>Each viewer is pinned to one worker, so its batches keep their order without any waiting,
 * and the origin thread only hands over references: a stream with a thousand viewers is read as
 * fast as the origin sends, and the writes proceed on all cores.
 */
final class FanOut implements AutoCloseable {
    private final ExecutorService[] workers;
    private final AtomicInteger next = new AtomicInteger();

    FanOut(int threads) {
        workers = new ExecutorService[threads];
        for (int i = 0; i < threads; i++) {
            String name = "xp2p-fanout-" + (i + 1);
            workers[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** The worker a new viewer is pinned to. */
    int assign() {
        return Math.floorMod(next.getAndIncrement(), workers.length);
    }

    int workers() {
        return workers.length;
    }

    /** Offers {@code segments} to every viewer, each on its own worker. */
    void deliver(List<Segment> segments, Viewer[] viewers) {
        if (workers.length == 1) {
            submit(0, segments, List.of(viewers));
            return;
        }
        List<List<Viewer>> slices = new ArrayList<>(workers.length);
        for (int i = 0; i < workers.length; i++) {
            slices.add(new ArrayList<>(viewers.length / workers.length + 1));
        }
        for (Viewer v : viewers) {
            slices.get(v.worker()).add(v);
        }
        for (int i = 0; i < workers.length; i++) {
            if (!slices.get(i).isEmpty()) {
                submit(i, segments, slices.get(i));
            }
        }
    }

    private void submit(int worker, List<Segment> segments, List<Viewer> viewers) {
        try {
            workers[worker].execute(() -> {
                for (Viewer v : viewers) {
                    try {
                        v.offer(segments);
                    } catch (RuntimeException e) {
                        v.close(false, "fan-out failed: " + e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down: the viewers are being closed anyway
        }
    }

    @Override
    public void close() {
        for (ExecutorService w : workers) {
            w.shutdownNow();
        }
    }
}
