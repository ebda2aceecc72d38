package org.xp2p.bench.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Wall-clock {@link SimClock}: one model thread runs every model task, timers included, so that
 * thousands of peers cost timers, not threads. WebSocket callbacks hand their messages to it.
 *
 * <p>Why a timer wheel instead of a {@code ScheduledThreadPoolExecutor}: with 10,000 peers the
 * model keeps hundreds of thousands of timers pending (chunk deadlines, holds, heartbeats; most
 * never fire anything), and a profile of a 10,000-peer run found 28 % of the simulator's samples
 * in the executor's heap ({@code DelayedWorkQueue.siftDown}) while the model ran 190-900 ms late.
 * Timers here land in 1 ms slots of a wheel covering 16 s; the few beyond it wait in
 * a heap and move to the wheel as their slot comes round. Adding and firing a timer are O(1).
 */
final class RealClock implements SimClock, AutoCloseable {
    /** Slots of 1 ms: the wheel's default horizon. */
    static final int WHEEL_MS = 1 << 14;
    private final int wheelMs;
    private final long mask;

    private record Timer(long tick, long order, Runnable task) {
    }

    private final long start = System.nanoTime();
    private final ConcurrentLinkedQueue<Timer> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final List<Runnable>[] wheel;
    private final PriorityQueue<Timer> far = new PriorityQueue<>((a, b) -> a.tick != b.tick
            ? Long.compare(a.tick, b.tick) : Long.compare(a.order, b.order));
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long order;
    /** The next tick the loop has not yet fired (model thread only). */
    private long nextTick;

    RealClock() {
        this(WHEEL_MS);
    }

    /** A clock whose wheel covers {@code wheelMs} (a power of two); later timers wait in a heap. */
    @SuppressWarnings("unchecked")
    RealClock(int wheelMs) {
        if (Integer.bitCount(wheelMs) != 1) {
            throw new IllegalArgumentException("wheelMs must be a power of two: " + wheelMs);
        }
        this.wheelMs = wheelMs;
        this.mask = wheelMs - 1;
        this.wheel = new List[wheelMs];
        thread = new Thread(this::loop, "swarmsim-model");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public double now() {
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void at(double delayMs, Runnable task) {
        long tick = delayMs <= 0 ? -1 : (long) Math.ceil(now() + delayMs);
        pending.incrementAndGet();
        inbox.add(new Timer(tick, 0, task));
        if (Thread.currentThread() != thread) {
            LockSupport.unpark(thread);
        }
    }

    /** Tasks waiting (timers included): a load indicator for the model thread. */
    int queued() {
        return pending.get();
    }

    private void loop() {
        while (running) {
            Timer t;
            while ((t = inbox.poll()) != null) {
                if (t.tick < 0 || t.tick < nextTick) {
                    ready.add(t.task);
                } else if (t.tick - nextTick < wheelMs) {
                    slot(t.tick).add(t.task);
                } else {
                    far.add(new Timer(t.tick, order++, t.task));
                }
            }
            long nowTick = (long) now();
            while (nextTick <= nowTick && ready.size() < 4_096) {
                while (!far.isEmpty() && far.peek().tick - nextTick < wheelMs) {
                    Timer f = far.poll();
                    if (f.tick < nextTick) {
                        ready.add(f.task);
                    } else {
                        slot(f.tick).add(f.task);
                    }
                }
                List<Runnable> due = wheel[(int) (nextTick & mask)];
                if (due != null && !due.isEmpty()) {
                    ready.addAll(due);
                    due.clear();
                }
                nextTick++;
            }
            if (ready.isEmpty()) {
                long waitMs = Math.max(0, nextTick - (long) now());
                if (waitMs > 0 && inbox.isEmpty()) {
                    // a timed wait, not synchronisation: nothing is due before the next tick, and a
                    // submitted timer unparks this thread at once; waking 0.2 ms early (and at least
                    // every 50 ms) keeps ticks from being overslept
                    LockSupport.parkNanos(Math.min(waitMs, 50) * 1_000_000L - 200_000L);
                }
                continue;
            }
            Runnable r;
            while ((r = ready.poll()) != null) {
                pending.decrementAndGet();
                try {
                    r.run();
                } catch (RuntimeException e) {
                    System.err.println("swarmsim: model task failed: " + e);
                    e.printStackTrace();
                }
                if (!inbox.isEmpty()) {
                    break; // keep arrival order close to real time: new timers and messages first
                }
            }
        }
    }

    private List<Runnable> slot(long tick) {
        int i = (int) (tick & mask);
        List<Runnable> s = wheel[i];
        if (s == null) {
            s = new ArrayList<>(4);
            wheel[i] = s;
        }
        return s;
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
