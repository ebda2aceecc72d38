package org.xp2p.affinity;

import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.config.Settings;
import org.xp2p.store.Database;

/**
 * Stream-to-node affinity: when this node is part of a cluster, installs the {@link AffinityFilter}
 * in front of everything so a stream is served (and pulled from its origin) by one node only.
 * Without {@code xp2p.cluster.*} configuration nothing is installed and the node serves all streams.
 *
 * <p>Membership is either the static node list or heartbeats in the shared database
 * ({@link DatabaseMembership}). A host may hand the membership its own pool as context attribute
 * {@value #DATA_SOURCE_ATTRIBUTE} (a {@link DataSource}); otherwise the plugin's database is used.
 */
public final class AffinityService implements AutoCloseable {
    public static final String DATA_SOURCE_ATTRIBUTE = "xp2p.cluster.dataSource";
    public static final String FILTER_NAME = "xp2p-affinity";

    private static final Logger LOG = LoggerFactory.getLogger(AffinityService.class);

    private final Membership membership;
    private final OwnerProxy proxy;

    private AffinityService(Membership membership, OwnerProxy proxy) {
        this.membership = membership;
        this.proxy = proxy;
    }

    public static AffinityService start(ServletContext ctx, Settings settings, Database db, Clock clock) {
        Optional<ClusterSettings> configured = ClusterSettings.from(settings);
        if (configured.isEmpty()) {
            LOG.info("cluster affinity off: no {} configured, this node serves every stream", ClusterSettings.NODES);
            return new AffinityService(null, null);
        }
        ClusterSettings config = configured.get();
        Membership membership = config.membership().equals("database")
                ? new DatabaseMembership(dataSource(ctx, db), config.self(), config.heartbeatMillis(),
                        config.missedBeats(), clock).start()
                : new StaticMembership(config.self(), config.staticNodes());
        OwnerProxy proxy = config.mode().equals("proxy")
                ? new OwnerProxy(config.self(), config.proxyMaxStreams(), config.proxyConnectTimeoutMillis())
                : null;
        OwnerChoice choice = OwnerChoice.named(config.hash());
        try {
            AffinityFilter filter = new AffinityFilter(config, membership, choice, proxy);
            FilterRegistration.Dynamic reg = ctx.addFilter(FILTER_NAME, filter);
            reg.setAsyncSupported(true);
            reg.addMappingForUrlPatterns(null, false, "/*");
        } catch (RuntimeException e) {
            membership.close();
            if (proxy != null) {
                proxy.close();
            }
            throw e;
        }
        LOG.info("cluster affinity on: node {} ({} membership, {} mode, {} hash, redirect {}), live members {}",
                config.self(), config.membership(), config.mode(), config.hash(), config.redirectStatus(),
                membership.live());
        return new AffinityService(membership, proxy);
    }

    private static DataSource dataSource(ServletContext ctx, Database db) {
        return ctx.getAttribute(DATA_SOURCE_ATTRIBUTE) instanceof DataSource ds ? ds : db.dataSource();
    }

    @Override
    public void close() {
        if (proxy != null) {
            proxy.close();
        }
        if (membership != null) {
            membership.close();
        }
    }
}
