package org.xp2p.keys;

import org.xp2p.common.StreamId;
import org.xp2p.common.Json;
import org.xp2p.common.NamedThreads;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import org.xp2p.http.HttpClients;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Looks keys up in another key service ({@code xp2p.keyBase}, the original server's {@code -k}):
 * {@code GET {keyBase}{code}} answering {@code {"key":"<hex>"}}.
 *
 * <p>Every viewer request needs its key, so hits are kept for {@code cacheTime} in a bounded LRU
 * map: a burst of viewers of one code costs one remote call (simultaneous misses share one
 * call in flight), and a short outage of the key server
 * does not stop viewers who were just admitted. Misses are not cached (a code issued a moment ago
 * must work at once). 404 means unknown; any other answer, a timeout or a malformed body means
 * the store is unavailable, so the caller answers 503 rather than wrongly refusing the viewer.
 */
public final class RemoteKeyLookup implements KeyLookup, AutoCloseable {
    private final URI base;
    private final Clock clock;
    private final Duration cacheTime;
    private final Duration timeout;
    private final HttpClient client;
    /** The client's own threads (named), so that undeploy can stop them; the JDK's default pool cannot be. */
    private final ExecutorService httpThreads;
    private final Map<String, Cached> cache;
    /** Test seam: runs when a caller has missed the cache and is about to wait for the key server. */
    Runnable awaitingAnswer = () -> { };
    /** The key server calls under way, one per code; removed when answered or failed. */
    private final Map<String, CompletableFuture<Optional<Found>>> inFlight = new ConcurrentHashMap<>();

    public RemoteKeyLookup(URI base, Clock clock, Duration cacheTime, int cacheSize, Duration timeout) {
        this.base = base;
        this.clock = clock;
        this.cacheTime = cacheTime;
        this.timeout = timeout;
        this.httpThreads = Executors.newCachedThreadPool(NamedThreads.numbered("xp2p-keys-http"));
        this.client = HttpClients.build(HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).executor(httpThreads));
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > cacheSize;
            }
        };
    }

    @Override
    public Optional<byte[]> find(String rawCode) {
        return lookup(rawCode).map(Found::key);
    }

    /**
     * The key and the stream its code is bound to, as the key server answers them
     * ({@code {"key":"hex"[,"xresid":"R"]}}): a code issued with {@code POST /code?xresid=R} on the
     * key server is valid on this node for stream R only.
     */
    @Override
    public Optional<Found> lookup(String rawCode) {
        Optional<KeyCode> parsed = KeyCode.parse(rawCode);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        String code = parsed.get().value();
        Instant now = clock.instant();
        synchronized (cache) {
            Cached hit = cache.get(code);
            if (hit != null && now.isBefore(hit.until())) {
                return Optional.of(copy(hit.found()));
            }
            cache.remove(code);
        }
        // single flight: the first miss asks the key server, simultaneous misses wait for its answer
        CompletableFuture<Optional<Found>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<Found>> flight = inFlight.putIfAbsent(code, mine);
        awaitingAnswer.run();
        if (flight != null) {
            return await(flight, code).map(RemoteKeyLookup::copy);
        }
        try {
            Optional<Found> fetched = fetch(code);
            if (fetched.isPresent() && !cacheTime.isZero()) {
                synchronized (cache) {
                    cache.put(code, new Cached(copy(fetched.get()), now.plus(cacheTime)));
                }
            }
            mine.complete(fetched.map(RemoteKeyLookup::copy));
            return fetched;
        } catch (RuntimeException | Error e) {
            // not cached: the next miss asks again
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(code, mine);
        }
    }

    /** Callers may scribble on the key bytes; the cache keeps its own. */
    private static Found copy(Found f) {
        return new Found(f.key().clone(), f.stream());
    }

    private static Optional<Found> await(CompletableFuture<Optional<Found>> flight, String code) {
        try {
            return flight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyStoreUnavailableException("interrupted while waiting for the key service's answer", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new KeyStoreUnavailableException("key lookup failed (" + e.getCause() + ")", e.getCause());
        }
    }

    private Optional<Found> fetch(String code) {
        URI uri = URI.create(base.toString() + code);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new KeyStoreUnavailableException("key service " + uri + " unreachable (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyStoreUnavailableException("interrupted while asking key service " + uri, e);
        }
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new KeyStoreUnavailableException("key service " + uri + " answered HTTP " + response.statusCode(), null);
        }
        try {
            Map<String, String> body = Json.readFlat(response.body());
            String hex = body.get("key");
            if (hex == null || hex.isEmpty() || hex.length() % 2 != 0) {
                throw new IllegalArgumentException("no \"key\" with an even number of hex digits");
            }
            String stream = body.get("xresid");
            if (stream != null && !StreamId.isValid(stream)) {
                throw new IllegalArgumentException("\"xresid\" is not a stream id");
            }
            return Optional.of(new Found(HexFormat.of().parseHex(hex), stream));
        } catch (IllegalArgumentException e) {
            throw new KeyStoreUnavailableException("key service " + uri + " answered an unusable body ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Undeploy: stops the HTTP client's threads (and, on Java 21+, the client itself). */
    @Override
    public void close() {
        HttpClients.shutdown(client);
        httpThreads.shutdownNow();
    }

    /** Entries currently cached (for tests and statistics). */
    public int cachedEntries() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private record Cached(Found found, Instant until) {
    }
}
