package org.xp2p.bench.sim;

/**
 * Millisecond histogram (1 ms buckets up to 120 s, then one overflow bucket) with exact max:
 * millions of samples in constant memory, percentiles to the millisecond.
 */
final class Histogram {
    private static final int LIMIT = 120_000;
    private final long[] counts = new long[LIMIT + 1];
    private long n;
    private double max;
    private double sum;

    void add(double ms) {
        int b = (int) Math.min(LIMIT, Math.max(0, Math.round(ms)));
        counts[b]++;
        n++;
        sum += ms;
        max = Math.max(max, ms);
    }

    long count() {
        return n;
    }

    double max() {
        return n == 0 ? Double.NaN : max;
    }

    double mean() {
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The {@code q} quantile (0..1) in ms, NaN when empty. */
    double quantile(double q) {
        if (n == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i <= LIMIT; i++) {
            seen += counts[i];
            if (seen >= rank && seen > 0) {
                return i == LIMIT ? max : i;
            }
        }
        return max;
    }

    void addAll(Histogram other) {
        for (int i = 0; i <= LIMIT; i++) {
            counts[i] += other.counts[i];
        }
        n += other.n;
        sum += other.sum;
        max = Math.max(max, other.max);
    }
}
