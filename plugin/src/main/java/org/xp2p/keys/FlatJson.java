package org.xp2p.keys;

import java.util.LinkedHashMap;
import java.util.Map;
import org.xp2p.http.JsonResponse;

/**
 * JSON for the key service's flat objects: one level, string and integer values only.
 *
 * <p>The key service's wire format is three fields, so a JSON library in the WAR would be weight
 * without benefit; this writes exactly RFC 8259 strings and reads exactly the flat objects the
 * original key server answers ({@code {"key":"hex"}}), rejecting anything else.
 */
final class FlatJson {
    private FlatJson() {
    }

    /** Serialises {@code fields} (values String or Number) in insertion order. */
    static String write(Map<String, ?> fields) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(JsonResponse.quote(e.getKey()));
            out.append(':');
            Object v = e.getValue();
            if (v instanceof Number n) {
                out.append(n.longValue());
            } else {
                out.append(JsonResponse.quote(String.valueOf(v)));
            }
        }
        return out.append('}').toString();
    }

    /**
     * Parses a flat object whose values are strings, numbers, booleans or null (kept as text).
     *
     * @throws IllegalArgumentException for anything else, with the offset
     */
    static Map<String, String> read(String json) {
        Reader r = new Reader(json);
        Map<String, String> out = new LinkedHashMap<>();
        r.skipWs();
        r.expect('{');
        r.skipWs();
        if (r.peek() == '}') {
            r.pos++;
        } else {
            while (true) {
                r.skipWs();
                String key = r.string();
                r.skipWs();
                r.expect(':');
                r.skipWs();
                out.put(key, r.peek() == '"' ? r.string() : r.scalar());
                r.skipWs();
                char c = r.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw r.error("expected ',' or '}'");
                }
            }
        }
        r.skipWs();
        if (r.pos != json.length()) {
            throw r.error("trailing characters");
        }
        return out;
    }

    private static final class Reader {
        final String s;
        int pos;

        Reader(String s) {
            this.s = s;
        }

        char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        char next() {
            char c = peek();
            pos++;
            return c;
        }

        void expect(char c) {
            if (next() != c) {
                throw error("expected '" + c + "'");
            }
        }

        void skipWs() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape");
                }
            }
        }

        String scalar() {
            int start = pos;
            while (pos < s.length() && ",} \t\r\n".indexOf(s.charAt(pos)) < 0) {
                pos++;
            }
            String v = s.substring(start, pos);
            if (!v.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|true|false|null")) {
                throw error("expected a string, number, boolean or null");
            }
            return v;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + pos);
        }
    }
}
