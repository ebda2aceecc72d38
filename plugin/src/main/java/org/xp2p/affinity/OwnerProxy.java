package org.xp2p.affinity;

import org.xp2p.common.NamedThreads;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import org.xp2p.http.HttpClients;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.log.WarnLimiter;

/**
 * Proxy mode: a non-owner fetches the request from the owner and streams the response through,
 * for access layers that cannot follow or expose redirects. The client keeps one URL; the owner
 * still does the only origin pull.
 *
 * <p>Only GET and HEAD without a WebSocket upgrade are proxied (a live stream is a long GET); the
 * rest is redirected by the filter, because a WebSocket cannot be relayed by an HTTP client. Each
 * proxied response holds one copier thread (blocking copy with a flush per read, so live data is
 * not buffered) and at most {@code xp2p.cluster.proxyMaxStreams} run at once; beyond that the
 * node answers 503 {@code proxy_busy} rather than queueing a live stream behind others.
 */
public final class OwnerProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerProxy.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);
    private static final int BUFFER = 16 * 1024;
    /** Hop-by-hop headers (RFC 9110 7.6.1) and those the JDK client sets itself. */
    private static final Set<String> SKIPPED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
            "host", "content-length", "expect", "http2-settings");

    private final ClusterNode self;
    private final Semaphore permits;
    private final Duration timeout;
    private final ExecutorService copiers;
    private final HttpClient client;

    public OwnerProxy(ClusterNode self, int maxStreams, long connectTimeoutMillis) {
        this.self = self;
        this.permits = new Semaphore(maxStreams);
        this.timeout = Duration.ofMillis(connectTimeoutMillis);
        this.copiers = Executors.newCachedThreadPool(NamedThreads.numbered("xp2p-cluster-proxy"));
        this.client = HttpClients.build(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .executor(copiers));
    }

    boolean canForward(HttpServletRequest req) {
        String method = req.getMethod();
        // an "Upgrade: h2c" offer is fine (the JDK client sends one); only WebSocket cannot be relayed
        String upgrade = req.getHeader("Upgrade");
        return (method.equals("GET") || method.equals("HEAD"))
                && (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("websocket"));
    }

    void forward(HttpServletRequest req, HttpServletResponse res, ClusterNode owner, String path, String query,
                 String stream) throws IOException {
        if (!permits.tryAcquire()) {
            WARNS.warn("proxy-full", "stream {}: proxy to owner {} refused, {} streams already proxied", stream, owner,
                    permits.availablePermits());
            ClusterErrors.send(res, 503, ClusterErrors.PROXY_BUSY,
                    "node " + self + " proxies too many streams; connect to " + owner.id() + " directly", 1);
            return;
        }
        HttpRequest request;
        try {
            request = build(req, owner, path, query);
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        try {
            copiers.execute(() -> relay(request, async, res, owner, stream));
        } catch (RuntimeException e) {
            permits.release();
            async.complete();
            throw e;
        }
    }

    private HttpRequest build(HttpServletRequest req, ClusterNode owner, String path, String query) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(owner.urlFor(path, query)))
                .timeout(timeout)
                .method(req.getMethod(), HttpRequest.BodyPublishers.noBody());
        for (String name : Collections.list(req.getHeaderNames())) {
            if (SKIPPED.contains(name.toLowerCase(Locale.ROOT)) || name.equalsIgnoreCase(AffinityFilter.HOP_HEADER)) {
                continue;
            }
            for (String value : Collections.list(req.getHeaders(name))) {
                try {
                    b.header(name, value);
                } catch (IllegalArgumentException restricted) {
                    // a header the JDK client manages itself (e.g. Date, Via); not needed by the owner
                }
            }
        }
        b.header(AffinityFilter.HOP_HEADER, "1");
        b.header("X-Forwarded-For", req.getRemoteAddr());
        return b.build();
    }

    private void relay(HttpRequest request, AsyncContext async, HttpServletResponse res, ClusterNode owner,
                       String stream) {
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                res.setStatus(response.statusCode());
                for (Map.Entry<String, List<String>> h : response.headers().map().entrySet()) {
                    String name = h.getKey();
                    String lower = name.toLowerCase(Locale.ROOT);
                    // the container writes its own Date and Server; content-length is kept
                    if (lower.startsWith(":") || lower.equals("date") || lower.equals("server")
                            || SKIPPED.contains(lower) && !lower.equals("content-length")) {
                        continue;
                    }
                    for (String v : h.getValue()) {
                        res.addHeader(name, v);
                    }
                }
                res.setHeader("X-Xp2p-Proxied-By", self.id());
                OutputStream out = res.getOutputStream();
                byte[] buf = new byte[BUFFER];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.debug("stream {}: proxying from owner {} ended: {}", stream, owner, e.toString());
            ClusterErrors.send(res, 502, ClusterErrors.OWNER_UNREACHABLE,
                    "owner node " + owner.id() + " of stream " + stream + " did not answer: " + e.getMessage(), 1);
        } finally {
            permits.release();
            try {
                async.complete();
            } catch (RuntimeException ignored) {
                // already completed by a container timeout or client abort
            }
        }
    }

    @Override
    public void close() {
        HttpClients.shutdown(client);
        copiers.shutdownNow();
        try {
            copiers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
