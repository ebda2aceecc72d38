package org.xp2p.keys;

import jakarta.servlet.ServletContext;
import java.time.Clock;
import java.util.Optional;
import org.xp2p.config.Settings;
import org.xp2p.store.Database;

/** STUB (foundation issue): the key service, {@code POST /code} and {@code GET /code/{code}}. */
public final class KeyService implements AutoCloseable {
    public static KeyService start(ServletContext ctx, Settings settings, Database db, Clock clock) {
        return new KeyService();
    }

    public KeyLookup lookup() {
        return code -> Optional.empty();
    }

    @Override
    public void close() {
    }
}
