package org.xp2p.ops;

import jakarta.servlet.ServletContext;
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
            SwarmService swarm) {
        ctx.addServlet("xp2p-health", new HealthServlet(db)).addMapping("/xp2p/health");
        ctx.addServlet("xp2p-metrics", new MetricsServlet(relay, swarm)).addMapping("/xp2p/metrics");
        return new OpsService();
    }

    @Override
    public void close() {
        // servlets go with the context
    }
}
