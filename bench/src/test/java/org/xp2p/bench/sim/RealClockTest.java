package org.xp2p.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xp2p.testkit.Poll;

/** The model thread's timer wheel: order, due times, and timers beyond the wheel's horizon. */
class RealClockTest {

    @Test
    void timersFireInDueOrderNeverEarlyAndImmediateTasksInSubmissionOrder() throws Exception {
        // an 8 ms wheel, so that the 40 and 60 ms timers wait in the heap beyond it
        try (RealClock clock = new RealClock(8)) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            List<Double> early = Collections.synchronizedList(new ArrayList<>());
            clock.at(0, () -> order.add("now1"));
            Thread other = new Thread(() -> clock.at(0, () -> order.add("now2")));
            other.start();
            other.join();
            double t0 = clock.now();
            for (int delay : new int[] {60, 5, 40, 20, 5}) {
                double due = t0 + delay;
                clock.at(delay, () -> {
                    order.add("t" + delay);
                    if (clock.now() < due) {
                        early.add(due - clock.now());
                    }
                });
            }
            Poll.await("seven tasks ran", 5_000, () -> order.size() == 7);
            assertEquals(List.of("now1", "now2", "t5", "t5", "t20", "t40", "t60"), order);
            assertTrue(early.isEmpty(), "ran before due by " + early + " ms");
            assertEquals(0, clock.queued());
        }
    }
}
