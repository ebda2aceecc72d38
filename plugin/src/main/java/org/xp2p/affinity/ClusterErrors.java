package org.xp2p.affinity;

import jakarta.servlet.http.HttpServletResponse;
import org.xp2p.http.JsonResponse;

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

    static void send(HttpServletResponse res, int status, String code, String message, long retryAfterSeconds) {
        if (res.isCommitted()) {
            return;
        }
        if (retryAfterSeconds > 0) {
            res.setHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        JsonResponse.error(res, status, code, message);
    }
}
