package org.xp2p.bench.sim;

/**
 * How late the model thread runs its timers: a probe every 100 ms records how far past its due
 * time it ran. When this grows, the simulator (not the node) is the bottleneck and its timing
 * figures are inflated; the report prints it so a run can be judged.
 */
final class ModelLag {
    private final RealClock clock;
    private Histogram lags = new Histogram();

    ModelLag(RealClock clock) {
        this.clock = clock;
    }

    void start() {
        probe();
    }

    private void probe() {
        double due = clock.now() + 100;
        clock.at(100, () -> {
            lags.add(Math.max(0, clock.now() - due));
            probe();
        });
    }

    void reset() {
        lags = new Histogram();
    }

    double p99() {
        return lags.quantile(0.99);
    }

    double max() {
        return lags.max();
    }
}
