package org.xp2p.ops;

import jakarta.servlet.ServletContext;
import org.xp2p.config.Settings;
import org.xp2p.relay.RelayService;
import org.xp2p.swarm.SwarmService;

/** STUB: health and metrics endpoints. */
public final class OpsService implements AutoCloseable {
    public static OpsService start(ServletContext ctx, Settings settings, RelayService relay, SwarmService swarm) {
        return new OpsService();
    }

    @Override
    public void close() {
    }
}
