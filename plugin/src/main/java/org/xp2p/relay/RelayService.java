package org.xp2p.relay;

import org.xp2p.common.NamedThreads;
import org.xp2p.common.Paths;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServletResponse;
import java.net.http.HttpClient;
import org.xp2p.http.HttpClients;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.log.WarnLimiter;
import org.xp2p.auth.StreamAuth;
import org.xp2p.config.Settings;
import org.xp2p.crypto.StreamCipher;
import org.xp2p.keys.KeyLookup;
import org.xp2p.ops.Xp2pMetrics;

/**
 * The live relay: one {@link LiveStream} per stream id on this node, shared by all its viewers.
 *
 * <p>Owns the resources every stream shares: the origin HTTP client (redirects off), a small
 * scheduler for reconnects and housekeeping, and the subscriptions the swarm makes (digests, live,
 * failure; kept here, not on the stream, so a room can subscribe before its stream starts and
 * hears about a failure after the stream is gone).
 */
public final class RelayService implements ChunkFeed, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayService.class);
    private static final WarnLimiter WARNS = new WarnLimiter(LOG);
    private static final long TICK_MILLIS = 250;

    private final RelayConfig config;
    private final KeyLookup keys;
    private final Map<String, LiveStream> streams = new ConcurrentHashMap<>();
    private final Map<String, List<StreamListener>> listeners = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService httpExecutor;
    private final HttpClient httpClient;
    private final FanOut fanOut;
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    /** Test seam: runs in {@link #subscribe} just before the listener is registered. */
    Runnable subscribeGap = () -> { };
    private final Xp2pMetrics metrics;

    private final RelayClock clock;

    RelayService(RelayConfig config, KeyLookup keys, Xp2pMetrics metrics) {
        this(config, keys, metrics, RelayClock.SYSTEM, new FanOut(config.fanOutThreads() > 0 ? config.fanOutThreads()
                : Math.max(1, Runtime.getRuntime().availableProcessors()), config.mergeMillis()));
    }

    /** Test seam: a moved clock and a manual {@link FanOut} make the relay core run without sleeps. */
    RelayService(RelayConfig config, KeyLookup keys, Xp2pMetrics metrics, RelayClock clock, FanOut fanOut) {
        this(config, keys, metrics, clock, fanOut, null, null);
    }

    /**
     * Test seam for the origin side as well: an in-memory {@code originClient} and a manual
     * {@code scheduler} let failover and reconnects run without sockets or sleeps (null: the real ones).
     */
    RelayService(RelayConfig config, KeyLookup keys, Xp2pMetrics metrics, RelayClock clock, FanOut fanOut,
            HttpClient originClient, ScheduledExecutorService scheduler) {
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.keys = keys;
        if (scheduler == null) {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, NamedThreads.numbered("xp2p-relay-timer"));
            timer.setRemoveOnCancelPolicy(true);
            scheduler = timer;
        }
        this.scheduler = scheduler;
        this.httpExecutor = Executors.newFixedThreadPool(2, NamedThreads.numbered("xp2p-origin"));
        this.httpClient = originClient != null ? originClient : HttpClients.build(HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofMillis(config.connectTimeoutMillis()))
                .executor(httpExecutor));
        this.fanOut = fanOut;
        scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    public static RelayService start(ServletContext ctx, Settings settings, KeyLookup keys, Clock clock,
            Xp2pMetrics metrics) {
        return start(ctx, settings, keys, clock, metrics, StreamAuth.from(settings, clock));
    }

    /** @param auth per-stream authorization ({@code xp2p.auth.*}), shared with the swarm; closed by its owner */
    public static RelayService start(ServletContext ctx, Settings settings, KeyLookup keys, Clock clock,
            Xp2pMetrics metrics, StreamAuth auth) {
        RelayConfig config = RelayConfig.from(settings);
        RelayService relay = new RelayService(config, keys, metrics);
        ServletRegistration.Dynamic stream = ctx.addServlet("xp2p-stream", new StreamServlet(relay, keys, config, auth));
        stream.setAsyncSupported(true);
        stream.addMapping("*.flv");
        ctx.addServlet("xp2p-streams", new StreamStatsServlet(relay)).addMapping(Paths.STREAM_STATS);
        if (config.origins().isEmpty()) {
            LOG.warn("relay: no origin configured (xp2p.origin / -u); stream requests will get 503");
        } else {
            LOG.info("relay: origins {} idle {} s, chunk {} ms, window {} s", config.origins(),
                    config.idleSeconds(), config.chunkMillis(), config.windowSeconds());
        }
        return relay;
    }

    RelayConfig config() {
        return config;
    }

    HttpClient httpClient() {
        return httpClient;
    }

    RelayClock clock() {
        return clock;
    }

    FanOut fanOut() {
        return fanOut;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Adds a viewer to the stream, starting its pull when it is the first. The answer is written
     * asynchronously: 200 and the stream, or the origin's failure.
     */
    void watch(StreamAddress address, AsyncContext async, StreamCipher cipher) {
        watch(address, async, cipher, false);
    }

    /**
     * As {@link #watch(StreamAddress, AsyncContext, StreamCipher)}; with {@code head} the answer is
     * the status and headers only, and no viewer is added (a HEAD request).
     */
    void watch(StreamAddress address, AsyncContext async, StreamCipher cipher, boolean head) {
        if (draining.get()) {
            refuse(async, "server stopping");
            return;
        }
        ViewerOutput out = new ServletViewerOutput(async, System.nanoTime());
        // a stream found here may stop (idle) before the viewer is added; then look again
        for (int attempt = 0; attempt < 3; attempt++) {
            LiveStream stream = streams.get(address.streamId());
            if (stream == null) {
                if (streams.size() >= config.maxStreams()) {
                    refuse(async, "this node relays its maximum of " + config.maxStreams() + " streams");
                    return;
                }
                LiveStream fresh = new LiveStream(address, this, config);
                if (streams.putIfAbsent(address.streamId(), fresh) == null) {
                    // not pulled yet, so it cannot have stopped: the viewer is always added
                    LOG.debug("stream {}: first viewer, pulling {}", address.streamId(), address.path());
                    fresh.watch(out, cipher, head);
                    fresh.startPull();
                    return;
                }
                continue;
            }
            if (stream.viewerCount() >= config.maxViewersPerStream()) {
                refuse(async, "stream has its maximum of " + config.maxViewersPerStream() + " viewers on this node");
                return;
            }
            if (stream.watch(out, cipher, head)) {
                return;
            }
        }
        refuse(async, "stream is restarting, try again");
    }

    private static void refuse(AsyncContext async, String message) {
        StreamServlet.sendError((HttpServletResponse) async.getResponse(), 503, message);
        async.complete();
    }

    /** Test seam: makes {@code stream} the one relayed under its id, without pulling it. */
    void register(LiveStream stream) {
        streams.put(stream.id(), stream);
    }

    Optional<LiveStream> stream(String id) {
        return Optional.ofNullable(streams.get(id));
    }

    List<LiveStream> streams() {
        return new ArrayList<>(streams.values());
    }

    /** The node's counters and histograms. */
    Xp2pMetrics metrics() {
        return metrics;
    }

    public RelayTotals totals() {
        int count = 0;
        long viewers = 0, in = 0, out = 0, chunks = 0, reconnects = 0, dropped = 0, skipped = 0;
        long chunkOut = 0, chunkRequests = 0, holds = 0;
        for (LiveStream s : streams.values()) {
            count++;
            viewers += s.viewerCount();
            in += s.bytesIn.get();
            out += s.bytesOutTotal();
            chunks += s.chunks.get();
            reconnects += s.reconnects.get();
            dropped += s.droppedViewers.get();
            skipped += s.skippedViewers.get();
            chunkOut += s.chunkBytesOut.get();
            chunkRequests += s.chunkRequests.get();
            holds += s.holdCount();
        }
        return new RelayTotals(count, viewers, in, out, chunks, reconnects, dropped, skipped, chunkOut, chunkRequests,
                holds);
    }

    void forget(LiveStream stream) {
        if (streams.remove(stream.id(), stream)) {
            // streams that never went live (any client can ask for any path) are not worth a line
            (stream.chunks.get() > 0 ? LOG.atInfo() : LOG.atDebug()).log("stream {}: stopped (bytes in {}, out {},"
                    + " chunk bytes out {} in {} requests, chunks {}, epochs {}, reconnects {}, dropped {}, skipped {})",
                    stream.id(), stream.bytesIn.get(), stream.bytesOut.get(),
                    stream.chunkBytesOut.get(), stream.chunkRequests.get(), stream.chunks.get(), stream.epochs.get(),
                    stream.reconnects.get(), stream.droppedViewers.get(), stream.skippedViewers.get());
        }
    }

    /** A chunk was closed; called by the origin thread outside the stream's locks. */
    void publish(ChunkDigest digest) {
        tell(digest.streamId(), l -> l.digest(digest));
    }

    /** The stream went live, or a new epoch did; called by the origin thread outside the stream's locks. */
    void publishLive(StreamPosition position) {
        tell(position.streamId(), l -> l.live(position));
    }

    /** The stream failed or was refused; never called under the stream lock. */
    void publishFailure(StreamFailure failure) {
        tell(failure.streamId(), l -> l.failed(failure));
    }

    private void tell(String streamId, Consumer<StreamListener> event) {
        List<StreamListener> list = listeners.get(streamId);
        if (list == null) {
            return;
        }
        for (StreamListener l : list) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("stream {}: swarm listener failed: {}", streamId, e.toString());
            }
        }
    }

    @Override
    public AutoCloseable subscribe(String streamId, StreamListener listener) {
        subscribeGap.run();
        // the add happens inside the map's compute: adding to a list fetched earlier could land in a
        // list that a concurrent unsubscribe had just emptied and removed from the map, and that
        // subscription would never hear anything again
        listeners.compute(streamId, (k, list) -> {
            List<StreamListener> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(listener);
            return l;
        });
        return () -> listeners.computeIfPresent(streamId, (k, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    /**
     * Holds the stream for a swarm room: the same limits as {@link #watch} (no origin, node stream
     * limit), but nothing waits for the origin; failures reach the stream's listeners.
     */
    @Override
    public StreamHold hold(StreamAddress address) {
        String id = address.streamId();
        if (config.origins().isEmpty()) {
            return refuseHold(id, "no origin configured (xp2p.origin)");
        }
        // a stream found here may stop (idle or failure) before the hold is added; then look again
        for (int attempt = 0; attempt < 3; attempt++) {
            LiveStream stream = streams.get(id);
            if (stream == null) {
                if (streams.size() >= config.maxStreams()) {
                    return refuseHold(id, "this node relays its maximum of " + config.maxStreams() + " streams");
                }
                LiveStream fresh = new LiveStream(address, this, config);
                if (streams.putIfAbsent(id, fresh) == null) {
                    StreamHold hold = fresh.hold();
                    LOG.debug("stream {}: held by its swarm room, pulling {}", id, address.path());
                    fresh.startPull();
                    return hold;
                }
                continue;
            }
            StreamHold hold = stream.hold();
            if (hold != null) {
                return hold;
            }
        }
        return refuseHold(id, "stream is restarting, try again");
    }

    private StreamHold refuseHold(String streamId, String message) {
        WARNS.warn("hold-refused", "stream {}: swarm hold refused: {}", streamId, message);
        publishFailure(StreamFailure.of(streamId, 503, message));
        return StreamHold.NONE;
    }

    @Override
    public Optional<StreamPosition> position(String streamId) {
        return stream(streamId).filter(LiveStream::live).map(LiveStream::position);
    }

    private void tick() {
        long now = clock.nanoTime();
        for (LiveStream s : streams.values()) {
            try {
                s.tick(now);
            } catch (RuntimeException e) {
                LOG.warn("stream {}: housekeeping failed: {}", s.id(), e.toString(), e);
            }
        }
    }

    /**
     * Graceful stop of the relay, run once when the container starts shutting down (or at the latest
     * from {@link #close}): origin pulls stop, waiting requests get 503, and every viewer's response
     * ends on a tag boundary with a complete chunked response, after what is queued for it, within
     * {@code drainMillis}; viewers still writing then are cut after their current segment. Without
     * this a container's stop timeout cut viewers inside a tag ({@code Stream ends prematurely}).
     * Blocks for at most {@code drainMillis}.
     */
    public void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        List<LiveStream> all = streams();
        int viewers = all.stream().mapToInt(LiveStream::viewerCount).sum();
        LOG.info("relay: shutting down: stopping {} origin pull(s), ending {} viewer(s) on a tag boundary within {} ms"
                + " (xp2p.relay.drainMillis)", all.size(), viewers, config.drainMillis());
        for (LiveStream s : all) {
            s.shutdown();
        }
        long deadline = t0 + config.drainMillis() * 1_000_000L;
        // viewers end on their own write callbacks (container and fan-out threads); shutdown only
        // looks every 5 ms whether all have, and gives up at the deadline
        while (remainingViewers(all) > 0 && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
        int cut = remainingViewers(all);
        for (LiveStream s : all) {
            s.finishNow();
        }
        LOG.info("relay: shut down in {} ms: {} viewer(s) ended after their queue, {} cut short after their current tag",
                (System.nanoTime() - t0) / 1_000_000, viewers - cut, cut);
    }

    private static int remainingViewers(List<LiveStream> all) {
        return all.stream().mapToInt(LiveStream::viewerCount).sum();
    }

    @Override
    public void close() {
        drain();
        streams.clear();
        scheduler.shutdownNow();
        HttpClients.shutdown(httpClient);
        httpExecutor.shutdownNow();
        fanOut.close();
    }
}
