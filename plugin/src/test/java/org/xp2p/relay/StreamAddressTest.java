package org.xp2p.relay;

import org.xp2p.common.StreamId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StreamAddressTest {
    private static final URI ORIGIN = URI.create("https://origin.example:9188/base");

    @ParameterizedTest(name = "refuses {0}")
    @ValueSource(strings = {
        "/../x.flv", "/a/../../b.flv", "/./x.flv", "/a/./x.flv", "/%2e%2e/x.flv", "/%2E%2E/x.flv",
        "/a%2fb.flv", "/a%2Fb.flv", "/a%5cb.flv", "/a\\b.flv", "//evil.example/x.flv", "/a//b.flv",
        "/@evil.example/x.flv", "/a@b.flv", "/http:/evil/x.flv", "/a:b.flv", "/x.flv\u0000.flv",
        "/x\r\nHost: evil.flv", "/x\u007f.flv", "/.flv", "/a/.flv", "/x.mp4", "/x.flv/", "x.flv", "",
        "/a%20b.flv", "/a?b.flv", "/a#b.flv", "/ä.flv",
        // file names that make a dot or dot-dot stream id (issue 10): /...flv is stream "..",
        // /..flv is ".", /a/..flv is "a/.", /a/...flv is "a/.."
        "/...flv", "/..flv", "/a/..flv", "/a/...flv", "/....flv", "/.hidden.flv", "/a..b.flv"
    })
    void refusesPathTricks(String rawPath) {
        assertThrows(StreamAddress.BadAddressException.class, () -> StreamAddress.parse(rawPath, null));
    }

    @Test
    void refusesOverlongAndTooDeepPaths() {
        assertThrows(StreamAddress.BadAddressException.class,
                () -> StreamAddress.parse("/" + "a".repeat(StreamAddress.MAX_PATH_LENGTH) + ".flv", null));
        assertThrows(StreamAddress.BadAddressException.class,
                () -> StreamAddress.parse("/a".repeat(StreamAddress.MAX_DEPTH) + "/x.flv", null));
        assertThrows(StreamAddress.BadAddressException.class,
                () -> StreamAddress.parse("/x.flv", "a=" + "b".repeat(StreamAddress.MAX_QUERY_LENGTH)));
    }

    @ParameterizedTest(name = "refuses xresid {0}")
    @ValueSource(strings = {"..", "../x", "a/../b", ".hidden", "a b", "a%2fb/..", "", "a\u0001",
        ".", "a/.", "a/./b", "./a", "a/..", "...", "a//b", "/a", "a/", "a\\b", "a%00", "a:b", "a@b"})
    void refusesBadResourceIds(String id) {
        String q = "xresid=" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
        assertThrows(StreamAddress.BadAddressException.class, () -> StreamAddress.parse("/x.flv", q));
    }

    @Test
    void pathIdsFollowTheIdRulesLengthToo() {
        String longName = "a".repeat(StreamId.MAX_LENGTH + 1);
        assertThrows(StreamAddress.BadAddressException.class, () -> StreamAddress.parse("/" + longName + ".flv", null));
        // the same path is fine with an xresid: only the id is too long, not the path
        assertEquals("cam", StreamAddress.parse("/" + longName + ".flv", "xresid=cam").streamId());
        assertEquals("a".repeat(StreamId.MAX_LENGTH),
                StreamAddress.parse("/" + "a".repeat(StreamId.MAX_LENGTH) + ".flv", null).streamId());
    }

    @ParameterizedTest(name = "valid id {0}")
    @ValueSource(strings = {"cam1", "live/cam1", "a.b", "a/.b", "a/b.", "x~y+z-_", "A/B/C/D"})
    void acceptsValidIds(String id) {
        assertEquals(id, StreamId.of(id).value());
        String q = "xresid=" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(id, StreamAddress.parse("/x.flv", q).streamId());
        assertEquals(id, StreamAddress.parse("/" + id + ".flv", null).streamId());
    }

    @ParameterizedTest(name = "{0}?{1}")
    @CsvSource(delimiter = '|', value = {
        "/live/cam1.flv|                         |live/cam1|https://origin.example:9188/base/live/cam1.flv",
        "/cam1.flv     |xresid=cam1_h265         |cam1_h265|https://origin.example:9188/base/cam1.flv",
        "/a/b/c.flv    |token=1&code=xyz&xp2p=chunk&seq=3&xp2pdebug=1&tokenx=2|a/b/c|https://origin.example:9188/base/a/b/c.flv?seq=3&tokenx=2",
        "/x.flv        |auth=a%3Db&xresid=r1     |r1       |https://origin.example:9188/base/x.flv?auth=a%3Db",
    })
    void mapsToTheConfiguredOriginOnly(String path, String query, String id, String upstream) {
        StreamAddress a = StreamAddress.parse(path, query);
        assertEquals(id, a.streamId());
        assertEquals(upstream, a.upstream(ORIGIN).toString());
        assertEquals(ORIGIN.getHost(), a.upstream(ORIGIN).getHost());
    }
}
