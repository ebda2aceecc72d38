package org.xp2p.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plugin's one JSON path: jackson-core streaming for every JSON it reads or writes
 * (signalling messages, HTTP bodies, the key server's and auth callback's answers).
 *
 * <p>Reads are bounded by the protocol's limits whatever the sender wrote: nesting depth
 * {@value #MAX_DEPTH}, numbers of at most {@value #MAX_NUMBER_CHARS} characters, strings and
 * documents of at most {@value #MAX_DOCUMENT_BYTES} bytes (the largest signalling message
 * allowed), duplicate names refused. Writes escape every string correctly, so nothing a peer or
 * an operator put in a value can break the document.
 */
public final class Json {
    public static final int MAX_DEPTH = 16;
    public static final int MAX_NUMBER_CHARS = 20;
    public static final int MAX_DOCUMENT_BYTES = 1_048_576;

    public static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .maxStringLength(MAX_DOCUMENT_BYTES)
                    .maxDocumentLength(MAX_DOCUMENT_BYTES)
                    .build())
            .build();

    /**
     * Written straight into a builder with Jackson's own string escaper instead of through a
     * {@code JsonGenerator}: every signalling message is one of these, and a generator per message
     * (its I/O context, recycled buffers and writer) cost more than the message itself. The output
     * is the generator's, byte for byte: same escapes, same number forms.
     */
    private static final JsonStringEncoder ESCAPER = JsonStringEncoder.getInstance();
    private final StringBuilder out = new StringBuilder(128).append('{');

    private Json() {
    }

    /** A new object; fields appear in the order they are put. */
    public static Json object() {
        return new Json();
    }

    /** {@code {"error":code,"message":message}}: the one error body of every HTTP endpoint. */
    public static String httpError(String code, String message) {
        return object().put("error", code).put("message", message).end();
    }

    /** A flat object of the given fields in their order; values are strings or whole numbers. */
    public static String flat(Map<String, ?> fields) {
        Json j = object();
        fields.forEach((k, v) -> {
            if (v instanceof Number n) {
                j.put(k, n.longValue());
            } else {
                j.put(k, v == null ? null : String.valueOf(v));
            }
        });
        return j.end();
    }

    private StringBuilder name(String name) {
        if (out.length() > 1) {
            out.append(',');
        }
        return string(name).append(':');
    }

    /** Appends {@code value} as a JSON string, escaped as Jackson's generator escapes it. */
    private StringBuilder string(String value) {
        out.append('"');
        if (plain(value)) {
            out.append(value); // nearly every name and value: one bulk copy, not a char-by-char escape
        } else {
            ESCAPER.quoteAsString(value, out);
        }
        return out.append('"');
    }

    /** Whether JSON needs no escape in {@code s}: no quote, backslash or control character. */
    private static boolean plain(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    public Json put(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    public Json put(String name, long value) {
        name(name).append(value);
        return this;
    }

    public Json put(String name, double value) {
        name(name);
        if (Double.isFinite(value)) {
            out.append(Double.toString(value));
        } else {
            // as Jackson writes them (WRITE_NAN_AS_STRINGS): JSON has no literal for these
            string(Double.toString(value));
        }
        return this;
    }

    public Json put(String name, boolean value) {
        name(name).append(value);
        return this;
    }

    public Json put(String name, Collection<String> values) {
        name(name).append('[');
        boolean first = true;
        for (String v : values) {
            if (!first) {
                out.append(',');
            }
            first = false;
            if (v == null) {
                out.append("null");
            } else {
                string(v);
            }
        }
        out.append(']');
        return this;
    }

    /** A nested value written by the caller with this class; it must be exactly one JSON value. */
    public Json raw(String name, String json) {
        name(name).append(json);
        return this;
    }

    /** An array of nested objects, each written by the caller with this class. */
    public Json rawArray(String name, Collection<String> jsons) {
        name(name).append('[');
        boolean first = true;
        for (String v : jsons) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(v);
        }
        out.append(']');
        return this;
    }

    public String end() {
        return out.append('}').toString();
    }

    /**
     * Reads one flat object whose values are strings, numbers, booleans or null (numbers, booleans
     * and null kept as their JSON text), as the key server and auth callbacks answer.
     *
     * @throws IllegalArgumentException for anything else (nested values, trailing content,
     *                                  malformed or oversized JSON), naming the offset
     */
    public static Map<String, String> readFlat(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad(p, "expected a JSON object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == null || v.isStructStart()) {
                    throw bad(p, "field " + name + " must be a string, number, boolean or null");
                }
                out.put(name, p.getText());
            }
            if (p.nextToken() != null) {
                throw bad(p, "content after the JSON object");
            }
            return out;
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("malformed JSON: " + why, e);
        }
    }

    private static IllegalArgumentException bad(JsonParser p, String what) {
        return new IllegalArgumentException(what + " at offset " + p.currentTokenLocation().getCharOffset());
    }
}
