package org.xp2p.swarm;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;

/**
 * Builds one outbound JSON object (signalling message or HTTP body) with Jackson's generator, so
 * every string is escaped correctly whatever a peer or operator put in it.
 */
final class Json {
    private final StringWriter out = new StringWriter(128);
    private final JsonGenerator g;

    private Json() {
        try {
            g = SignalMessage.JSON.createGenerator(out);
            g.writeStartObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A signalling message: {@code {"v":1,"type":type,...}}. */
    static Json message(String type) {
        return new Json().put("v", SignalMessage.VERSION).put("type", type);
    }

    static Json object() {
        return new Json();
    }

    /** {@code {"v":1,"type":"error","code":code,"message":message[,"ref":ref]}}. */
    static String error(String code, String message, String ref) {
        Json j = message("error").put("code", code).put("message", message);
        if (ref != null) {
            j.put("ref", ref);
        }
        return j.end();
    }

    Json put(String name, String value) {
        try {
            if (value == null) {
                g.writeNullField(name);
            } else {
                g.writeStringField(name, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Json put(String name, long value) {
        try {
            g.writeNumberField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Json put(String name, double value) {
        try {
            g.writeNumberField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Json put(String name, boolean value) {
        try {
            g.writeBooleanField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Json put(String name, Collection<String> values) {
        try {
            g.writeArrayFieldStart(name);
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A nested value written by the caller; it must write exactly one JSON value. */
    Json raw(String name, String json) {
        try {
            g.writeFieldName(name);
            g.writeRawValue(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    String end() {
        try {
            g.writeEndObject();
            g.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
