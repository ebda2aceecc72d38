package org.xp2p.config;

/**
 * A configuration value that cannot be used. The message always names the key, the bad value and
 * what is allowed, because it is the only thing an operator sees when startup stops. The value is
 * masked when it is a secret ({@link Secrets}): the message goes to logs and consoles.
 */
public final class ConfigException extends RuntimeException {
    private final String key;
    private final String allowed;

    public ConfigException(String key, String value, String allowed) {
        super("invalid configuration " + key + "=" + (value == null ? "<unset>" : "'" + Secrets.mask(key, value) + "'")
                + ": " + allowed);
        this.key = key;
        this.allowed = allowed;
    }

    public ConfigException(String message) {
        super(message);
        this.key = null;
        this.allowed = null;
    }

    /** The key, or null for a message-only exception. */
    public String key() {
        return key;
    }

    /** What is allowed, e.g. "must be a whole number from 0 to 86400"; null for a message-only exception. */
    public String allowed() {
        return allowed;
    }
}
