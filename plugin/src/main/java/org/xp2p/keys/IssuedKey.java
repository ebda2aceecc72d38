package org.xp2p.keys;

import java.time.Instant;
import java.util.HexFormat;

/** A key handed out by {@code POST /code}: the code, the 32 key bytes, and when it stops working. */
public record IssuedKey(KeyCode code, byte[] key, Instant expires) {
    public String keyHex() {
        return HexFormat.of().formatHex(key);
    }
}
