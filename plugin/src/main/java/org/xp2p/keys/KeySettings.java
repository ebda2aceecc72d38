package org.xp2p.keys;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

/**
 * The key service's configuration, validated at start (see conf/xp2p.properties for the meaning of
 * each key). Defaults are the named constants below.
 */
public record KeySettings(Duration ttl, int ratePerMinute, int burst, Optional<String> secret,
                          List<String> allowedOrigins, Optional<URI> keyBase, Duration cacheTime,
                          int cacheSize, Duration remoteTimeout, Duration purgeInterval, int purgeBatch) {
    public static final String TTL = "xp2p.key.ttlSeconds";
    public static final long DEFAULT_TTL_SECONDS = 1800;
    public static final String RATE = "xp2p.key.ratePerMinute";
    public static final int DEFAULT_RATE_PER_MINUTE = 60;
    public static final String BURST = "xp2p.key.burst";
    public static final int DEFAULT_BURST = 20;
    public static final String SECRET = "xp2p.key.secret";
    public static final int MIN_SECRET_LENGTH = 16;
    public static final String ALLOWED_ORIGINS = "xp2p.key.allowedOrigins";
    public static final String KEY_BASE = "xp2p.keyBase";
    public static final String CACHE_SECONDS = "xp2p.keyBase.cacheSeconds";
    public static final long DEFAULT_CACHE_SECONDS = 60;
    public static final String CACHE_SIZE = "xp2p.keyBase.cacheSize";
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    public static final String TIMEOUT = "xp2p.keyBase.timeoutMillis";
    public static final long DEFAULT_TIMEOUT_MILLIS = 2_000;
    public static final String PURGE_SECONDS = "xp2p.key.purgeSeconds";
    public static final long DEFAULT_PURGE_SECONDS = 60;
    public static final String PURGE_BATCH = "xp2p.key.purgeBatch";
    public static final int DEFAULT_PURGE_BATCH = 1_000;

    public static KeySettings from(Settings s) {
        Optional<String> secret = s.optional(SECRET);
        if (secret.isPresent() && secret.get().length() < MIN_SECRET_LENGTH) {
            throw new ConfigException(SECRET, "****", "must be at least " + MIN_SECRET_LENGTH
                    + " characters (or unset to accept POST /code without a secret)");
        }
        return new KeySettings(
                Duration.ofSeconds(s.longValue(TTL, DEFAULT_TTL_SECONDS, 1, 31_536_000)),
                s.integer(RATE, DEFAULT_RATE_PER_MINUTE, 0, 1_000_000),
                s.integer(BURST, DEFAULT_BURST, 1, 1_000_000),
                secret,
                origins(s.list(ALLOWED_ORIGINS)),
                s.httpUrl(KEY_BASE),
                Duration.ofSeconds(s.longValue(CACHE_SECONDS, DEFAULT_CACHE_SECONDS, 0, 86_400)),
                s.integer(CACHE_SIZE, DEFAULT_CACHE_SIZE, 1, 10_000_000),
                Duration.ofMillis(s.longValue(TIMEOUT, DEFAULT_TIMEOUT_MILLIS, 100, 60_000)),
                Duration.ofSeconds(s.longValue(PURGE_SECONDS, DEFAULT_PURGE_SECONDS, 1, 86_400)),
                s.integer(PURGE_BATCH, DEFAULT_PURGE_BATCH, 1, 100_000));
    }

    /** Origins as browsers send them: {@code scheme://host[:port]}, lower-case, no path. */
    private static List<String> origins(List<String> raw) {
        List<String> out = new ArrayList<>();
        for (String o : raw) {
            try {
                URI uri = new URI(o);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty();
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !bare
                        || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                    throw new ConfigException(ALLOWED_ORIGINS, o,
                            "each entry must be an origin like https://viewer.example.com or http://127.0.0.1:8080"
                                    + " (scheme, host, optional port; no path)");
                }
                out.add(o.toLowerCase(Locale.ROOT));
            } catch (URISyntaxException e) {
                throw new ConfigException(ALLOWED_ORIGINS, o, "each entry must be an origin like https://viewer.example.com");
            }
        }
        return List.copyOf(out);
    }
}
