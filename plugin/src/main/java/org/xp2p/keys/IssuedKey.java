package org.xp2p.keys;

import java.time.Instant;
import java.util.HexFormat;

/**
 * A key handed out by {@code POST /code}: the code, the 32 key bytes, when it stops working, and
 * the stream it is bound to (null: any stream).
 */
public record IssuedKey(KeyCode code, byte[] key, Instant expires, String stream) {
    public IssuedKey(KeyCode code, byte[] key, Instant expires) {
        this(code, key, expires, null);
    }

    public String keyHex() {
        return HexFormat.of().formatHex(key);
    }
}
