package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xp2p.config.Settings;
import org.xp2p.ops.Xp2pMetrics;

/**
 * Origin failover through the relay core, with an in-memory origin client and a manual
 * scheduler: which origin is asked next, when an epoch begins, and what viewers see.
 */
class OriginFailoverTest {
    private final ManualClock clock = new ManualClock();
    private final FakeOriginClient origins = new FakeOriginClient();
    private final ManualScheduler scheduler = new ManualScheduler();
    private RelayService relay;

    private LiveStream start() {
        RelayConfig config = RelayConfig.from(Settings.of(Map.of(
                "xp2p.origin", "http://a.test:1,http://b.test:2", "xp2p.relay.startTimeoutMillis", "5000")));
        relay = new RelayService(config, code -> Optional.empty(), new Xp2pMetrics(), clock, new FanOut(0, 0),
                origins, scheduler);
        LiveStream stream = new LiveStream(StreamAddress.parse("/live/s.flv", null), relay, config);
        relay.register(stream);
        return stream;
    }

    @AfterEach
    void close() {
        relay.close();
    }

    @Test
    void aRefusedFirstOriginFailsOverToTheSecondAndABreakComesBackWithANewEpoch() {
        LiveStream stream = start();
        FakeViewerOutput viewer = new FakeViewerOutput();
        assertTrue(stream.watch(viewer, null));
        stream.startPull();
        assertEquals("a.test", origins.exchanges.get(0).uri.getHost());
        origins.exchanges.get(0).refuse();
        assertEquals(1, scheduler.runDue(), "one reconnect, after a backoff");
        assertEquals("b.test", origins.exchanges.get(1).uri.getHost(), "the next origin in failover order");
        origins.exchanges.get(1).stream(FakeOriginClient.flv(0, 3));
        origins.exchanges.get(1).send(FakeOriginClient.keyframes(120, 3)); // media time advances: it works
        assertEquals(200, viewer.status, "the waiting viewer starts on the second origin's stream");
        long firstEpoch = stream.position().epoch();
        assertEquals(1, stream.epochs.get());

        origins.exchanges.get(1).breakOff();
        clock.advanceMillis(1000);
        assertEquals(1, scheduler.runDue());
        assertEquals("a.test", origins.exchanges.get(2).uri.getHost(), "round robin: back to the first");
        origins.exchanges.get(2).stream(FakeOriginClient.flv(0, 3));
        origins.exchanges.get(2).send(FakeOriginClient.keyframes(120, 3));
        assertEquals(2, stream.epochs.get(), "the new connection is a new epoch");
        assertTrue(stream.position().epoch() > firstEpoch);
        assertEquals(2, stream.reconnects.get(), "both recoveries are counted once media time advanced again: after the refusal and after the break");
        assertTrue(stream.live());
        assertEquals(1, stream.viewerCount(), "the viewer rode through the failover");
    }

    @Test
    void notFoundAtEveryOriginEndsTheStreamWith404() {
        LiveStream stream = start();
        FakeViewerOutput viewer = new FakeViewerOutput();
        stream.watch(viewer, null);
        stream.startPull();
        origins.exchanges.get(0).status(404);
        assertEquals(1, scheduler.runDue(), "404 at one origin: the next is asked at once");
        origins.exchanges.get(1).status(404);
        assertEquals(404, viewer.status);
        assertTrue(stream.stopped());
        assertTrue(relay.stream("live/s").isEmpty());
    }
}
