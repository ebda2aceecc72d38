package org.xp2p.swarm;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Join tokens: a customer's backend, which shares {@code xp2p.swarm.tokenSecret} with this node,
 * lets one viewer into one room until a deadline without xp2p knowing its users.
 *
 * <p>Format: {@code <expiry>.<signature>} where expiry is Unix seconds (decimal) and signature is
 * base64url without padding of HMAC-SHA256(secret, "xp2p-swarm-v1\n" + room + "\n" + expiry).
 */
final class SwarmToken {
    private static final String PREFIX = "xp2p-swarm-v1\n";

    private SwarmToken() {
    }

    static String issue(byte[] secret, String room, long expiresEpochSecond) {
        return expiresEpochSecond + "." + sign(secret, room, expiresEpochSecond);
    }

    /** True when the token is well formed, signed with {@code secret} for {@code room}, and not expired. */
    static boolean verify(byte[] secret, String room, String token, long nowEpochSecond) {
        int dot = token.indexOf('.');
        if (dot < 1 || dot > 19) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        if (expiry < nowEpochSecond) {
            return false;
        }
        byte[] expected = sign(secret, room, expiry).getBytes(StandardCharsets.US_ASCII);
        byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }

    private static String sign(byte[] secret, String room, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] sig = mac.doFinal((PREFIX + room + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
