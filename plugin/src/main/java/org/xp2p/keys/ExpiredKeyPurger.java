package org.xp2p.keys;

import org.xp2p.common.NamedThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired key rows in the background so the table stays the size of the live keys.
 *
 * <p>Lookups already ignore expired rows, so purging is housekeeping only: it runs on one named
 * daemon thread, in batches of {@code batch} rows and at most {@value #MAX_BATCHES_PER_RUN}
 * batches per run, and a failing run (database down) is logged and retried at the next interval.
 */
public final class ExpiredKeyPurger implements AutoCloseable {
    static final int MAX_BATCHES_PER_RUN = 20;
    public static final String THREAD_NAME = "xp2p-key-purge";

    private static final Logger LOG = LoggerFactory.getLogger(ExpiredKeyPurger.class);

    private final JdbcKeyStore store;
    private final int batch;
    private final ScheduledExecutorService executor;

    private ExpiredKeyPurger(JdbcKeyStore store, int batch) {
        this.store = store;
        this.batch = batch;
        this.executor = Executors.newSingleThreadScheduledExecutor(NamedThreads.single(THREAD_NAME));
    }

    public static ExpiredKeyPurger start(JdbcKeyStore store, Duration interval, int batch) {
        ExpiredKeyPurger purger = new ExpiredKeyPurger(store, batch);
        long millis = interval.toMillis();
        purger.executor.scheduleWithFixedDelay(purger::runOnce, millis, millis, TimeUnit.MILLISECONDS);
        return purger;
    }

    /** One bounded purge run; returns the rows deleted. */
    int runOnce() {
        int total = 0;
        try {
            for (int i = 0; i < MAX_BATCHES_PER_RUN; i++) {
                int deleted = store.purgeExpired(batch);
                total += deleted;
                if (deleted < batch) {
                    break;
                }
            }
            if (total > 0) {
                LOG.debug("xp2p keys: purged {} expired key(s)", total);
            }
        } catch (RuntimeException e) {
            LOG.warn("xp2p keys: purging expired keys failed, retrying next interval: {}", e.getMessage());
        }
        return total;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("xp2p keys: thread {} did not stop within 5 s", THREAD_NAME);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
