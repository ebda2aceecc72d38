package org.xp2p.relay;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xp2p.host.Host;
import org.xp2p.testkit.ReplayOrigin;

/** Shared plumbing of the relay tests: a replay origin, a host in front of it, HTTP helpers. */
final class RelayFixture implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ReplayOrigin origin;
    Host host;

    static byte[] demoRecording() throws IOException {
        try (InputStream in = RelayFixture.class.getResourceAsStream("/xp2p-demo/demo.flv")) {
            return in.readAllBytes();
        }
    }

    RelayFixture start(Path data, Map<String, String> settings) throws Exception {
        return start(data, settings, -1);
    }

    RelayFixture start(Path data, Map<String, String> settings, int sendBuffer) throws Exception {
        origin = new ReplayOrigin(demoRecording(), 0);
        host = Host.builder().port(0).sendBufferSize(sendBuffer)
                .setting("xp2p.data", data)
                .setting("xp2p.origin", origin.baseUri())
                .settings(settings)
                .build().start();
        return this;
    }

    URI uri(String pathAndQuery) {
        return URI.create(host.baseUri() + pathAndQuery);
    }

    HttpResponse<InputStream> open(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    HttpResponse<byte[]> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    String stats(String id) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = get("/xp2p/streams?xresid=" + id);
        return r.statusCode() == 200 ? new String(r.body(), StandardCharsets.UTF_8) : null;
    }

    /** A numeric field of the stream's stats JSON, or -1 when the stream is not relayed. */
    long stat(String id, String field) throws IOException, InterruptedException {
        String json = stats(id);
        if (json == null) {
            return -1;
        }
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Sends a raw request line (no normalisation by any client library) and returns the status. */
    int rawStatus(String rawTarget) throws IOException {
        try (Socket s = new Socket("127.0.0.1", host.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] head = s.getInputStream().readNBytes(12);
            String line = new String(head, StandardCharsets.ISO_8859_1);
            return Integer.parseInt(line.substring(9, 12));
        }
    }

    @Override
    public void close() throws Exception {
        if (host != null) {
            host.stop();
        }
        if (origin != null) {
            origin.close();
        }
    }
}
