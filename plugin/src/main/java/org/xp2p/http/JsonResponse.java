package org.xp2p.http;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

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
            send(resp, status, "{\"error\":" + quote(code) + ",\"message\":" + quote(message) + "}");
        } catch (IOException | IllegalStateException e) {
            // the client went away; nothing left to tell it
        }
    }

    /** A JSON string literal. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append("\\u").append(HexFormat.of().toHexDigits((short) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
