package org.xp2p.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The link model's timing, checked against hand arithmetic. */
class LinkModelTest {
    @Test
    void transferIsSizeOverRatePlusOneRoundTrip() {
        double rate = LinkTiming.mbpsToBytesPerMs(8); // 8 Mbit/s = 1000 bytes per ms
        assertEquals(1000, rate, 1e-9);
        assertEquals(250 + 60, LinkTiming.transferMs(250_000, rate, 60), 1e-9);
    }

    @Test
    void deadlineFollowsTheSdk() {
        assertEquals(250, LinkTiming.parentDeadlineMs(0), 1e-9);
        assertEquals(2300, LinkTiming.parentDeadlineMs(3000), 1e-9);
        assertEquals(4000, LinkTiming.parentDeadlineMs(60_000), 1e-9); // scheduler.js maxParentMs
    }

    @Test
    void lossCostsRoundTripsAtMostOnePerWindow() {
        assertEquals(0, LinkTiming.lossPenaltyMs(250_000, 0, 50, 100, new Random(1)), 1e-9);
        // certain loss on every packet: capped at one round trip per round trip of transfer
        assertEquals(3 * 50, LinkTiming.lossPenaltyMs(250_000, 1, 50, 150, new Random(1)), 1e-9);
        double mean = 0;
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            mean += LinkTiming.poisson(1.05, r);
        }
        assertEquals(1.05, mean / 20_000, 0.03);
    }

    @Test
    void uplinkIsSharedAmongConcurrentTransfers() {
        VirtualClock clock = new VirtualClock();
        Uplink up = new Uplink(clock, 1000, false); // 1000 bytes per ms
        List<Double> done = new ArrayList<>();
        up.add(new Uplink.Transfer(100_000, 10_000, 0, () -> done.add(clock.now())));
        up.add(new Uplink.Transfer(100_000, 10_000, 0, () -> done.add(clock.now())));
        clock.runUntil(1_000);
        // two equal transfers at half the capacity each: both end at 200 ms
        assertEquals(List.of(200.0, 200.0), done);
    }

    @Test
    void aTransferStartingLaterSpeedsUpWhenTheFirstEnds() {
        VirtualClock clock = new VirtualClock();
        Uplink up = new Uplink(clock, 1000, false);
        List<Double> done = new ArrayList<>();
        up.add(new Uplink.Transfer(100_000, 10_000, 0, () -> done.add(clock.now())));
        clock.at(50, () -> up.add(new Uplink.Transfer(100_000, 10_000, 0, () -> done.add(clock.now()))));
        clock.runUntil(1_000);
        // 0-50 ms: first alone (50 kB); then both at 500 B/ms: first ends at 150 ms, second has
        // 50 kB left and finishes alone at 200 ms
        assertEquals(150, done.get(0), 1e-6);
        assertEquals(200, done.get(1), 1e-6);
    }

    @Test
    void theReceiverDownlinkCapsTheRateAndCancellingFreesCapacity() {
        VirtualClock clock = new VirtualClock();
        Uplink up = new Uplink(clock, 1000, false);
        List<Double> done = new ArrayList<>();
        Uplink.Transfer slow = new Uplink.Transfer(100_000, 100, 0, () -> done.add(-1.0));
        up.add(slow);
        clock.runUntil(10);
        up.add(new Uplink.Transfer(10_000, 10_000, 0, () -> done.add(clock.now())));
        up.cancel(slow);
        clock.runUntil(1_000);
        assertEquals(List.of(20.0), done);
        assertTrue(up.active() == 0);
    }

    @Test
    void sequentialUploadsServeOneAtATimeRelaysFirstAndCountBusyTime() {
        VirtualClock clock = new VirtualClock();
        Uplink up = new Uplink(clock, 1000, true);
        List<String> done = new ArrayList<>();
        up.add(new Uplink.Transfer(100_000, 10_000, 0, () -> done.add("leaf1@" + clock.now())));
        up.add(new Uplink.Transfer(100_000, 10_000, 0, () -> done.add("leaf2@" + clock.now())));
        up.add(new Uplink.Transfer(100_000, 10_000, 3, () -> done.add("relay@" + clock.now())));
        clock.runUntil(1_000);
        // the first is on the wire already; the relay jumps the queue ahead of the second leaf
        assertEquals(List.of("leaf1@100.0", "relay@200.0", "leaf2@300.0"), done);
        assertEquals(300_000, up.sentBytes(), 1);
        assertEquals(300, up.busyMs(), 1e-6);
        BusyRate meter = new BusyRate(5);
        assertEquals(1_000_000, meter.rate(up.sentBytes(), up.busyMs()), "1000 B/ms while busy, idle time excluded");
    }

    @Test
    void aCappedTransferLeavesItsShareToTheOthersAndTheMeterCountsOnlyTheCapacityUsed() {
        VirtualClock clock = new VirtualClock();
        Uplink up = new Uplink(clock, 1000, false, true);
        List<String> done = new ArrayList<>();
        // forwarded as it arrives: its bytes come in at 200 B/ms
        Uplink.Transfer forwarded = new Uplink.Transfer(100_000, 200, 0, () -> done.add("forwarded@" + clock.now()));
        up.add(forwarded);
        up.add(new Uplink.Transfer(80_000, 10_000, 0, () -> done.add("whole@" + clock.now())));
        clock.runUntil(100);
        assertEquals(List.of("whole@100.0"), done, "the whole chunk takes the 800 B/ms the forwarded one cannot use");
        assertEquals(100, up.busyMs(), 1e-6);
        clock.runUntil(200);
        assertEquals(120, up.busyMs(), 1e-6, "alone at 200 B/ms the uplink is a fifth used");
        up.recap(forwarded, 10_000); // the rest arrived: 60 kB left at the full 1000 B/ms
        clock.runUntil(1_000);
        assertEquals(List.of("whole@100.0", "forwarded@260.0"), done);
        assertEquals(180_000, up.sentBytes(), 1);
        assertEquals(180, up.busyMs(), 1e-6);
        assertEquals(1_000_000, new BusyRate(5).rate(up.sentBytes(), up.busyMs()), "the meter reads the uplink, not the arrival rate");
    }

    @Test
    void aQueuedUploadWaitingForBytesLendsWhatItCannotUseToTheNextInLine() {
        VirtualClock clock = new VirtualClock();
        Uplink up = new Uplink(clock, 1000, true, true);
        List<String> done = new ArrayList<>();
        // head of the queue: a relaying child, forwarded as the chunk arrives at 400 B/ms
        Uplink.Transfer relay = new Uplink.Transfer(40_000, 400, 3, () -> done.add("relay@" + clock.now()));
        up.add(relay);
        up.add(new Uplink.Transfer(60_000, 10_000, 0, () -> done.add("leaf1@" + clock.now())));
        up.add(new Uplink.Transfer(60_000, 10_000, 0, () -> done.add("leaf2@" + clock.now())));
        clock.runUntil(1_000);
        // 0-100 ms: relay 400 B/ms, leaf1 the 600 left, leaf2 nothing; then leaf2 alone at 1000
        assertEquals(List.of("relay@100.0", "leaf1@100.0", "leaf2@160.0"), done);
        assertEquals(160, up.busyMs(), 1e-6);
    }
}
