package org.xp2p.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.util.ArrayList;
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

    /**
     * The writer escapes with Jackson's encoder instead of running a generator per message: its
     * output must be the generator's, byte for byte, for every kind of string and number.
     */
    @Test
    void writesWhatJacksonsGeneratorWrites() throws Exception {
        List<String> strings = new ArrayList<>(List.of("", "plain", "q\"b\\s/", "\u2028\u2029 \u00e9 \ud83d\ude00",
                "\ud800 lone", "\u007f del", "</script>"));
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        strings.add(controls.toString());
        double[] doubles = {0.0, -0.0, 1.5, 1e300, 4.9e-324, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        long[] longs = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE};

        StringWriter expected = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(expected)) {
            g.writeStartObject();
            Json ours = Json.object();
            for (String s : strings) {
                g.writeStringField(s, s);
                ours.put(s, s);
            }
            g.writeNullField("null");
            ours.put("null", (String) null);
            for (int i = 0; i < doubles.length; i++) {
                g.writeNumberField("d" + i, doubles[i]);
                ours.put("d" + i, doubles[i]);
            }
            for (int i = 0; i < longs.length; i++) {
                g.writeNumberField("l" + i, longs[i]);
                ours.put("l" + i, longs[i]);
            }
            g.writeBooleanField("t", true);
            ours.put("t", true);
            g.writeArrayFieldStart("a");
            for (String s : strings) {
                g.writeString(s);
            }
            g.writeEndArray();
            ours.put("a", strings);
            g.writeArrayFieldStart("empty");
            g.writeEndArray();
            ours.put("empty", List.<String>of());
            g.writeFieldName("raw");
            g.writeRawValue("{\"x\":[1]}");
            ours.raw("raw", "{\"x\":[1]}");
            g.writeEndObject();
            g.close();
            assertEquals(expected.toString(), ours.end());
        }
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
