package org.xp2p.auth;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import org.xp2p.config.ConfigException;
import org.xp2p.config.Settings;

/**
 * Per-stream authorization ({@code xp2p.auth.mode}), one decision for the http-flv stream, its
 * {@code ?xp2p=init} and {@code ?xp2p=chunk} answers and the signalling join of its room.
 *
 * <ul>
 * <li>{@code none} (default): no check here; codes ({@code xp2p.relay.requireCode},
 * {@code xp2p.swarm.auth}) work as before.
 * <li>{@code token}: a {@link StreamToken} for the stream id, signed with
 * {@code xp2p.swarm.tokenSecret}, is required.
 * </ul>
 *
 * <p>A refusal never depends on whether the stream exists: the decision only looks at the stream
 * id the client named and its credentials.
 */
public final class StreamAuth {
    public static final String MODE = "xp2p.auth.mode";
    static final String TOKEN_SECRET = "xp2p.swarm.tokenSecret";
    static final int MIN_SECRET_BYTES = 16;

    /** What the client asks for: to watch (stream, init, chunk) or to join the stream's room. */
    public enum Action { PLAY, JOIN }

    /** A refused request: HTTP status (401 missing, 403 wrong), reason code and a safe message. */
    public record Refusal(int status, String reason, String message) {
    }

    private final String mode;
    private final byte[] secret;
    private final Clock clock;

    StreamAuth(String mode, byte[] secret, Clock clock) {
        this.mode = mode;
        this.secret = secret;
        this.clock = clock;
    }

    /** The default: no per-stream check. */
    public static StreamAuth none() {
        return new StreamAuth("none", null, Clock.systemUTC());
    }

    public static StreamAuth from(Settings s, Clock clock) {
        String mode = s.choice(MODE, "none", "none", "token");
        Optional<byte[]> secret = s.optional(TOKEN_SECRET).map(v -> v.getBytes(StandardCharsets.UTF_8));
        if (mode.equals("token")) {
            if (secret.isEmpty()) {
                throw new ConfigException(MODE, mode, "needs " + TOKEN_SECRET + " (the tokens' signing secret)");
            }
            if (secret.get().length < MIN_SECRET_BYTES) {
                throw new ConfigException(TOKEN_SECRET, "****", "must be at least " + MIN_SECRET_BYTES + " bytes");
            }
        }
        return new StreamAuth(mode, secret.orElse(null), clock);
    }

    public String mode() {
        return mode;
    }

    public boolean enabled() {
        return !mode.equals("none");
    }

    /**
     * Null when the request may proceed.
     *
     * @param streamId the stream id ({@code xresid} or path-derived); for a join, the room
     * @param client   the client's address (for the callback)
     * @param code     the key-service code given, or null
     * @param token    the token given, or null
     */
    public Refusal check(Action action, String streamId, String client, String code, String token) {
        if (mode.equals("none")) {
            return null;
        }
        if (token == null || token.isEmpty()) {
            return new Refusal(401, "token_missing", "this stream needs a token");
        }
        return switch (StreamToken.check(secret, streamId, token, clock.instant().getEpochSecond())) {
            case VALID -> null;
            case EXPIRED -> new Refusal(403, "token_expired", "token expired");
            case BAD -> new Refusal(403, "token_bad", "token invalid or for another stream");
        };
    }
}
