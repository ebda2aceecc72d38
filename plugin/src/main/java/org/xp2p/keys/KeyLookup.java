package org.xp2p.keys;

import java.util.Optional;

/**
 * Finds the stream key for a viewer's {@code code}. Either the plugin's own store or a remote key
 * service ({@code xp2p.keyBase}, the original server's {@code -k}).
 */
public interface KeyLookup {
    /**
     * @return the key bytes, or empty when the code is unknown, expired or malformed
     * @throws KeyStoreUnavailableException when the store cannot answer (the caller answers 503)
     */
    Optional<byte[]> find(String code);
}
