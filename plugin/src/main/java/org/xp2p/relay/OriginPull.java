package org.xp2p.relay;

import org.xp2p.common.Causes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.log.WarnLimiter;
import org.xp2p.flv.FlvChunker;
import org.xp2p.flv.FlvFormatException;

/**
 * The single origin connection of one stream, with failover and reconnection.
 *
 * <p>Bytes arrive through a reactive subscriber on the HTTP client's threads, one read at a time
 * ({@code request(1)}), so no thread is parked per stream and a slow fan-out slows only the read.
 * Every connection that delivers data opens a new epoch; the chunker is created on its first
 * bytes so failed attempts do not consume epochs.
 *
 * <p>Failures: 404/410 from every configured origin ends the stream (viewers get 404 at once);
 * bytes that are not FLV on a stream that never played end it with 502; anything else
 * (refused, reset, 5xx, malformed FLV, a silent origin) is retried on the next origin with
 * exponential backoff and jitter, for {@code startTimeoutMillis} before the first byte,
 * {@code reconnectMaxSeconds} once live. Redirects are never followed: the origin mapping must not
 * reach unconfigured hosts.
 *
 * <p>What counts as recovery is <em>media progress</em>: a tag timestamp later than the first
 * one of the same connection. Bytes alone do not count: an origin that answers every connection
 * with a header and one keyframe and then goes silent, or one that sends a valid start followed by
 * garbage, would otherwise look healthy on every reconnect, reset the backoff (five requests a
 * second per stream) and keep its viewers for ever. So the backoff grows across reconnects until
 * media time advances; a connection without progress for {@code readTimeoutMillis} is dropped and
 * the viewers stuck on it are ended (their players reconnect); and a stream whose media has not
 * advanced for {@code reconnectMaxSeconds} ends.
 */
final class OriginPull {
    private static final Logger LOG = LoggerFactory.getLogger(OriginPull.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);

    private final LiveStream stream;
    private final HttpClient client;
    private final RelayConfig config;
    private final ScheduledExecutorService scheduler;

    // guarded by this
    private boolean stopped;
    private Attempt current;
    private int originIndex;
    private int consecutiveFailures;
    private int notFoundInRound;
    private long failingSinceNanos = -1;
    private long lastProgressNanos = -1;
    private boolean everLive;

    OriginPull(LiveStream stream, HttpClient client, RelayConfig config, ScheduledExecutorService scheduler) {
        this.stream = stream;
        this.client = client;
        this.config = config;
        this.scheduler = scheduler;
    }

    synchronized void start() {
        connect();
    }

    private synchronized void connect() {
        if (stopped) {
            return;
        }
        URI origin = config.origins().get(originIndex % config.origins().size());
        URI url = stream.address.upstream(origin);
        Attempt attempt = new Attempt(url);
        current = attempt;
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofMillis(config.startTimeoutMillis()))
                .header("User-Agent", "xp2p-relay")
                .GET().build();
        LOG.debug("stream {}: connecting to origin {}", stream.id(), url);
        client.sendAsync(request, attempt).whenComplete((response, error) -> {
            if (error != null) {
                failed(attempt, LiveStream.Failure.UNAVAILABLE, Causes.rootDescription(error));
            }
        });
    }

    synchronized void stop() {
        stopped = true;
        if (current != null) {
            current.cancel();
            current = null;
        }
    }

    /** Whether the origin is failing now (refused, erroring, or being retried). */
    synchronized boolean failing() {
        return failingSinceNanos >= 0;
    }

    /**
     * Called by the stream's periodic tick: a connection whose media time has not advanced for
     * {@code readTimeoutMillis} (silent, or sending only bytes that are not media) is dropped,
     * the viewers waiting on it are ended, and the pull retries with backoff.
     */
    void checkStall(long nowNanos) {
        Attempt a;
        synchronized (this) {
            a = current;
        }
        long since = a == null ? 0 : a.progressNanos;
        if (since != 0 && nowNanos - since > config.readTimeoutMillis() * 1_000_000L) {
            a.cancel();
            String detail = a.maxTimestamp < 0 ? "no media for " + config.readTimeoutMillis() + " ms"
                    : "media time stuck at " + a.maxTimestamp + " ms for " + config.readTimeoutMillis() + " ms";
            if (failed(a, LiveStream.Failure.UNAVAILABLE, detail)) {
                stream.endViewers("origin stalled: " + detail);
            }
        }
    }

    /** Media time advanced on {@code attempt}: the origin works, the backoff starts over. */
    private synchronized void progressed(Attempt attempt) {
        if (attempt != current) {
            return;
        }
        lastProgressNanos = System.nanoTime();
        if (failingSinceNanos >= 0) {
            LOG.info("stream {}: origin {} is flowing again", stream.id(), attempt.url);
            stream.originRecovered();
        }
        failingSinceNanos = -1;
        consecutiveFailures = 0;
        notFoundInRound = 0;
        everLive = true;
    }

    /** @return whether this failure was {@code attempt}'s own (not one already handled or stopped) */
    private boolean failed(Attempt attempt, LiveStream.Failure kind, String detail) {
        LiveStream.Failure giveUp = null;
        // before this lock: the stream lock is never taken inside it
        boolean streamLive = stream.live();
        synchronized (this) {
            if (attempt != current || stopped) {
                return false;
            }
            current = null;
            long now = System.nanoTime();
            if (failingSinceNanos < 0) {
                // the budget runs from the last media progress, not from when its absence was noticed
                failingSinceNanos = lastProgressNanos >= 0 ? lastProgressNanos : now;
            }
            everLive |= streamLive;
            WARNS.warn("origin-failed", "stream {}: origin {} failed: {}", stream.id(), attempt.url, detail);
            long budgetNanos = everLive ? config.reconnectMaxSeconds() * 1_000_000_000L
                    : config.startTimeoutMillis() * 1_000_000L;
            if (kind == LiveStream.Failure.NOT_FOUND) {
                if (++notFoundInRound >= config.origins().size()) {
                    giveUp = kind;
                }
            } else if (kind == LiveStream.Failure.BAD_CONTENT && !everLive) {
                giveUp = kind;
            } else if (now - failingSinceNanos > budgetNanos) {
                giveUp = LiveStream.Failure.UNAVAILABLE;
            }
            if (giveUp == null) {
                originIndex++;
                long delay = kind == LiveStream.Failure.NOT_FOUND ? 0 : backoffMillis(consecutiveFailures++);
                scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
            } else {
                stopped = true;
            }
        }
        if (giveUp != null) {
            stream.fail(giveUp, detail);
        }
        return true;
    }

    private long backoffMillis(int failures) {
        long base = Math.min((long) config.backoffMaxMillis(),
                (long) config.backoffInitialMillis() << Math.min(failures, 20));
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }

    /** One HTTP exchange with the origin. */
    private final class Attempt implements HttpResponse.BodyHandler<Void>, Flow.Subscriber<List<ByteBuffer>> {
        final URI url;
        private Flow.Subscription subscription;
        private boolean cancelled;
        private FlvChunker chunker;
        /** When media last advanced on this connection, or when it was answered; 0 before. */
        volatile long progressNanos;
        /** Highest tag timestamp of this connection, -1 before its first tag. */
        long maxTimestamp = -1;

        Attempt(URI url) {
            this.url = url;
        }

        @Override
        public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            int status = info.statusCode();
            if (status == 200) {
                progressNanos = System.nanoTime();
                return HttpResponse.BodySubscribers.fromSubscriber(this);
            }
            LiveStream.Failure kind = status == 404 || status == 410
                    ? LiveStream.Failure.NOT_FOUND : LiveStream.Failure.UNAVAILABLE;
            scheduler.execute(() -> failed(this, kind, "origin answered HTTP " + status));
            return HttpResponse.BodySubscribers.discarding();
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            boolean cancelNow;
            synchronized (this) {
                subscription = s;
                cancelNow = cancelled;
            }
            if (cancelNow) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (isCancelled()) {
                return;
            }
            LiveStream.Delivery delivery;
            try {
                synchronized (stream.lock()) {
                    if (chunker == null) {
                        chunker = new FlvChunker(stream.beginEpoch(), stream, config.flvLimits());
                    }
                    try {
                        for (ByteBuffer b : buffers) {
                            stream.bytesIn(b.remaining());
                            chunker.feed(b);
                        }
                    } finally {
                        // the tags before a malformed one still go out, in whole tags
                        delivery = stream.closeBatch();
                    }
                }
                delivery.run();
            } catch (FlvFormatException e) {
                cancel();
                failed(this, LiveStream.Failure.BAD_CONTENT, "malformed FLV from origin: " + e.getMessage());
                return;
            } catch (RuntimeException e) {
                // a parser bug must cost this connection, never the HTTP client's thread or the stream
                LOG.warn("stream {}: origin {}: input at offset {} could not be handled", stream.id(), url,
                        chunker == null ? 0 : chunker.position(), e);
                cancel();
                failed(this, LiveStream.Failure.BAD_CONTENT, "origin input at offset "
                        + (chunker == null ? 0 : chunker.position()) + " could not be handled: " + e);
                return;
            }
            long ts = chunker.lastTimestamp();
            if (ts > maxTimestamp) {
                boolean first = maxTimestamp < 0;
                maxTimestamp = ts;
                if (!first) {
                    progressNanos = System.nanoTime();
                    progressed(this);
                }
            }
            Flow.Subscription s;
            synchronized (this) {
                s = subscription;
            }
            s.request(1);
        }

        @Override
        public void onError(Throwable t) {
            failed(this, LiveStream.Failure.UNAVAILABLE, Causes.rootDescription(t));
        }

        @Override
        public void onComplete() {
            failed(this, LiveStream.Failure.UNAVAILABLE, "origin closed the stream");
        }

        private synchronized boolean isCancelled() {
            return cancelled;
        }

        void cancel() {
            Flow.Subscription s;
            synchronized (this) {
                cancelled = true;
                s = subscription;
            }
            if (s != null) {
                s.cancel();
            }
        }
    }
}
