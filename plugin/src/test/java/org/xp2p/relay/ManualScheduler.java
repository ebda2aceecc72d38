package org.xp2p.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler that runs nothing by itself: delayed tasks (reconnect backoff) wait until the test
 * calls {@link #runDue()}, immediate ones run at once on the caller's thread, periodic ones never.
 */
final class ManualScheduler extends ScheduledThreadPoolExecutor {
    record Task(Runnable task, long delayMillis) {
    }

    final List<Task> delayed = new ArrayList<>();

    ManualScheduler() {
        super(0);
    }

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        delayed.add(new Task(command, unit.toMillis(delay)));
        return null;
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return null; // housekeeping ticks: the test calls LiveStream.tick itself
    }

    /** Runs the tasks scheduled so far (as if their delays had passed); returns how many. */
    int runDue() {
        List<Task> due = new ArrayList<>(delayed);
        delayed.clear();
        due.forEach(t -> t.task().run());
        return due.size();
    }
}
