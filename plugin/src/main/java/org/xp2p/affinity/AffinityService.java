package org.xp2p.affinity;

import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import java.time.Clock;
import java.util.List;
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
    /**
     * Context attribute holding the started service, for features whose requests never pass the
     * filter: in Jetty a WebSocket upgrade to a registered endpoint is taken by the container's own
     * upgrade filter, which it puts before every webapp filter, so the signalling endpoint must ask
     * {@link #redirectFor} itself during its handshake.
     */
    public static final String CONTEXT_ATTRIBUTE = "org.xp2p.affinity.AffinityService";

    private static final Logger LOG = LoggerFactory.getLogger(AffinityService.class);

    private final Membership membership;
    private final OwnerProxy proxy;
    private final OwnerChoice choice;

    private AffinityService(Membership membership, OwnerProxy proxy, OwnerChoice choice) {
        this.membership = membership;
        this.proxy = proxy;
        this.choice = choice;
    }

    public static AffinityService start(ServletContext ctx, Settings settings, Database db, Clock clock) {
        Optional<ClusterSettings> configured = ClusterSettings.from(settings);
        if (configured.isEmpty()) {
            LOG.info("cluster affinity off: no {} configured, this node serves every stream", ClusterSettings.NODES);
            AffinityService off = new AffinityService(null, null, null);
            ctx.setAttribute(CONTEXT_ATTRIBUTE, off);
            return off;
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
        AffinityService service = new AffinityService(membership, proxy, choice);
        ctx.setAttribute(CONTEXT_ATTRIBUTE, service);
        return service;
    }

    /** The live members as this node sees them (base URLs), empty when no cluster is configured; for ops. */
    public List<String> liveMembers() {
        return membership == null ? List.of() : membership.live().stream().map(ClusterNode::id).toList();
    }

    /**
     * Where a request for a stream must go instead of this node: the owner's absolute URL with the
     * same path and query, or empty when this node may serve it (it owns the stream, no cluster is
     * configured, the request names no stream, or no member is live).
     *
     * @param rawPath  the raw request path inside the context
     * @param rawQuery the raw query, or null
     */
    public Optional<String> redirectFor(String rawPath, String rawQuery) {
        if (membership == null) {
            return Optional.empty();
        }
        return StreamKey.of(rawPath, rawQuery)
                .flatMap(stream -> choice.owner(stream, membership.live()))
                .filter(owner -> !owner.equals(membership.self()))
                .map(owner -> owner.urlFor(rawPath, rawQuery));
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
