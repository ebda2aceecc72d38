package org.xp2p.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in configuration before it reaches a log line or an error message: the whole value
 * of a key whose name says it is a secret, and passwords embedded in URLs (JDBC URLs above all).
 */
public final class Secrets {
    public static final String MASK = "****";

    private static final String SECRET_WORDS = "pass|pwd|secret|token|credential|apikey|api_key|api-key";
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(" + SECRET_WORDS + ").*");
    /**
     * A {@code name=value} parameter whose name says secret, in any position: first or later in a
     * query ({@code ?}, {@code &}), H2-style after {@code ;}, or in a list after {@code ,} or a space.
     */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)((?:^|[?&;,\\s])[a-z0-9_.\\-]*(?:" + SECRET_WORDS + ")[a-z0-9_.\\-]*=)([^&;,\\s#]+)");
    /** {@code scheme://user:password@host}: the part after the first colon of the user info. */
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/?#@:\\s]*):([^/?#@\\s]*)@");

    private Secrets() {
    }

    /** True when the key's name says its value is a secret (password, secret, token, ...). */
    public static boolean isSecretKey(String key) {
        return key != null && SECRET_NAME.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /** The value as it may be logged under {@code key}: a secret key's value masked whole, else {@link #maskUrls}. */
    public static String mask(String key, String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        return isSecretKey(key) ? MASK : maskUrls(value);
    }

    /**
     * The text with URL-embedded secrets masked: {@code password=}-like parameters in any position
     * and the password of {@code user:password@} user info. Everything else is kept, so the line
     * still says which database or host is meant.
     */
    public static String maskUrls(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = SECRET_PARAMETER.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        return USER_INFO_PASSWORD.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
    }
}
