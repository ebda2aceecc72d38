package org.xp2p.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatJsonTest {
    @Test
    void writesFieldsInOrderWithEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", "c");
        m.put("expire", 1_700_000_000L);
        m.put("message", "a \"quote\", a \\ and\n\u0001");
        assertEquals("{\"code\":\"c\",\"expire\":1700000000,\"message\":\"a \\\"quote\\\", a \\\\ and\\n\\u0001\"}",
                FlatJson.write(m));
        assertEquals("{}", FlatJson.write(Map.of()));
    }

    @Test
    void readsFlatObjects() {
        assertEquals(Map.of("key", "00ff"), FlatJson.read(" {\"key\" : \"00ff\"}\n"));
        assertEquals(Map.of("a", "x\"/\n\u00e9", "n", "-12", "b", "true", "z", "null"),
                FlatJson.read("{\"a\":\"x\\\"\\/\\n\\u00e9\",\"n\":-12,\"b\":true,\"z\":null}"));
        assertEquals(Map.of(), FlatJson.read("{}"));
    }

    @Test
    void rejectsAnythingElse() {
        for (String bad : new String[] {"", "[]", "{\"k\":{}}", "{\"k\":[1]}", "{\"k\":\"v\"", "{\"k\":\"v\"}x",
                "{k:\"v\"}", "{\"k\":tru}", "{\"k\":\"\\x\"}", "{\"k\":\"v\",}"}) {
            assertThrows(IllegalArgumentException.class, () -> FlatJson.read(bad), bad);
        }
    }
}
