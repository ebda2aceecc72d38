package org.xp2p.relay;

import org.xp2p.testkit.RawHttp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /code?xresid=R} on a real host (schema V3): the code opens stream R, its init and
 * chunks, and nothing else; an unbound code still opens any stream. Raw HTTP throughout.
 */
class StreamBoundCodeTest {
    @TempDir
    Path data;

    private final RelayFixture fx = new RelayFixture();

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    RawHttp.Answer raw(String method, String target) throws Exception {
        return RawHttp.request(fx.host.port(), method, target);
    }

    private String issue(String query) throws Exception {
        RawHttp.Answer a = raw("POST", "/code" + query);
        assertEquals(200, a.status(), a.toString());
        Matcher m = Pattern.compile("\"code\":\"([0-9a-f-]{36})\"").matcher(a.body());
        assertTrue(m.find(), a.body());
        return m.group(1);
    }

    @Test
    void aBoundCodeOpensItsStreamOnly() throws Exception {
        fx.start(data, Map.of());
        String code = issue("?xresid=live/cam1");
        assertTrue(raw("POST", "/code?xresid=live/cam1").body().contains("\"xresid\":\"live/cam1\""));

        RawHttp.Answer own = raw("GET", "/live/cam1.flv?code=" + code);
        assertEquals(200, own.status(), own.toString());

        for (String target : new String[] {"/live/cam2.flv?code=", "/live/cam2.flv?xp2p=init&code=",
                "/live/cam2.flv?xp2p=chunk&seq=0&code=", "/live/cam1.flv?xresid=other&code=",
                "/never/existed.flv?code="}) {
            RawHttp.Answer a = raw("GET", target + code);
            assertEquals(403, a.status(), target + ": " + a);
            assertTrue(a.body().contains("\"error\":\"code_other_stream\""), target + ": " + a.body());
        }
        assertEquals(1, fx.origin.totalConnections(), "refused requests reach no origin");
    }

    @Test
    void aBoundCodeKeepsItsStreamThroughAKeyBase(@TempDir Path keyData) throws Exception {
        // node A issues; this node (-k A) only looks keys up, and must keep A's binding
        try (org.xp2p.host.Host keys = org.xp2p.host.Host.builder().port(0).setting("xp2p.data", keyData).build().start()) {
            fx.start(data, Map.of("xp2p.keyBase", keys.baseUri() + "/code/"));
            RawHttp.Answer issued = RawHttp.request(keys.port(), "POST", "/code?xresid=live/cam1");
            Matcher m = Pattern.compile("\"code\":\"([0-9a-f-]{36})\"").matcher(issued.body());
            assertTrue(m.find(), issued.body());
            String code = m.group(1);
            RawHttp.Answer onA = RawHttp.request(keys.port(), "GET", "/code/" + code);
            assertTrue(onA.body().contains("\"xresid\":\"live/cam1\""), onA.body());

            assertEquals(200, raw("GET", "/live/cam1.flv?code=" + code).status());
            for (String target : new String[] {"/live/cam2.flv?code=", "/live/cam2.flv?xp2p=init&code="}) {
                RawHttp.Answer a = raw("GET", target + code);
                assertEquals(403, a.status(), target + ": " + a);
                assertTrue(a.body().contains("\"error\":\"code_other_stream\""), target + ": " + a.body());
            }
            // an unbound code from A still opens any stream here
            Matcher any = Pattern.compile("\"code\":\"([0-9a-f-]{36})\"")
                    .matcher(RawHttp.request(keys.port(), "POST", "/code").body());
            assertTrue(any.find());
            assertEquals(200, raw("GET", "/live/cam2.flv?code=" + any.group(1)).status());
        }
    }

    @Test
    void anUnboundCodeStillOpensAnyStream() throws Exception {
        fx.start(data, Map.of("xp2p.relay.requireCode", "true"));
        String code = issue("");
        assertEquals(200, raw("GET", "/live/cam1.flv?code=" + code).status());
        assertEquals(200, raw("GET", "/live/cam2.flv?code=" + code).status());
        // requireCode keeps working: a bound code satisfies it for its own stream only
        String bound = issue("?xresid=live/cam3");
        assertEquals(200, raw("GET", "/live/cam3.flv?code=" + bound).status());
        assertEquals(403, raw("GET", "/live/cam4.flv?code=" + bound).status());
        assertEquals(403, raw("GET", "/live/cam4.flv").status());
    }

    @Test
    void aMalformedXresidIsRefusedAndIssuesNothing() throws Exception {
        fx.start(data, Map.of());
        for (String bad : new String[] {"../x", "a//b", ".hidden", "a%00b", "x".repeat(129)}) {
            RawHttp.Answer a = raw("POST", "/code?xresid=" + bad);
            assertEquals(400, a.status(), bad + ": " + a);
        }
    }
}
