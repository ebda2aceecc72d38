package org.xp2p.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Raw HTTP against a running key service, plus checks every JSON answer must pass. */
final class KeyHttp {
    static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern FIELD = Pattern.compile("\"([a-z]+)\":(\"([^\"\\\\]*)\"|(-?[0-9]+))");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    KeyHttp(URI base) {
        this.base = base;
    }

    HttpResponse<String> send(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String... headers) throws IOException, InterruptedException {
        return send("POST", "/code", headers);
    }

    HttpResponse<String> get(String code) throws IOException, InterruptedException {
        return send("GET", "/code/" + code);
    }

    /** POST /code that must succeed; returns the parsed body. */
    Map<String, String> issue(String... headers) throws IOException, InterruptedException {
        HttpResponse<String> r = post(headers);
        assertEquals(200, r.statusCode(), r.body());
        Map<String, String> body = json(r);
        assertEquals(java.util.Set.of("code", "expire", "key"), body.keySet(), r.body());
        return body;
    }

    /** Asserts the JSON headers and a flat JSON object body, and returns its fields. */
    static Map<String, String> json(HttpResponse<String> r) {
        String type = r.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.toLowerCase().matches("application/json;\\s*charset=utf-8"), "Content-Type was " + type);
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
        String body = r.body();
        assertTrue(body.startsWith("{") && body.endsWith("}"), body);
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(body);
        int end = 1;
        while (m.find()) {
            assertEquals(end, m.start(), "unexpected text in " + body);
            out.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
            end = m.end() + 1;
        }
        assertEquals(body.length(), end, "unexpected text in " + body);
        return out;
    }

    /** Asserts an error answer: status, JSON headers, and {@code error} field. */
    static Map<String, String> assertError(HttpResponse<String> r, int status, String error) {
        assertEquals(status, r.statusCode(), r.body());
        Map<String, String> body = json(r);
        assertEquals(error, body.get("error"), r.body());
        assertTrue(body.containsKey("message"), r.body());
        return body;
    }
}
