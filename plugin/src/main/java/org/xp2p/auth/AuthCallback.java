package org.xp2p.auth;

import org.xp2p.common.Json;
import org.xp2p.common.NamedThreads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.http.HttpClients;
import org.xp2p.http.JsonResponse;
import org.xp2p.log.WarnLimiter;

/**
 * The HTTP auth callback ({@code xp2p.auth.callbackUrl}): POSTs
 * {@code {"action":"play|join","stream":"<id>","client":"<address>","code":"..","token":".."}}
 * (code/token only when given) and reads the status: 2xx allows, 401 and 403 deny, anything else,
 * a timeout or a connection failure is {@link Verdict#UNAVAILABLE}. Allow and deny are cached per
 * (action, stream, client, credential) for {@code cacheSeconds}; unavailability is never cached.
 */
final class AuthCallback implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthCallback.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);
    /** Past this many cached answers the cache is emptied: bounded memory under a flood of new keys. */
    static final int MAX_CACHED = 100_000;

    enum Verdict { ALLOW, DENY, UNAVAILABLE }

    private record Key(StreamAuth.Action action, String stream, String client, String code, String token) {
    }

    private record Cached(Verdict verdict, long expiresNanos) {
    }

    private final URI url;
    private final Duration timeout;
    private final long cacheNanos;
    private final LongSupplier nanos;
    private final ExecutorService executor;
    private final HttpClient client;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    AuthCallback(URI url, int timeoutMillis, int cacheSeconds, LongSupplier nanos) {
        this.url = url;
        this.timeout = Duration.ofMillis(timeoutMillis);
        this.cacheNanos = cacheSeconds * 1_000_000_000L;
        this.nanos = nanos;
        this.executor = Executors.newFixedThreadPool(2, NamedThreads.numbered("xp2p-auth-callback"));
        this.client = HttpClients.build(HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .executor(executor));
    }

    Verdict ask(StreamAuth.Action action, String stream, String clientAddress, String code, String token) {
        Key key = new Key(action, stream, clientAddress, code, token);
        long now = nanos.getAsLong();
        Cached hit = cache.get(key);
        if (hit != null && hit.expiresNanos - now > 0) {
            return hit.verdict;
        }
        Verdict verdict = call(action, stream, clientAddress, code, token);
        if (verdict != Verdict.UNAVAILABLE && cacheNanos > 0) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(key, new Cached(verdict, now + cacheNanos));
        }
        return verdict;
    }

    private Verdict call(StreamAuth.Action action, String stream, String clientAddress, String code, String token) {
        Json body = Json.object()
                .put("action", action.name().toLowerCase(java.util.Locale.ROOT))
                .put("stream", stream)
                .put("client", clientAddress);
        if (code != null) {
            body.put("code", code);
        }
        if (token != null) {
            body.put("token", token);
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.end(), StandardCharsets.UTF_8)).build();
        try {
            // sendAsync + bounded get: the request timeout does not cover every stage of a slow answer
            HttpResponse<Void> response = client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .get(timeout.toMillis() + 100, java.util.concurrent.TimeUnit.MILLISECONDS);
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return Verdict.ALLOW;
            }
            if (status == 401 || status == 403) {
                return Verdict.DENY;
            }
            WARNS.warn("callback-status", "auth callback {} answered {}: counted as unavailable", url, status);
            return Verdict.UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.UNAVAILABLE;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            WARNS.warn("callback-failed", "auth callback {} did not answer: {}", url, e.toString());
            return Verdict.UNAVAILABLE;
        }
    }

    @Override
    public void close() {
        HttpClients.shutdown(client);
        executor.shutdownNow();
    }

}
