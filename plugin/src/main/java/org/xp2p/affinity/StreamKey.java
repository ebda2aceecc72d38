package org.xp2p.affinity;

import org.xp2p.common.StreamId;
import org.xp2p.common.Paths;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.xp2p.relay.StreamAddress;

/**
 * The stream a request belongs to, which decides the node that must serve it. Streams, init
 * segments and chunks ({@code *.flv}) use the relay's own parsing so that affinity and relay can
 * never disagree on a stream id; statistics ({@code /stat}) and signalling ({@code /xp2p/signal})
 * name the stream in {@code xresid}. Everything else (key service, health, static files) has no
 * stream and may be served by any node.
 */
public final class StreamKey {

    private StreamKey() {
    }

    /**
     * @param rawPath  the raw request path inside the context
     * @param rawQuery the raw query string, or null
     * @return the stream id, or empty when the request is not tied to a stream or its address is
     *         invalid (then the owning feature answers with the precise error, locally)
     */
    public static Optional<String> of(String rawPath, String rawQuery) {
        if (rawPath == null) {
            return Optional.empty();
        }
        if (rawPath.endsWith(".flv")) {
            try {
                return Optional.of(StreamAddress.parse(rawPath, rawQuery).streamId());
            } catch (StreamAddress.BadAddressException e) {
                return Optional.empty();
            }
        }
        if (rawPath.equals(Paths.STAT) || rawPath.equals(Paths.SIGNAL) || rawPath.equals(Paths.STREAM_STATS)) {
            return parameter(rawQuery, "xresid").filter(StreamId::isValid);
        }
        return Optional.empty();
    }

    /** The decoded value of the first non-empty query parameter {@code name}. */
    static Optional<String> parameter(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                try {
                    String v = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    if (!v.isEmpty()) {
                        return Optional.of(v);
                    }
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
