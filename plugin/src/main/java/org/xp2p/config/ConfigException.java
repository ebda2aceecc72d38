package org.xp2p.config;

/**
 * A configuration value that cannot be used. The message always names the key, the bad value and
 * what is allowed, because it is the only thing an operator sees when startup stops. The value is
 * masked when it is a secret ({@link Secrets}): the message goes to logs and consoles.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String key, String value, String allowed) {
        super("invalid configuration " + key + "=" + (value == null ? "<unset>" : "'" + Secrets.mask(key, value) + "'")
                + ": " + allowed);
    }

    public ConfigException(String message) {
        super(message);
    }
}
