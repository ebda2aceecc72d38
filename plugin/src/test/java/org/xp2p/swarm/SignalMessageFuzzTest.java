package org.xp2p.swarm;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the signalling parser, which reads every WebSocket text frame a
 * browser sends. The contract: any text is either a message or {@link SignalMessage.BadMessage};
 * any other exception is a crash, and an accepted message's {@code data} is well-formed JSON that
 * parses again (it is forwarded to another peer as is).
 *
 * <p>Regression inputs: {@code src/test/resources/org/xp2p/swarm/SignalMessageFuzzTestInputs/parse/}.
 */
class SignalMessageFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void parse(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        SignalMessage m;
        try {
            m = SignalMessage.parse(text);
        } catch (SignalMessage.BadMessage expected) {
            if (expected.code == null || expected.code.isEmpty()) {
                throw new AssertionError("a refusal without an error code", expected);
            }
            return;
        }
        if (m.data() != null) {
            try {
                SignalMessage.parse("{\"v\":1,\"type\":\"x\",\"data\":" + m.data() + "}");
            } catch (SignalMessage.BadMessage e) {
                throw new AssertionError("forwarded data does not parse again: " + m.data(), e);
            }
        }
    }
}
