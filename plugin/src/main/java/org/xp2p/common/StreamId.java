package org.xp2p.common;

import java.util.regex.Pattern;

/**
 * A stream's identity on this node: the relay's stream key, the swarm's room and the binding of a
 * stream code, all the same string. It owns the rules of docs/PROTOCOL.md section 2.2, so that an
 * id is checked the same way whether it came from a request path, an {@code xresid} parameter or a
 * signalling message: 1-{@value #MAX_LENGTH} characters of {@code [A-Za-z0-9._~+-/]}, non-empty
 * slash-separated segments, no {@code .} or {@code ..} segment, no {@code ..} anywhere and no
 * leading {@code .}.
 *
 * <p>Why so strict: ids end up in log lines, metrics labels, URLs built for peers and, through
 * the path, in the origin URL. A dot segment there means "the parent" to every URL normaliser
 * between the viewer and the origin, so {@code /...flv} (stream {@code ..}) must never be an id.
 *
 * @param value the id, already valid
 */
public record StreamId(String value) {
    /** Longest id accepted. */
    public static final int MAX_LENGTH = 128;
    /** What a valid id looks like, for error messages. */
    public static final String RULES = "1-" + MAX_LENGTH + " characters of [A-Za-z0-9._~+-/] in non-empty"
            + " segments, without dot segments or '..', not starting with '.'";

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9._~+-]+(/[A-Za-z0-9._~+-]+)*");

    /** Why a string is not a stream id; the message is safe to show a client. */
    public static final class InvalidException extends IllegalArgumentException {
        InvalidException(String message) {
            super(message);
        }
    }

    public StreamId {
        String why = problem(value);
        if (why != null) {
            throw new InvalidException(why);
        }
    }

    /** The id {@code value}. @throws InvalidException naming the rule it breaks */
    public static StreamId of(String value) {
        return new StreamId(value);
    }

    /** Whether {@code value} is a valid stream id. */
    public static boolean isValid(String value) {
        return problem(value) == null;
    }

    /** The first rule {@code v} breaks, or null when it is a valid id. */
    private static String problem(String v) {
        if (v == null || v.isEmpty()) {
            return "stream id is empty";
        }
        if (v.length() > MAX_LENGTH) {
            return "stream id is longer than " + MAX_LENGTH + " characters";
        }
        if (!SHAPE.matcher(v).matches()) {
            return "stream id must be " + RULES;
        }
        if (v.startsWith(".")) {
            return "stream id must not start with '.'";
        }
        if (v.contains("..")) {
            return "stream id must not contain '..'";
        }
        if (v.endsWith("/.") || v.contains("/./")) {
            return "stream id must not have a '.' segment";
        }
        return null;
    }

    @Override
    public String toString() {
        return value;
    }
}
