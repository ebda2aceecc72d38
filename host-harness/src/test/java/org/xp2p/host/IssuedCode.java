package org.xp2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A code and its key, issued by a running host's key service ({@code POST /code}). */
public record IssuedCode(String code, String key) {
    private static final Pattern CODE = Pattern.compile("\"code\":\"([^\"]+)\"");
    private static final Pattern KEY = Pattern.compile("\"key\":\"([0-9a-f]+)\"");

    /** Issues one from {@code codeUri} (the host's {@code /code}); fails the test unless it answers 200. */
    public static IssuedCode issue(HttpClient http, URI codeUri) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(codeUri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Matcher code = CODE.matcher(r.body());
        Matcher key = KEY.matcher(r.body());
        assertTrue(code.find() && key.find(), r.body());
        return new IssuedCode(code.group(1), key.group(1));
    }
}
