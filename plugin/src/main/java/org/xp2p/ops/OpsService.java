package org.xp2p.ops;

import org.xp2p.common.Paths;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.ServletContext;
import java.util.function.LongSupplier;
import org.xp2p.config.Settings;
import org.xp2p.relay.RelayService;
import org.xp2p.store.Database;
import org.xp2p.swarm.SwarmService;

/**
 * Operations endpoints: {@code GET /xp2p/health} for load balancers and
 * {@code GET /xp2p/metrics} in the Prometheus text format for dashboards and alerts.
 */
public final class OpsService implements AutoCloseable {
    private OpsService() {
    }

    public static OpsService start(ServletContext ctx, Settings settings, Database db, RelayService relay,
            SwarmService swarm, Xp2pMetrics metrics) {
        PrometheusRegistry r = metrics.registry();
        gauge(r, "xp2p_relay_streams", "Streams relayed by this node now.", () -> relay.totals().streams());
        gauge(r, "xp2p_relay_viewers", "http-flv viewers connected now.", () -> relay.totals().viewers());
        gauge(r, "xp2p_relay_holds", "Swarm rooms holding a stream's pull now.", () -> relay.totals().holds());
        gauge(r, "xp2p_swarm_peers", "Signalling connections (peers) now.", swarm::connections);
        gauge(r, "xp2p_swarm_rooms", "Swarm rooms with members now.", swarm::rooms);
        gauge(r, "xp2p_jvm_heap_used_bytes", "JVM heap in use.", () -> {
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        });
        ctx.addServlet("xp2p-health", new HealthServlet(db)).addMapping(Paths.HEALTH);
        ctx.addServlet("xp2p-metrics", new MetricsServlet(metrics)).addMapping(Paths.METRICS);
        return new OpsService();
    }

    private static void gauge(PrometheusRegistry r, String name, String help, LongSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(r);
    }

    @Override
    public void close() {
        // servlets go with the context
    }
}
