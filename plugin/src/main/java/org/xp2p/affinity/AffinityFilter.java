package org.xp2p.affinity;

import org.xp2p.common.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.http.JsonResponse;

/**
 * Keeps every stream on its one owner node. For a request tied to a stream ({@link StreamKey}) it
 * picks the owner among the live members; the owner serves it, any other node sends the client to
 * the owner (redirect with path and query unchanged) or, in proxy mode, fetches it from the owner.
 * So however the access layer routes, an origin stream is pulled and its swarm room lives on one
 * node only.
 *
 * <p>Loop protection: a redirect or proxied request carries the hop marker ({@code xp2p_hop=1} in
 * the query, or header {@code X-Xp2p-Hop: 1}). A marked request that lands on a node that still
 * does not own the stream means the members' views disagree (a node just joined or left); it gets
 * 503 {@code affinity_loop} with {@code Retry-After} instead of being served, because serving it
 * would start a second pull that outlives the disagreement.
 */
public final class AffinityFilter extends HttpFilter {
    public static final String HOP_PARAMETER = "xp2p_hop";
    public static final String HOP_HEADER = "X-Xp2p-Hop";
    public static final String NODE_HEADER = "X-Xp2p-Node";
    public static final String OWNER_HEADER = "X-Xp2p-Owner";

    private static final Logger LOG = LoggerFactory.getLogger(AffinityFilter.class);

    private final ClusterSettings config;
    private final Membership membership;
    private final OwnerChoice choice;
    private final OwnerProxy proxy;

    /** @param proxy the proxy for proxy mode, or null in redirect mode */
    public AffinityFilter(ClusterSettings config, Membership membership, OwnerChoice choice, OwnerProxy proxy) {
        this.config = config;
        this.membership = membership;
        this.choice = choice;
        this.proxy = proxy;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        String query = req.getQueryString();
        Optional<String> key = StreamKey.of(path, query);
        if (key.isEmpty()) {
            chain.doFilter(req, res);
            return;
        }
        String stream = key.get();
        List<ClusterNode> live = membership.live();
        Optional<ClusterNode> owner = choice.owner(stream, live);
        if (owner.isEmpty()) {
            LOG.debug("stream {}: no live cluster member (this node {}), answering 503", stream, membership.self());
            ClusterErrors.send(res, 503, ClusterErrors.NO_LIVE_MEMBER,
                    "no live cluster member can serve stream " + stream + "; retry shortly", retryAfterSeconds());
            return;
        }
        ClusterNode node = owner.get();
        if (node.equals(membership.self())) {
            res.setHeader(NODE_HEADER, node.id());
            chain.doFilter(req, res);
            return;
        }
        if (hopped(req, query)) {
            LOG.debug("stream {}: hopped request reached {} but owner is {} (views disagree), answering 503",
                    stream, membership.self(), node);
            res.setHeader(OWNER_HEADER, node.id());
            ClusterErrors.send(res, 503, ClusterErrors.AFFINITY_LOOP, "stream " + stream
                    + " was already redirected once and node " + membership.self() + " still sees owner " + node
                    + "; cluster membership is changing, retry from the original URL", retryAfterSeconds());
            return;
        }
        if (proxy != null && proxy.canForward(req)) {
            LOG.debug("stream {}: proxying {} from owner {}", stream, path, node);
            proxy.forward(req, res, node, path, query, stream);
            return;
        }
        redirect(res, stream, node, path, query);
    }

    private void redirect(HttpServletResponse res, String stream, ClusterNode owner, String path, String query)
            throws IOException {
        String hop = HOP_PARAMETER + "=1";
        String location = owner.urlFor(path, query == null || query.isEmpty() ? hop : query + "&" + hop);
        LOG.debug("stream {}: owner is {}, redirecting ({}) to {}", stream, owner, config.redirectStatus(), location);
        res.setHeader("Location", location);
        res.setHeader(OWNER_HEADER, owner.id());
        JsonResponse.send(res, config.redirectStatus(), Json.object().put("redirect", location).end());
    }

    private static boolean hopped(HttpServletRequest req, String query) {
        return req.getHeader(HOP_HEADER) != null || StreamKey.parameter(query, HOP_PARAMETER).isPresent();
    }

    private long retryAfterSeconds() {
        return Math.max(1, (config.liveWindowMillis() + 999) / 1000);
    }
}
