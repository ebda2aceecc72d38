package org.xp2p.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The plugin's configuration: one set of {@code xp2p.*} keys, looked up in a fixed order of
 * sources so that the same settings work in the embedded host and in any other container.
 *
 * <p>Sources, highest first: servlet context init-params, Java system properties, environment
 * variables ({@code xp2p.key.ttlSeconds} is {@code XP2P_KEY_TTLSECONDS}), the properties file named
 * by {@code xp2p.config}, and the built-in default each feature passes in. Every typed getter
 * validates and throws {@link ConfigException} naming key, value and what is allowed, so a bad
 * value stops startup with one clear line instead of failing later on a viewer's request.
 *
 * <p>Each key read is remembered with its effective value so {@link #effective()} can print the
 * whole configuration once at startup, with secrets masked.
 */
public final class Settings {
    public static final String PREFIX = "xp2p.";
    public static final String CONFIG_FILE = "xp2p.config";

    private final List<Function<String, String>> sources;
    private final Map<String, String> effective = Collections.synchronizedMap(new TreeMap<>());

    private Settings(List<Function<String, String>> sources) {
        this.sources = sources;
    }

    /** Settings with the standard source order below the given highest-priority values. */
    public static Settings load(Map<String, String> initParams) {
        List<Function<String, String>> list = new ArrayList<>();
        Map<String, String> init = Map.copyOf(initParams);
        list.add(init::get);
        list.add(System::getProperty);
        list.add(key -> System.getenv(envName(key)));
        String file = first(list, CONFIG_FILE);
        if (file != null && !file.isBlank()) {
            Properties props = readFile(file.trim());
            list.add(props::getProperty);
        }
        Settings settings = new Settings(list);
        if (file != null) {
            settings.effective.put(CONFIG_FILE, file);
        }
        return settings;
    }

    /** Settings from one map only (plus defaults): for tests and tools. */
    public static Settings of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return new Settings(List.of(copy::get));
    }

    /** {@code xp2p.key.ttlSeconds} → {@code XP2P_KEY_TTLSECONDS}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String first(List<Function<String, String>> list, String key) {
        for (Function<String, String> source : list) {
            String v = source.apply(key);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static Properties readFile(String file) {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new ConfigException(CONFIG_FILE, file, "must name a readable properties file");
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(path)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file " + file, e);
        }
        return props;
    }

    /** The raw value, or null when no source sets it. Blank values count as unset. */
    private String raw(String key) {
        String v = first(sources, key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private <T> T remember(String key, T value) {
        effective.put(key, value == null ? "" : String.valueOf(value));
        return value;
    }

    public String string(String key, String defaultValue) {
        String v = raw(key);
        return remember(key, v == null ? defaultValue : v);
    }

    public Optional<String> optional(String key) {
        return Optional.ofNullable(remember(key, raw(key)));
    }

    /** A value that must be one of the given choices (case-insensitive, returned lower-case). */
    public String choice(String key, String defaultValue, String... allowed) {
        String v = raw(key);
        String value = v == null ? defaultValue : v.toLowerCase(Locale.ROOT);
        if (!Arrays.asList(allowed).contains(value)) {
            throw new ConfigException(key, v, "must be one of " + String.join(", ", allowed));
        }
        return remember(key, value);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        return (int) longValue(key, defaultValue, min, max);
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        String v = raw(key);
        if (v == null) {
            return remember(key, defaultValue);
        }
        long parsed;
        try {
            parsed = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "must be a whole number from " + min + " to " + max);
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(key, v, "must be a whole number from " + min + " to " + max);
        }
        return remember(key, parsed);
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = raw(key);
        if (v == null) {
            return remember(key, defaultValue);
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return remember(key, true);
            case "false": case "no": case "off": case "0":
                return remember(key, false);
            default:
                throw new ConfigException(key, v, "must be true or false");
        }
    }

    /** A comma-separated list; empty entries are dropped. */
    public List<String> list(String key) {
        String v = raw(key);
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        remember(key, String.join(",", out));
        return List.copyOf(out);
    }

    /** An absolute http or https URL, or empty when unset. */
    public Optional<URI> httpUrl(String key) {
        String v = raw(key);
        if (v == null) {
            return Optional.ofNullable(remember(key, null));
        }
        return Optional.of(remember(key, parseHttpUrl(key, v)));
    }

    /** Parses one absolute http(s) URL for {@code key}; used for lists of URLs too. */
    public static URI parseHttpUrl(String key, String v) {
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new ConfigException(key, v,
                        "must be an absolute http:// or https:// URL with a host and no user info, query or fragment");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(key, v, "must be an absolute http:// or https:// URL (" + e.getReason() + ")");
        }
    }

    /**
     * Every key read so far with its effective value, safe to log: the values of secret keys and
     * passwords inside URLs are masked ({@link Secrets}).
     */
    public Map<String, String> effective() {
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (effective) {
            effective.forEach((k, v) -> out.put(k, Secrets.mask(k, v)));
        }
        return out;
    }

    static boolean isSecret(String key) {
        return Secrets.isSecretKey(key);
    }
}
