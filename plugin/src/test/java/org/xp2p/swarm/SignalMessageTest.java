package org.xp2p.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.StringWriter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xp2p.common.Json;

/**
 * The forwarded {@code data} is re-serialised without a Jackson generator: what it forwards must
 * be what {@code copyCurrentStructure} into a generator wrote, byte for byte, whatever the sender
 * put in the object.
 */
class SignalMessageTest {
    @Test
    void dataIsReserialisedExactlyAsJacksonsGeneratorWritesIt() throws Exception {
        List<String> fixed = List.of("{}", "{\"a\":[]}", "{ \"sdp\" : \"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\" }",
                "{\"n\":[0,-0,1,-1,9223372036854775807,-9223372036854775808,99999999999999999999,-99999999999999999999]}",
                "{\"f\":[0.0,-0.0,1.5,1E5,1e-7,2.5e+3,1e400,-1e400,0.1,123456789.123456789]}",
                "{\"s\":[\"\\u0000\\u001f\\\"\\\\\\/\",\"\\u00e9\\ud83d\\ude00\",\"\u2028\"],\"b\":[true,false,null]}",
                "{\"deep\":{\"a\":{\"b\":[[{\"c\":[1,{\"d\":null}]}]]}},\"after\":1}",
                "{\"\\u0041\":1,\"e\\n\":{\"\":\"\"}}");
        for (String data : fixed) {
            assertEquals(reference(data), parsedData(data), data);
        }
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            String data = randomObject(random, 0);
            assertEquals(reference(data), parsedData(data), data);
        }
    }

    @Test
    void limitsStayTheParsers() {
        String deep = "{\"a\":".repeat(Json.MAX_DEPTH) + "1" + "}".repeat(Json.MAX_DEPTH);
        assertEquals("bad_json", assertThrows(SignalMessage.BadMessage.class,
                () -> SignalMessage.parse("{\"v\":1,\"type\":\"offer\",\"data\":" + deep + "}")).code);
        assertEquals("bad_json", assertThrows(SignalMessage.BadMessage.class,
                () -> SignalMessage.parse("{\"v\":1,\"type\":\"offer\",\"data\":{\"a\":1,\"a\":2}}")).code);
        assertEquals("bad_field", assertThrows(SignalMessage.BadMessage.class,
                () -> SignalMessage.parse("{\"v\":1,\"type\":\"offer\",\"data\":[1]}")).code);
    }

    private static String parsedData(String data) throws SignalMessage.BadMessage {
        return SignalMessage.parse("{\"v\":1,\"type\":\"offer\",\"to\":\"p\",\"data\":" + data + ",\"room\":\"r\"}").data();
    }

    private static String reference(String data) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonParser p = Json.FACTORY.createParser(data); JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            p.nextToken();
            g.copyCurrentStructure(p);
        }
        return out.toString();
    }

    private static String randomObject(Random r, int depth) {
        StringBuilder sb = new StringBuilder("{");
        int n = r.nextInt(depth > 4 ? 2 : 5);
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? "," : "").append(r.nextBoolean() ? " " : "").append(randomString(r, i)).append(':')
                    .append(randomValue(r, depth + 1));
        }
        return sb.append('}').toString();
    }

    private static String randomValue(Random r, int depth) {
        switch (r.nextInt(depth > 5 ? 6 : 8)) {
            case 0:
                return randomString(r, -1);
            case 1:
                return Long.toString(r.nextLong() >> r.nextInt(64));
            case 2:
                return (r.nextBoolean() ? "-" : "") + r.nextInt(1000) + "." + r.nextInt(100000)
                        + (r.nextBoolean() ? "e" + (r.nextInt(700) - 350) : "");
            case 3:
                return List.of("true", "false", "null").get(r.nextInt(3));
            case 4:
                return (r.nextBoolean() ? "-" : "") + "1" + "0".repeat(r.nextInt(20));
            case 5:
                return r.nextBoolean() ? "[]" : "{}";
            case 6:
                StringBuilder a = new StringBuilder("[");
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    a.append(i > 0 ? ", " : "").append(randomValue(r, depth + 1));
                }
                return a.append(']').toString();
            default:
                return randomObject(r, depth);
        }
    }

    /** A JSON string literal of characters from every range, some escaped; {@code unique} keeps names distinct. */
    private static String randomString(Random r, int unique) {
        StringBuilder sb = new StringBuilder("\"");
        if (unique >= 0) {
            sb.append('k').append(unique);
        }
        for (int i = 0, n = r.nextInt(8); i < n; i++) {
            char c = switch (r.nextInt(4)) {
                case 0 -> (char) r.nextInt(0x10000);
                case 1 -> (char) r.nextInt(0x20);
                case 2 -> "\"\\/".charAt(r.nextInt(3));
                default -> (char) (0x20 + r.nextInt(0x5f));
            };
            if (c < 0x20 || c == '"' || c == '\\' || r.nextInt(4) == 0) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
