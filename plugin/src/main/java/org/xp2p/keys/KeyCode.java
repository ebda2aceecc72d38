package org.xp2p.keys;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A viewer's code: a random UUID in its canonical 36-character lower-case form.
 *
 * <p>Codes arrive in URLs from anyone, so every path that takes one parses it here first: a
 * malformed code is answered like an unknown one and never reaches SQL or a remote URL.
 */
public record KeyCode(String value) {
    private static final Pattern CANONICAL = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public KeyCode {
        if (value == null || !CANONICAL.matcher(value).matches()) {
            throw new IllegalArgumentException("not a canonical lower-case UUID: " + value);
        }
    }

    /** A new random code (UUID version 4, from the JDK's SecureRandom). */
    public static KeyCode random() {
        return new KeyCode(UUID.randomUUID().toString());
    }

    /** The code, if {@code raw} is a UUID in 8-4-4-4-12 hex form (either case). */
    public static Optional<KeyCode> parse(String raw) {
        if (raw == null || raw.length() != 36) {
            return Optional.empty();
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        return CANONICAL.matcher(lower).matches() ? Optional.of(new KeyCode(lower)) : Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}
