package org.xp2p.keys;

/** The key store cannot answer right now (database down, remote key service unreachable). */
public final class KeyStoreUnavailableException extends RuntimeException {
    public KeyStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
