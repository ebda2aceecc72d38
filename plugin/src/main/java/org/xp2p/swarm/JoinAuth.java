package org.xp2p.swarm;

import java.time.Clock;
import java.util.Optional;
import org.xp2p.auth.StreamAuth;
import org.xp2p.keys.KeyLookup;
import org.xp2p.keys.KeyStoreUnavailableException;

/**
 * Decides whether a join may proceed ({@code xp2p.swarm.auth}): by a key-service code, which
 * proves the viewer was given the stream, or by a token signed with {@code xp2p.swarm.tokenSecret},
 * which lets a customer's backend admit viewers without xp2p knowing them (see {@link SwarmToken}).
 *
 * <p>A join starts and keeps the stream's pull like an http-flv viewer, so {@code
 * xp2p.relay.requireCode} applies to it whatever the swarm mode: without it a node that requires
 * codes for its streams would pull them for anyone who joins a room.
 */
final class JoinAuth {
    /** Why a join was refused; {@code code} is the protocol's error code. */
    record Refusal(String code, String message) {
    }

    private final String mode;
    private final boolean requireCode;
    private final byte[] secret;
    private final KeyLookup keys;
    private final Clock clock;

    private final StreamAuth streamAuth;

    JoinAuth(SwarmSettings settings, KeyLookup keys, Clock clock, StreamAuth streamAuth) {
        this.streamAuth = streamAuth;
        this.mode = settings.auth();
        this.requireCode = settings.requireCode();
        this.secret = settings.tokenSecret().orElse(null);
        this.keys = keys;
        this.clock = clock;
    }

    /** Null when the join may proceed. */
    Refusal check(String room, String code, String token) {
        return check(room, null, code, token);
    }

    /** @param client the peer's address, or null when the container does not tell */
    Refusal check(String room, String client, String code, String token) {
        // xp2p.auth.mode: the same decision as for the stream itself (room = stream id)
        StreamAuth.Refusal denied = streamAuth.check(StreamAuth.Action.JOIN, room, client, code, token);
        if (denied != null) {
            return new Refusal(denied.reason(), denied.message());
        }
        if (requireCode) {
            if (code == null) {
                return new Refusal("auth_required", "this node requires a code for every stream, joins included");
            }
            Refusal refusal = checkCode(room, code);
            if (refusal != null || token == null || mode.equals("none")) {
                return refusal;
            }
            return checkToken(room, token);
        }
        if (mode.equals("none")) {
            return null;
        }
        if (code == null && token == null) {
            return mode.equals("required")
                    ? new Refusal("auth_required", "this node requires a code or token to join") : null;
        }
        return token != null ? checkToken(room, token) : checkCode(room, code);
    }

    private Refusal checkToken(String room, String token) {
        if (secret == null) {
            return new Refusal("auth_failed", "this node does not accept tokens");
        }
        if (!SwarmToken.verify(secret, room, token, clock.instant().getEpochSecond())) {
            return new Refusal("auth_failed", "token invalid, expired or for another room");
        }
        return null;
    }

    private Refusal checkCode(String room, String code) {
        try {
            Optional<KeyLookup.Found> found = keys.lookup(code);
            if (found.isEmpty()) {
                return new Refusal("auth_failed", "unknown or expired code");
            }
            return found.get().allows(room) ? null : new Refusal("code_other_stream", "this code is for another stream");
        } catch (KeyStoreUnavailableException e) {
            return new Refusal("unavailable", "key store cannot answer, try again later");
        }
    }
}
