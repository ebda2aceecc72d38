package org.xp2p.host;

import java.io.IOException;
import java.io.InputStream;
import org.xp2p.testkit.ReplayOrigin;

/**
 * {@code --demo}: a built-in origin on a loopback port that replays the bundled recording as a
 * live stream, with {@code xp2p.origin} pointed at it, so the host plays out of the box:
 * {@code http://127.0.0.1:16080/live/demo.flv} (any {@code *.flv} path works).
 */
final class Demo {
    static final String RECORDING = "/xp2p-demo/demo.flv";

    private Demo() {
    }

    static byte[] recording() throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream(RECORDING)) {
            if (in == null) {
                throw new IOException("demo recording " + RECORDING + " is missing from the jar");
            }
            return in.readAllBytes();
        }
    }

    static AutoCloseable start(Host.Builder builder) throws IOException {
        ReplayOrigin origin = new ReplayOrigin(recording(), 0);
        builder.setting("xp2p.origin", origin.baseUri());
        System.out.println("xp2p-host demo origin on " + origin.baseUri() + " (replaying " + RECORDING + ")");
        return origin;
    }
}
