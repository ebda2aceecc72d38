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

    /**
     * A found key and the stream its code is bound to ({@code POST /code?xresid=R}).
     *
     * @param stream the stream id the code is valid for, or null for any stream
     */
    record Found(byte[] key, String stream) {
        /** Whether the code may be used for {@code streamId}. */
        public boolean allows(String streamId) {
            return stream == null || stream.equals(streamId);
        }
    }

    /**
     * Like {@link #find}, with the code's stream binding. Lookups that know no bindings (a remote
     * key service) answer codes valid for any stream.
     */
    default Optional<Found> lookup(String code) {
        return find(code).map(key -> new Found(key, null));
    }
}
