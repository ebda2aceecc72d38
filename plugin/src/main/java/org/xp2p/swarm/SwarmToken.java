package org.xp2p.swarm;

import org.xp2p.auth.StreamToken;


/**
 * Join tokens: a customer's backend, which shares {@code xp2p.swarm.tokenSecret} with this node,
 * lets one viewer into one room until a deadline without xp2p knowing its users.
 *
 * <p>Format: {@code <expiry>.<signature>} where expiry is Unix seconds (decimal) and signature is
 * base64url without padding of HMAC-SHA256(secret, "xp2p-swarm-v1\n" + room + "\n" + expiry).
 * The same tokens authorize the stream itself ({@link StreamToken}, {@code xp2p.auth.mode=token}).
 */
final class SwarmToken {
    private SwarmToken() {
    }

    static String issue(byte[] secret, String room, long expiresEpochSecond) {
        return StreamToken.issue(secret, room, expiresEpochSecond);
    }

    /** True when the token is well formed, signed with {@code secret} for {@code room}, and not expired. */
    static boolean verify(byte[] secret, String room, String token, long nowEpochSecond) {
        return StreamToken.check(secret, room, token, nowEpochSecond) == StreamToken.Result.VALID;
    }
}
