package org.xp2p.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One raw HTTP/1.1 request on its own connection, for tests that must see exactly what the server
 * answers (status, head, and a JSON error body of up to 4 KiB; a stream's body is not read).
 */
public final class RawHttp {
    /** The answer: status, the head as sent, and the JSON body when there is one. */
    public record Answer(int status, String head, String body) {
    }

    private RawHttp() {
    }

    public static Answer request(int port, String method, String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            String body = head.toString().toLowerCase(Locale.ROOT).contains("application/json")
                    ? new String(in.readNBytes(4096), StandardCharsets.UTF_8) : "";
            return new Answer(Integer.parseInt(head.substring(9, 12)), head.toString(), body);
        }
    }
}
