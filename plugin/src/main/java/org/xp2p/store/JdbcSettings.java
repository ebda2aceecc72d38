package org.xp2p.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Secrets;
import org.xp2p.config.Settings;

/**
 * The database keys, read and validated once at start so that a typo stops the deployment with a
 * line naming the key instead of failing on the first viewer's request.
 *
 * @param url        JDBC URL of the plugin's own pool ({@code jdbc:h2:} or {@code jdbc:postgresql:})
 * @param user       optional user
 * @param password   optional password
 * @param maxPoolSize upper bound of pooled connections
 * @param connectionTimeoutMillis how long a caller waits for a connection before the store counts
 *                   as unavailable (and the client gets 503)
 */
public record JdbcSettings(String url, Optional<String> user, Optional<String> password, int maxPoolSize,
                           long connectionTimeoutMillis) {
    public static final String DATA = "xp2p.data";
    public static final String DEFAULT_DATA = "./xp2p-data";
    public static final String URL = "xp2p.jdbc.url";
    public static final String USER = "xp2p.jdbc.user";
    public static final String PASSWORD = "xp2p.jdbc.password";
    public static final String MAX_POOL_SIZE = "xp2p.jdbc.maxPoolSize";
    public static final int DEFAULT_MAX_POOL_SIZE = 10;
    public static final String CONNECTION_TIMEOUT = "xp2p.jdbc.connectionTimeoutMillis";
    public static final long DEFAULT_CONNECTION_TIMEOUT_MILLIS = 5_000;
    /**
     * H2 keeps running when the JVM's shutdown hooks run; the plugin closes it on undeploy.
     * {@code WRITE_DELAY=0}: every commit is written to the file before it returns (H2's default
     * of 500 ms lets a background thread write commits later, so {@code kill -9} lost the keys
     * acknowledged in the last moments). Written means handed to the operating system, which
     * survives the process dying; H2 does not fsync each commit, so a power cut may still lose
     * the last ones.
     */
    static final String H2_OPTIONS = ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";

    public static JdbcSettings from(Settings settings) {
        Optional<String> explicit = settings.optional(URL);
        String url;
        if (explicit.isPresent()) {
            url = explicit.get();
            String lower = url.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:postgresql:")) {
                throw new ConfigException(URL, url, "must be a jdbc:h2: or jdbc:postgresql: URL"
                        + " (or unset for the embedded H2 database under " + DATA + ")");
            }
        } else {
            url = "jdbc:h2:file:" + dataDirectory(settings).resolve("xp2p") + H2_OPTIONS;
        }
        return new JdbcSettings(url,
                settings.optional(USER),
                settings.optional(PASSWORD),
                settings.integer(MAX_POOL_SIZE, DEFAULT_MAX_POOL_SIZE, 1, 200),
                settings.longValue(CONNECTION_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT_MILLIS, 250, 600_000));
    }

    /** The data directory, created when missing; it must be writable. */
    public static Path dataDirectory(Settings settings) {
        String value = settings.string(DATA, DEFAULT_DATA);
        Path dir;
        try {
            dir = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(DATA, value, "must be a directory path (" + e.getReason() + ")");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigException(DATA, value, "must be a directory the server can create and write ("
                    + e.getMessage() + ")");
        }
        if (!Files.isWritable(dir)) {
            throw new ConfigException(DATA, value, "must be a directory the server can write");
        }
        return dir;
    }

    /** The URL for logs: user info and password-like parameters masked. */
    public String safeUrl() {
        return Secrets.maskUrls(url);
    }
}
