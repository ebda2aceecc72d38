package org.xp2p.http;

import org.xp2p.common.Json;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * How every xp2p HTTP endpoint answers with JSON: {@code application/json; charset=utf-8},
 * {@code Cache-Control: no-store}, an exact Content-Length, and for errors the one body shape
 * {@code {"error":"<code>","message":"<text>"}} — never a stack trace.
 */
public final class JsonResponse {
    private JsonResponse() {
    }

    public static void send(HttpServletResponse resp, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json; charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    /**
     * An error answer. Does nothing when the response is already committed (a stream that failed
     * after its first byte can only be ended), and never throws: the client may be gone.
     */
    public static void error(HttpServletResponse resp, int status, String code, String message) {
        if (resp.isCommitted()) {
            return;
        }
        try {
            resp.resetBuffer();
            send(resp, status, Json.httpError(code, message));
        } catch (IOException | IllegalStateException e) {
            // the client went away; nothing left to tell it
        }
    }
}
