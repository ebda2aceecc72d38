package org.xp2p.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesFieldsInOrderWithEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", "c");
        m.put("expire", 1_700_000_000L);
        m.put("message", "a \"quote\", a \\ and\n\u0001");
        assertEquals("{\"code\":\"c\",\"expire\":1700000000,\"message\":\"a \\\"quote\\\", a \\\\ and\\n\\u0001\"}",
                Json.flat(m));
        assertEquals("{}", Json.flat(Map.of()));
        assertEquals("{\"error\":\"not_found\",\"message\":\"no \\\"x\\\"\"}", Json.httpError("not_found", "no \"x\""));
        assertEquals("{\"s\":[{\"a\":1},{}],\"n\":null}",
                Json.object().rawArray("s", List.of("{\"a\":1}", "{}")).put("n", (String) null).end());
    }

    @Test
    void readsFlatObjects() {
        assertEquals(Map.of("key", "00ff"), Json.readFlat(" {\"key\" : \"00ff\"}\n"));
        assertEquals(Map.of("a", "x\"/\n\u00e9", "n", "-12", "b", "true", "z", "null"),
                Json.readFlat("{\"a\":\"x\\\"\\/\\n\\u00e9\",\"n\":-12,\"b\":true,\"z\":null}"));
        assertEquals(Map.of(), Json.readFlat("{}"));
    }

    @Test
    void rejectsAnythingElse() {
        for (String bad : new String[] {"", "[]", "{\"k\":{}}", "{\"k\":[1]}", "{\"k\":\"v\"", "{\"k\":\"v\"}x",
                "{k:\"v\"}", "{\"k\":tru}", "{\"k\":\"\\x\"}", "{\"k\":\"v\",}", "{\"k\":1,\"k\":2}"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.readFlat(bad), bad);
        }
    }

    @Test
    void readLimitsAreTheProtocols() {
        String longNumber = "{\"n\":" + "9".repeat(Json.MAX_NUMBER_CHARS + 1) + "}";
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.readFlat(longNumber))
                .getMessage().contains("Number value length"));
        String oversized = "{\"s\":\"" + "x".repeat(Json.MAX_DOCUMENT_BYTES) + "\"}";
        assertThrows(IllegalArgumentException.class, () -> Json.readFlat(oversized));
        assertEquals("9".repeat(Json.MAX_NUMBER_CHARS), Json.readFlat("{\"n\":" + "9".repeat(Json.MAX_NUMBER_CHARS) + "}").get("n"));
    }
}
