package org.xp2p.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed access tokens for one stream: the swarm join token scheme (docs/PROTOCOL.md section 6.3),
 * shared by the stream, its init and chunk answers and the join of its room (room = stream id).
 *
 * <p>Format: {@code <expiry>.<signature>}, expiry in Unix seconds (1-19 decimal digits, nothing
 * else), signature base64url without padding of HMAC-SHA256(secret, "xp2p-swarm-v1\n" + stream +
 * "\n" + expiry). The signature is compared in constant time, and checked before the expiry, so
 * {@link Result#EXPIRED} is only ever said of a token this node signed.
 */
public final class StreamToken {
    private static final String PREFIX = "xp2p-swarm-v1\n";
    /** Longest token looked at: 19 digits, a dot, 43 signature characters; longer ones are bad. */
    static final int MAX_LENGTH = 19 + 1 + 43;

    /** What a presented token amounts to. */
    public enum Result { VALID, EXPIRED, BAD }

    private StreamToken() {
    }

    public static String issue(byte[] secret, String stream, long expiresEpochSecond) {
        return expiresEpochSecond + "." + sign(secret, stream, expiresEpochSecond);
    }

    public static Result check(byte[] secret, String stream, String token, long nowEpochSecond) {
        if (token == null || token.length() > MAX_LENGTH) {
            return Result.BAD;
        }
        int dot = token.indexOf('.');
        if (dot < 1 || dot > 19) {
            return Result.BAD;
        }
        for (int i = 0; i < dot; i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return Result.BAD; // no sign, no spaces: one spelling per expiry
            }
        }
        long expiry;
        try {
            expiry = Long.parseLong(token, 0, dot, 10);
        } catch (NumberFormatException e) {
            return Result.BAD; // beyond Long.MAX_VALUE
        }
        byte[] expected = sign(secret, stream, expiry).getBytes(StandardCharsets.US_ASCII);
        byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            return Result.BAD;
        }
        return expiry < nowEpochSecond ? Result.EXPIRED : Result.VALID;
    }

    private static String sign(byte[] secret, String stream, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] sig = mac.doFinal((PREFIX + stream + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
