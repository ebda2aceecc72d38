package org.xp2p.swarm;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.xp2p.common.Json;

/**
 * The {@code iceServers} a peer gets in {@code joined}: STUN servers as configured, TURN servers
 * with ephemeral credentials of the TURN REST API scheme (what coturn's {@code use-auth-secret}
 * with {@code static-auth-secret} accepts): username {@code <expiry unix seconds>:<peer id>},
 * credential base64(HMAC-SHA1(secret, username)).
 *
 * <p>Why ephemeral: a static TURN password in a web page is public the moment it ships, and a
 * TURN relay is bandwidth anyone can spend. These credentials are valid for
 * {@code xp2p.swarm.turnTtlSeconds} and name the peer, so the TURN server's log says who relayed.
 */
final class IceServers {
    private final List<String> stun = new ArrayList<>();
    private final List<String> turn = new ArrayList<>();
    private final Optional<byte[]> secret;
    private final long ttlSeconds;
    private final Clock clock;
    /** STUN entries never change: encoded once. */
    private final String stunJson;

    IceServers(List<String> urls, Optional<byte[]> turnSecret, long ttlSeconds, Clock clock) {
        for (String url : urls) {
            String lower = url.toLowerCase(Locale.ROOT);
            (lower.startsWith("turn:") || lower.startsWith("turns:") ? turn : stun).add(url);
        }
        this.secret = turnSecret;
        this.ttlSeconds = ttlSeconds;
        this.clock = clock;
        List<String> entries = new ArrayList<>();
        for (String url : stun) {
            entries.add(Json.object().put("urls", url).end());
        }
        this.stunJson = String.join(",", entries);
    }

    /** The JSON array for {@code peerId}'s {@code joined}. */
    String json(String peerId) {
        if (turn.isEmpty() || secret.isEmpty()) {
            return "[" + stunJson + "]";
        }
        String username = (clock.millis() / 1000 + ttlSeconds) + ":" + peerId;
        String credential = credential(secret.get(), username);
        StringBuilder out = new StringBuilder("[").append(stunJson);
        for (String url : turn) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(Json.object().put("urls", url).put("username", username).put("credential", credential).end());
        }
        return out.append(']').toString();
    }

    /** base64(HMAC-SHA1(secret, username)): the TURN REST API's password for {@code username}. */
    static String credential(byte[] secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }
}
