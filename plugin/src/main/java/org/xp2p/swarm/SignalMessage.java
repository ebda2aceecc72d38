package org.xp2p.swarm;

import org.xp2p.common.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * One inbound signalling message, read from untrusted text with Jackson's streaming parser.
 *
 * <p>Only the fields the protocol defines are kept, each with its JSON type checked; unknown
 * fields are skipped so newer clients still talk to older servers; duplicate keys, trailing
 * content, deep nesting and huge numbers are refused by the parser itself. The opaque WebRTC
 * payload ({@code data}) is re-serialised by the same library, so what is forwarded to another peer
 * is always well-formed JSON, whatever the sender wrote.
 */
record SignalMessage(int version, String type, String room, String to, String peer, String reason,
                     String code, String token, Boolean upload, Long slots, String network,
                     Long p2pBytes, Long cdnBytes, Long uploadBytes, Long stalls, Long uploadRate, String data, String stream,
                     Long afterDigestMs) {
    static final int VERSION = 1;
    /** A stall's {@code afterDigestMs} beyond an hour is no deadline a player gives. */
    static final long MAX_AFTER_DIGEST_MS = 3_600_000;

    /** A signalling message: {@code {"v":1,"type":type,...}}. */
    static Json message(String type) {
        return Json.object().put("v", VERSION).put("type", type);
    }

    /** {@code {"v":1,"type":"error","code":code,"message":message[,"ref":ref]}}. */
    static String error(String code, String message, String ref) {
        Json j = message("error").put("code", code).put("message", message);
        if (ref != null) {
            j.put("ref", ref);
        }
        return j.end();
    }

    /** Why a message was refused: {@code code} is one of the protocol's error codes. */
    static final class BadMessage extends Exception {
        final String code;

        BadMessage(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    static SignalMessage parse(String text) throws BadMessage {
        Builder b = new Builder();
        try (JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadMessage("bad_json", "a message must be one JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    // any v that is not the number 1 ("1", 1.0, 2) is a version this node does not speak
                    case "v" -> b.version = t == JsonToken.VALUE_NUMBER_INT
                            && p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : -1;
                    case "type" -> b.type = string(p, t, name, 32);
                    case "room" -> b.room = string(p, t, name, 256);
                    case "to" -> b.to = string(p, t, name, 64);
                    case "peer" -> b.peer = string(p, t, name, 64);
                    case "reason" -> b.reason = string(p, t, name, 32);
                    case "code" -> b.code = string(p, t, name, 512);
                    case "token" -> b.token = string(p, t, name, 512);
                    case "network" -> b.network = string(p, t, name, 32);
                    case "stream" -> b.stream = string(p, t, name, 512);
                    case "upload" -> {
                        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                            throw new BadMessage("bad_field", "upload must be true or false");
                        }
                        b.upload = t == JsonToken.VALUE_TRUE;
                    }
                    case "slots" -> b.slots = integer(p, t, name, 1_000);
                    case "p2pBytes" -> b.p2pBytes = integer(p, t, name, Long.MAX_VALUE);
                    case "cdnBytes" -> b.cdnBytes = integer(p, t, name, Long.MAX_VALUE);
                    case "uploadBytes" -> b.uploadBytes = integer(p, t, name, Long.MAX_VALUE);
                    case "stalls" -> b.stalls = integer(p, t, name, Long.MAX_VALUE);
                    case "uploadRate" -> b.uploadRate = integer(p, t, name, Long.MAX_VALUE);
                    case "afterDigestMs" -> b.afterDigestMs = integer(p, t, name, MAX_AFTER_DIGEST_MS);
                    case "data" -> b.data = copy(p, t);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new BadMessage("bad_json", "content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new BadMessage("bad_json", "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (b.version != VERSION) {
            throw new BadMessage("unsupported_version", "field v must be " + VERSION);
        }
        if (b.type == null) {
            throw new BadMessage("bad_field", "field type is required");
        }
        return new SignalMessage(b.version, b.type, b.room, b.to, b.peer, b.reason, b.code, b.token, b.upload,
                b.slots, b.network, b.p2pBytes, b.cdnBytes, b.uploadBytes, b.stalls, b.uploadRate, b.data, b.stream,
                b.afterDigestMs);
    }

    private static String string(JsonParser p, JsonToken t, String name, int max) throws IOException, BadMessage {
        if (t != JsonToken.VALUE_STRING) {
            throw new BadMessage("bad_field", name + " must be a string");
        }
        String v = p.getText();
        if (v.length() > max) {
            throw new BadMessage("bad_field", name + " longer than " + max + " characters");
        }
        return v;
    }

    private static long integer(JsonParser p, JsonToken t, String name, long max) throws IOException, BadMessage {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new BadMessage("bad_field", name + " must be a whole number");
        }
        long v = p.getLongValue();
        if (v < 0 || v > max) {
            throw new BadMessage("bad_field", name + " must be from 0 to " + max);
        }
        return v;
    }

    /**
     * The {@code data} object the parser is at, re-serialised by Jackson: what is relayed is what
     * was parsed, within the parser's limits, never the sender's text.
     */
    private static String copy(JsonParser p, JsonToken t) throws IOException, BadMessage {
        if (t != JsonToken.START_OBJECT) {
            throw new BadMessage("bad_field", "data must be a JSON object");
        }
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.copyCurrentStructure(p);
        }
        return out.toString();
    }

    private static final class Builder {
        int version = -1;
        String type, room, to, peer, reason, code, token, network, data, stream;
        Boolean upload;
        Long slots, p2pBytes, cdnBytes, uploadBytes, stalls, uploadRate, afterDigestMs;
    }
}
