package org.xp2p.relay;

import org.xp2p.common.StreamId;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A viewer's stream request reduced to what the relay may act on: a normalised path, the stream
 * id, and the query to forward upstream.
 *
 * <p>The upstream URL is always a configured origin base followed by {@link #path()}, so the
 * only way a request could reach another host is through the path itself. That is why the path
 * is checked on its <em>raw</em> (undecoded) form against a strict alphabet: no percent escapes at
 * all (so no encoded dots, slashes or backslashes), no {@code @}, no {@code :}, no empty, {@code .}
 * or {@code ..} segments, no control characters, bounded length and depth. Anything else is
 * refused with a reason and nothing is fetched.
 *
 * <p>The stream id follows the {@link StreamId} rules wherever it comes from: an {@code xresid}
 * that breaks them, or a path whose file name would make one ({@code /...flv} is stream
 * {@code ..}, {@code /.x.flv} is {@code .x}), is refused like a bad path.
 *
 * @param id            {@code xresid} when given, else the path without leading slash and {@code .flv}
 * @param path          the normalised request path inside the context, e.g. {@code /live/cam1.flv}
 * @param upstreamQuery the request's query minus xp2p's own parameters, raw; empty when none
 */
public record StreamAddress(StreamId id, String path, String upstreamQuery) {
    public static final int MAX_PATH_LENGTH = 512;
    public static final int MAX_DEPTH = 16;
    public static final int MAX_QUERY_LENGTH = 2048;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~+-]+");

    /** Why a request was refused; the message is safe to show the client. */
    public static final class BadAddressException extends IllegalArgumentException {
        public BadAddressException(String message) {
            super(message);
        }
    }

    /**
     * @param rawPath  the raw request path inside the context (not decoded)
     * @param rawQuery the raw query string, or null
     */
    public static StreamAddress parse(String rawPath, String rawQuery) {
        String path = checkPath(rawPath);
        String xresid = null;
        List<String> forwarded = new ArrayList<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            if (rawQuery.length() > MAX_QUERY_LENGTH) {
                throw new BadAddressException("query longer than " + MAX_QUERY_LENGTH + " characters");
            }
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                checkNoControl(pair, "query");
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                if (name.equals("xresid")) {
                    xresid = decode(eq < 0 ? "" : pair.substring(eq + 1));
                } else if (!isOwnParameter(name)) {
                    forwarded.add(pair);
                }
            }
        }
        StreamId id = xresid != null ? checkId(xresid, "xresid")
                : checkId(path.substring(1, path.length() - ".flv".length()), "path");
        return new StreamAddress(id, path, String.join("&", forwarded));
    }

    /** The stream id as a string: the relay's map key, the room, the code binding. */
    public String streamId() {
        return id.value();
    }

    /** Parameters xp2p consumes itself and never forwards to the origin. */
    public static boolean isOwnParameter(String name) {
        return name.equals("xresid") || name.equals("code") || name.equals("token") || name.startsWith("xp2p");
    }

    /** The URL to pull from the given origin base (scheme://host[:port][/prefix]). */
    public URI upstream(URI originBase) {
        String base = originBase.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + path + (upstreamQuery.isEmpty() ? "" : "?" + upstreamQuery));
    }

    /** Path without the {@code .flv} suffix, as a stream id for callers that have no query. */
    public static String checkPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            throw new BadAddressException("path must start with /");
        }
        if (rawPath.length() > MAX_PATH_LENGTH) {
            throw new BadAddressException("path longer than " + MAX_PATH_LENGTH + " characters");
        }
        checkNoControl(rawPath, "path");
        if (!rawPath.endsWith(".flv") || rawPath.length() <= "/.flv".length()) {
            throw new BadAddressException("path must name a .flv stream");
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        if (segments[segments.length - 1].length() <= ".flv".length()) {
            throw new BadAddressException("stream file name is empty");
        }
        if (segments.length > MAX_DEPTH) {
            throw new BadAddressException("path deeper than " + MAX_DEPTH + " segments");
        }
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw new BadAddressException("empty path segment (//)");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new BadAddressException("dot segment in path");
            }
            if (!SEGMENT.matcher(segment).matches()) {
                throw new BadAddressException("path segment has characters outside [A-Za-z0-9._~+-]");
            }
        }
        return rawPath;
    }

    private static StreamId checkId(String id, String source) {
        try {
            return StreamId.of(id);
        } catch (StreamId.InvalidException e) {
            throw new BadAddressException(source.equals("xresid") ? "xresid: " + e.getMessage()
                    : "the stream id this path gives (" + (id.length() > 40 ? id.substring(0, 40) + "..." : id)
                            + "): " + e.getMessage() + "; pass a valid xresid for such a path");
        }
    }

    private static void checkNoControl(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new BadAddressException(what + " contains a control character or backslash");
            }
        }
    }

    private static String decode(String s) {
        try {
            String decoded = URLDecoder.decode(s, StandardCharsets.UTF_8);
            checkNoControl(decoded, "query");
            return decoded;
        } catch (IllegalArgumentException e) {
            if (e instanceof BadAddressException bad) {
                throw bad;
            }
            throw new BadAddressException("malformed percent escape in query");
        }
    }
}
