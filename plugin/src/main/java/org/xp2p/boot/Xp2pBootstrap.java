package org.xp2p.boot;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.auth.StreamAuth;
import org.xp2p.affinity.AffinityService;
import org.xp2p.config.Settings;
import org.xp2p.keys.KeyService;
import org.xp2p.ops.OpsService;
import org.xp2p.ops.Xp2pMetrics;
import org.xp2p.relay.RelayService;
import org.xp2p.store.Database;
import org.xp2p.swarm.SwarmService;

/**
 * Starts and stops the plugin's features in dependency order.
 *
 * <p>Declared in {@code web.xml} (not by annotation) so that it runs in any Servlet 6 container,
 * even with annotation scanning off, and so that it may register servlets and filters
 * programmatically. A failure here is rethrown: the container then marks the deployment failed,
 * which is what an operator expects from a bad configuration value.
 */
public final class Xp2pBootstrap implements ServletContextListener {
    /** Context attribute a host may set to a {@link Clock}; tests use it to move time. */
    public static final String CLOCK_ATTRIBUTE = "xp2p.clock";
    /**
     * Context attribute this listener sets to a {@link Runnable} that a host runs when its shutdown
     * <em>begins</em> (Jetty: a {@code lifeCycleStopping} listener on the server). The Servlet API has
     * no such event, and {@code contextDestroyed} can come after the container has already cut the
     * connections at the end of its stop timeout: then viewers see a tag cut in half. Running it ends
     * them cleanly first ({@link RelayService#drain}). A container stopped by a signal (a stock
     * Jetty or Tomcat) runs it through a JVM shutdown hook, at the same moment as its own; and
     * {@code contextDestroyed} runs it in any case.
     */
    public static final String SHUTDOWN_ATTRIBUTE = "xp2p.shutdown";

    private static final Logger LOG = LoggerFactory.getLogger(Xp2pBootstrap.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    /** Registered while the plugin runs; removed at undeploy so it holds no class loader after. */
    private Thread shutdownHook;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext ctx = event.getServletContext();
        try {
            Settings settings = Settings.load(initParams(ctx));
            Clock clock = ctx.getAttribute(CLOCK_ATTRIBUTE) instanceof Clock c ? c : Clock.systemUTC();

            Database db = keep(Database.open(settings, ctx));
            KeyService keys = keep(KeyService.start(ctx, settings, db, clock));
            Xp2pMetrics metrics = new Xp2pMetrics();
            StreamAuth auth = keep(StreamAuth.from(settings, clock));
            RelayService relay = keep(RelayService.start(ctx, settings, keys.lookup(), clock, metrics, auth));
            ctx.setAttribute(SHUTDOWN_ATTRIBUTE, (Runnable) relay::drain);
            shutdownHook = new Thread(relay::drain, "xp2p-shutdown-drain");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            SwarmService swarm = keep(SwarmService.start(ctx, settings, relay, keys.lookup(), clock, metrics, auth));
            keep(AffinityService.start(ctx, settings, db, clock));
            keep(OpsService.start(ctx, settings, db, relay, swarm, metrics));

            LOG.info("xp2p started in context '{}' with configuration {}", ctx.getContextPath(), settings.effective());
        } catch (RuntimeException e) {
            LOG.error("xp2p failed to start: {}", e.getMessage());
            stopAll();
            throw e;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        stopAll();
        LOG.info("xp2p stopped in context '{}'", event.getServletContext().getContextPath());
    }

    private <T extends AutoCloseable> T keep(T feature) {
        started.push(feature);
        return feature;
    }

    private void stopAll() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook has run or is running, and drain is idempotent
            }
            shutdownHook = null;
        }
        while (!started.isEmpty()) {
            AutoCloseable feature = started.pop();
            try {
                feature.close();
            } catch (Exception e) {
                LOG.warn("xp2p: stopping {} failed: {}", feature.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static Map<String, String> initParams(ServletContext ctx) {
        Map<String, String> params = new HashMap<>();
        for (String name : Collections.list(ctx.getInitParameterNames())) {
            String value = ctx.getInitParameter(name);
            // a container may declare a key without a value (Jetty's xp2p module does for every
            // key its ini leaves unset): that key is not set here, so lower sources apply
            if (name.startsWith(Settings.PREFIX) && value != null) {
                params.put(name, value);
            }
        }
        return params;
    }
}
