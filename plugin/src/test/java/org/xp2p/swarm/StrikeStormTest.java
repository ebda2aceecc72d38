package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StrikeStormTest {
    @Test
    void aStormIsTheShareOfTheRoomWithinTheWindowAndPassesWithIt() {
        StrikeStorm storm = new StrikeStorm(2); // 2 % of 1,000 members: 20 reports
        for (int i = 0; i < 19; i++) {
            assertTrue(storm.admit(i * 100L, 1_000), "report " + i);
        }
        assertFalse(storm.admit(1_999, 1_000), "the 20th within 2 s");
        assertTrue(storm.raging());
        assertFalse(storm.admit(2_050, 1_000), "the latest 20 still lie within 2 s");
        assertTrue(storm.admit(4_100, 1_000), "spread out again: a single parent's failure strikes");
        assertFalse(storm.raging());
    }

    @Test
    void smallRoomsNeedTheMinimumAndZeroTurnsItOff() {
        StrikeStorm storm = new StrikeStorm(2);
        for (int i = 0; i < StrikeStorm.MIN_REPORTS - 1; i++) {
            assertTrue(storm.admit(0, 10), "a room of 10 is never 2 % short of the minimum");
        }
        assertFalse(storm.admit(0, 10));
        StrikeStorm off = new StrikeStorm(0);
        for (int i = 0; i < 1_000; i++) {
            assertTrue(off.admit(0, 10));
        }
        assertThrows(IllegalArgumentException.class, () -> new StrikeStorm(101));
    }
}
