package org.xp2p.keys;

import org.xp2p.common.Paths;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xp2p.config.Settings;
import org.xp2p.store.Database;

/**
 * The key service: issues per-viewer stream keys ({@code POST /code}) and finds them again
 * ({@code GET /code/{code}}, and {@link #lookup()} for the relay and the swarm).
 *
 * <p>Keys live in the plugin's database, so they survive restarts and every node on a shared
 * PostgreSQL sees every key. With {@code xp2p.keyBase} set the node instead asks that remote key
 * service (the original server's {@code -k}) and issues no keys itself.
 */
public final class KeyService implements AutoCloseable {
    public static final String SERVLET_NAME = "xp2p-keys";

    private static final Logger LOG = LoggerFactory.getLogger(KeyService.class);

    private final KeyLookup lookup;
    private final ExpiredKeyPurger purger;

    private KeyService(KeyLookup lookup, ExpiredKeyPurger purger) {
        this.lookup = lookup;
        this.purger = purger;
    }

    public static KeyService start(ServletContext ctx, Settings settings, Database db, Clock clock) {
        KeySettings config = KeySettings.from(settings);
        KeyLookup lookup;
        JdbcKeyStore issuer = null;
        ExpiredKeyPurger purger = null;
        if (config.keyBase().isPresent()) {
            lookup = new RemoteKeyLookup(config.keyBase().get(), clock, config.cacheTime(), config.cacheSize(),
                    config.remoteTimeout());
            LOG.info("xp2p keys: looking keys up at {} (cache {} s); this node issues no keys",
                    config.keyBase().get(), config.cacheTime().toSeconds());
        } else {
            issuer = new JdbcKeyStore(db.dataSource(), clock, config.ttl());
            lookup = issuer;
            purger = ExpiredKeyPurger.start(issuer, config.purgeInterval(), config.purgeBatch());
            LOG.info("xp2p keys: issuing keys valid {} s in the {} database; POST /code limited to {}/min (burst {}),"
                            + " secret {}, origins {}", config.ttl().toSeconds(), db.dialect(), config.ratePerMinute(),
                    config.burst(), config.secret().isPresent() ? "required" : "not required",
                    config.allowedOrigins().isEmpty() ? "any" : config.allowedOrigins());
        }
        KeyService service = new KeyService(lookup, purger);
        try {
            IssueRateLimiter limiter = new IssueRateLimiter(clock, config.ratePerMinute(), config.burst());
            CodeServlet servlet = new CodeServlet(lookup, issuer, limiter, config.secret(), config.allowedOrigins());
            ServletRegistration.Dynamic reg = ctx.addServlet(SERVLET_NAME, servlet);
            if (reg == null) {
                throw new IllegalStateException("xp2p keys: a servlet named " + SERVLET_NAME + " already exists");
            }
            reg.addMapping(Paths.CODE, Paths.CODE + "/*");
            reg.setLoadOnStartup(1);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        return service;
    }

    /** Where the relay and the swarm find a viewer's key. */
    public KeyLookup lookup() {
        return lookup;
    }

    @Override
    public void close() {
        if (purger != null) {
            purger.close();
        }
        if (lookup instanceof RemoteKeyLookup remote) {
            remote.close();
        }
    }
}
