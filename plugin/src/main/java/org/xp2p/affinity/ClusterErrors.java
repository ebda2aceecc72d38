package org.xp2p.affinity;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON error bodies of the affinity layer: {@code {"error":"<code>","message":"<text>"}} plus
 * {@code Retry-After} where waiting helps, so a client can tell "the cluster is re-forming, retry"
 * apart from a fault of its own request.
 */
final class ClusterErrors {
    static final String NO_LIVE_MEMBER = "no_live_member";
    static final String AFFINITY_LOOP = "affinity_loop";
    static final String PROXY_BUSY = "proxy_busy";
    static final String OWNER_UNREACHABLE = "owner_unreachable";

    private ClusterErrors() {
    }

    static void send(HttpServletResponse res, int status, String code, String message, long retryAfterSeconds)
            throws IOException {
        if (res.isCommitted()) {
            return;
        }
        res.resetBuffer();
        res.setStatus(status);
        res.setContentType("application/json");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-store");
        if (retryAfterSeconds > 0) {
            res.setHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        byte[] body = ("{\"error\":\"" + code + "\",\"message\":\"" + escape(message) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
