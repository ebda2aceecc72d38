package org.xp2p.auth;

import java.net.URI;
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
 * <li>{@code callback}: {@code xp2p.auth.callbackUrl} decides ({@link AuthCallback}).
 * <li>{@code token-or-callback}: a given token decides alone (valid: allowed; otherwise refused
 * with its reason, the callback is not asked); without a token the callback decides.
 * </ul>
 *
 * <p>When the callback cannot answer (timeout, connection failure, a status other than 2xx, 401,
 * 403), {@code xp2p.auth.failOpen=true} allows the request; the default refuses it with 503
 * {@code auth_unavailable}: the client may retry, and nothing is let through unchecked.
 *
 * <p>A refusal never depends on whether the stream exists: the decision only looks at the stream
 * id the client named and its credentials.
 */
public final class StreamAuth implements AutoCloseable {
    public static final String MODE = "xp2p.auth.mode";
    static final String TOKEN_SECRET = "xp2p.swarm.tokenSecret";
    static final int MIN_SECRET_BYTES = 16;

    /** What the client asks for: to watch (stream, init, chunk) or to join the stream's room. */
    public enum Action { PLAY, JOIN }

    /** A refused request: HTTP status (401 missing, 403 wrong), reason code and a safe message. */
    public record Refusal(int status, String reason, String message) {
    }

    public static final String CALLBACK_URL = "xp2p.auth.callbackUrl";

    private final String mode;
    private final byte[] secret;
    private final Clock clock;
    private final AuthCallback callback;
    private final boolean failOpen;

    StreamAuth(String mode, byte[] secret, Clock clock, AuthCallback callback, boolean failOpen) {
        this.mode = mode;
        this.secret = secret;
        this.clock = clock;
        this.callback = callback;
        this.failOpen = failOpen;
    }

    /** The default: no per-stream check. */
    public static StreamAuth none() {
        return new StreamAuth("none", null, Clock.systemUTC(), null, false);
    }

    public static StreamAuth from(Settings s, Clock clock) {
        String mode = s.choice(MODE, "none", "none", "token", "callback", "token-or-callback");
        Optional<byte[]> secret = s.optional(TOKEN_SECRET).map(v -> v.getBytes(StandardCharsets.UTF_8));
        int timeoutMillis = s.integer("xp2p.auth.timeoutMillis", 2000, 100, 60_000);
        int cacheSeconds = s.integer("xp2p.auth.cacheSeconds", 30, 0, 86_400);
        boolean failOpen = s.bool("xp2p.auth.failOpen", false);
        Optional<URI> url = s.optional(CALLBACK_URL).map(v -> Settings.parseHttpUrl(CALLBACK_URL, v));
        boolean usesCallback = mode.endsWith("callback");
        if (usesCallback && url.isEmpty()) {
            throw new ConfigException(MODE, mode, "needs " + CALLBACK_URL);
        }
        if (mode.startsWith("token")) {
            if (secret.isEmpty()) {
                throw new ConfigException(MODE, mode, "needs " + TOKEN_SECRET + " (the tokens' signing secret)");
            }
            if (secret.get().length < MIN_SECRET_BYTES) {
                throw new ConfigException(TOKEN_SECRET, "****", "must be at least " + MIN_SECRET_BYTES + " bytes");
            }
        }
        AuthCallback callback = usesCallback
                ? new AuthCallback(url.get(), timeoutMillis, cacheSeconds, System::nanoTime) : null;
        return new StreamAuth(mode, secret.orElse(null), clock, callback, failOpen);
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
        boolean hasToken = token != null && !token.isEmpty();
        if (mode.equals("callback") || (mode.equals("token-or-callback") && !hasToken)) {
            return askCallback(action, streamId, client, code, hasToken ? token : null);
        }
        if (!hasToken) {
            return new Refusal(401, "token_missing", "this stream needs a token");
        }
        return switch (StreamToken.check(secret, streamId, token, clock.instant().getEpochSecond())) {
            case VALID -> null;
            case EXPIRED -> new Refusal(403, "token_expired", "token expired");
            case BAD -> new Refusal(403, "token_bad", "token invalid or for another stream");
        };
    }

    private Refusal askCallback(Action action, String streamId, String client, String code, String token) {
        boolean hasCode = code != null && !code.isEmpty();
        return switch (callback.ask(action, streamId, client, hasCode ? code : null, token)) {
            case ALLOW -> null;
            case DENY -> hasCode || token != null
                    ? new Refusal(403, "denied", "access to this stream was denied")
                    : new Refusal(401, "credentials_missing", "access to this stream needs a code or token");
            case UNAVAILABLE -> failOpen ? null
                    : new Refusal(503, "auth_unavailable", "the authorization service cannot answer; try again later");
        };
    }

    @Override
    public void close() {
        if (callback != null) {
            callback.close();
        }
    }
}
