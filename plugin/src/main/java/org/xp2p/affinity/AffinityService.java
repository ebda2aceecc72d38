package org.xp2p.affinity;

import jakarta.servlet.ServletContext;
import java.time.Clock;
import org.xp2p.config.Settings;
import org.xp2p.store.Database;

/** STUB (affinity issue): stream-to-node affinity filter and cluster membership. */
public final class AffinityService implements AutoCloseable {
    public static AffinityService start(ServletContext ctx, Settings settings, Database db, Clock clock) {
        return new AffinityService();
    }

    @Override
    public void close() {
    }
}
