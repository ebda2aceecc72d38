package org.xp2p.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A parsed JSON object from the browser driver or the server, with asserting accessors. */
record Json(Map<String, Object> map) {
    private static final JsonFactory FACTORY = new JsonFactory();

    static Json parse(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            Object v = read(p, p.nextToken());
            assertTrue(v instanceof Map, "expected a JSON object: " + text);
            return wrap(v);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    Object get(String key) {
        return map.get(key);
    }

    double num(String key) {
        Object v = map.get(key);
        assertTrue(v instanceof Number, key + " is a number in " + map);
        return ((Number) v).doubleValue();
    }

    String str(String key) {
        Object v = map.get(key);
        return v == null ? null : v.toString();
    }

    Json obj(String key) {
        Object v = map.get(key);
        assertTrue(v instanceof Map, key + " is an object in " + map);
        return wrap(v);
    }

    /** The driver's page entries. */
    List<Page> pages() {
        Object v = map.get("pages");
        assertTrue(v instanceof List, "pages in " + map);
        return ((List<?>) v).stream().map(x -> new Page(wrap(x))).toList();
    }

    record Page(Json json) {
        String str(String key) {
            return json.str(key);
        }

        Json before() {
            return json.obj("before");
        }

        Json after() {
            return json.obj("after");
        }
    }

    @Override
    public String toString() {
        return map.toString();
    }

    @SuppressWarnings("unchecked")
    private static Json wrap(Object v) {
        return new Json((Map<String, Object>) v);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String object(Map<String, Object> values) {
        return values.entrySet().stream().map(e -> quote(e.getKey()) + ":" + value(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
    }

    static String array(List<String> values) {
        return values.stream().map(Json::quote).collect(Collectors.joining(",", "[", "]"));
    }

    private static String value(Object v) {
        return v instanceof Number || v instanceof Boolean ? v.toString() : quote(String.valueOf(v));
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(read(p, e));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            default -> {
                return null;
            }
        }
    }
}
